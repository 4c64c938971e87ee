"""Test data for the portal, made through services where a service exists."""
from __future__ import annotations

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.accounts.models import User
from techmarket.accounts.services import user_set_roles
from techmarket.directory.credit_code import check_character
from techmarket.directory.models import Organization, Qualification
from techmarket.portal.models import PortalCity
from techmarket.portal.services import article_create, article_publish
from techmarket.regions.models import Region

_serial = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def region(code: str) -> Region:
    """The region of a 6-digit code; created (with its parents) if the divisions are not loaded."""
    found = Region.objects.filter(code=code).first()
    if found is not None:
        return found
    if code.endswith("0000"):
        parent, level = None, Region.Level.PROVINCE
    elif code.endswith("00"):
        parent, level = region(code[:2] + "0000"), Region.Level.CITY
    else:
        parent, level = region(code[:4] + "00"), Region.Level.COUNTY
    return Region.objects.create(code=code, name=f"区划{code}", level=level, parent=parent,
                                 path=(parent.path if parent else "") + code + "/")


def city(code4: str, *, bureau_name: str | None = None, is_active: bool = True) -> PortalCity:
    obj, _created = PortalCity.objects.get_or_create(
        region=region(code4 + "00"),
        defaults={"bureau_name": bureau_name or f"{code4}市科学技术局", "is_active": is_active})
    if obj.is_active != is_active:
        obj.is_active = is_active
        obj.save(update_fields=["is_active"])
    return obj


def user(username: str | None = None, *, roles=(), region_code: str | None = None, organization=None,
         **fields) -> User:
    username = username or f"user{next(_serial)}"
    obj = User.objects.create_user(username=username, password="test-password-123", name=fields.pop("name", username),
                                   region=region(region_code) if region_code else None, organization=organization,
                                   **fields)
    if roles:
        user_set_roles(user=obj, roles=list(roles))
    return obj


def credit_code(region_code: str = "410105") -> str:
    first17 = f"91{region_code}{next(_serial):08d}A"[:17]
    return first17 + check_character(first17)


def organization(*, region_code: str = "410105", kind: str = "enterprise", name: str | None = None) -> Organization:
    return Organization.objects.create(name=name or f"测试单位{next(_serial)}", credit_code=credit_code(region_code),
                                       kind=kind, region=region(region_code))


def hitech(org: Organization, *, recognised_on: str, valid_until: str | None) -> Qualification:
    return Qualification.objects.create(
        organization=org, kind="hitech", recognised_on=datetime.date.fromisoformat(recognised_on),
        valid_until=datetime.date.fromisoformat(valid_until) if valid_until else None)


def upload(name: str = "通知附件.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def article(*, by, city, kind: str = "notice", title: str | None = None, publish: bool = False, attachments=(),
            **fields):
    obj = article_create(by=by, city=city, kind=kind, title=title or f"测试通知{next(_serial)}",
                         body=fields.pop("body", "第一段。\n\n第二段。"), attachments=attachments, **fields)
    if publish:
        obj = article_publish(article=obj, by=by)
    return obj
