"""Small builders shared by several apps' tests: regions, organizations, users with roles."""
from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from techmarket.accounts.roles import Role
from techmarket.accounts.services import user_set_roles
from techmarket.directory.credit_code import check_character
from techmarket.directory.models import Organization
from techmarket.regions.models import Region

_serial = itertools.count(1)


def region(code: str, name: str, parent: Region | None = None) -> Region:
    level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
    path = (parent.path if parent else "") + code + "/"
    obj, _created = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent, "path": path})
    return obj


def zhengzhou() -> dict[str, Region]:
    henan = region("410000", "河南省")
    city = region("410100", "郑州市", henan)
    return {
        "province": henan,
        "city": city,
        "jinshui": region("410105", "金水区", city),
        "zhongyuan": region("410102", "中原区", city),
        "hebi": region("410600", "鹤壁市", henan),
    }


def credit_code(n: int) -> str:
    first17 = "91410100" + f"{n:09d}"
    return first17 + check_character(first17)


def organization(name: str | None = None, *, region_obj: Region, kind: str = "enterprise") -> Organization:
    n = next(_serial)
    return Organization.objects.create(name=name or f"测试单位{n}", credit_code=credit_code(n), kind=kind,
                                       region=region_obj)


def user(username: str, *, organization_obj: Organization | None = None, roles: list[str] | None = None,
         region_obj: Region | None = None, **extra):
    obj = get_user_model().objects.create_user(username=username, password="pw-for-tests-only",
                                               organization=organization_obj, region=region_obj,
                                               name=extra.pop("name", username), **extra)
    if roles:
        user_set_roles(user=obj, roles=roles)
    return obj


def bureau_admin(username: str, *, region_obj: Region):
    return user(username, roles=[Role.BUREAU_ADMIN], region_obj=region_obj)


def district_officer(username: str, *, region_obj: Region):
    return user(username, roles=[Role.DISTRICT_OFFICER], region_obj=region_obj)
