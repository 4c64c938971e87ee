"""Registry records for tests, made through the models with valid credit codes."""
from __future__ import annotations

import itertools

from techmarket.directory.credit_code import check_character
from techmarket.directory.models import Contact, Organization, Person, Platform
from techmarket.regions.models import Region

_serial = itertools.count(1)


def valid_credit_code(region_code: str = "410105", prefix: str = "91") -> str:
    first17 = f"{prefix}{region_code}{next(_serial):08d}A"[:17]
    return first17 + check_character(first17)


def make_organization(name: str | None = None, *, region_code: str = "410105", kind: str = "enterprise",
                      contacts: list[tuple[str, str, str]] | None = None, **fields) -> Organization:
    n = next(_serial)
    org = Organization.objects.create(
        name=name or f"测试单位{n}", credit_code=fields.pop("credit_code", None) or valid_credit_code(region_code),
        kind=kind, region=Region.objects.get(code=region_code), **fields)
    for contact_name, phone, email in contacts or []:
        Contact.objects.create(organization=org, name=contact_name, phone=phone, email=email)
    return org


def make_person(name: str = "张伟", *, region_code: str = "410105", kind: str = "expert", **fields) -> Person:
    return Person.objects.create(name=name, kind=kind, region=Region.objects.get(code=region_code), **fields)


def make_platform(name: str = "测试重点实验室", *, organization: Organization, **fields) -> Platform:
    fields.setdefault("kind", "key_lab")
    fields.setdefault("level", "provincial")
    fields.setdefault("recognised_on", "2024-01-01")
    return Platform.objects.create(name=name, organization=organization, region=organization.region, **fields)
