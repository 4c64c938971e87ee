"""Test data for accounts and for other apps' tests.

    from techmarket.accounts.tests.factories import make_user, make_organization
    org = make_organization(name="郑州示例科技有限公司", region_code="410105")
    alice = make_user("alice", roles=["enterprise"], organization=org)
    officer = make_user("officer-410105", roles=["district_officer"], region_code="410105")
"""
from __future__ import annotations

import itertools

from techmarket.directory.credit_code import check_character

PASSWORD = "Tm-test-password-2025"
_seq = itertools.count(1)


def credit_code_for(n: int, region_code: str = "410105") -> str:
    """A valid 18-character unified social credit code (GB 32100-2015) for sequence number ``n``."""
    first17 = "91" + region_code + f"TM{n:07d}"
    return first17 + check_character(first17)


def region(code: str):
    from techmarket.regions.models import Region

    return Region.objects.get(code=code)


def make_organization(*, name: str | None = None, region_code: str = "410105", kind: str = "enterprise",
                      credit_code: str | None = None, **extra):
    """An Organization written directly (no audit), with a valid credit code."""
    from techmarket.directory.models import Organization

    n = next(_seq)
    return Organization.objects.create(
        name=name or f"测试单位{n}有限公司", kind=kind, region=region(region_code),
        credit_code=credit_code or credit_code_for(n, region_code), **extra)


def make_user(username: str | None = None, *, roles: list[str] = (), region_code: str | None = "410105",
              organization=None, password: str = PASSWORD, **extra):
    """A user with the given roles (auth Groups). ``region_code`` sets the staff scope (``User.region``);
    for organization users it defaults to their organization's region."""
    from techmarket.accounts.models import User
    from techmarket.accounts.services import user_set_roles

    n = next(_seq)
    username = username or f"user{n}"
    extra.setdefault("email", f"{username}@example.cn")
    extra.setdefault("name", f"用户{n}")
    if organization is not None and "region" not in extra:
        extra["region"] = organization.region
    elif "region" not in extra:
        extra["region"] = region(region_code) if region_code else None
    user = User.objects.create_user(username=username, password=password, organization=organization, **extra)
    if roles:
        user_set_roles(user=user, roles=list(roles))
        user.refresh_from_db()
    return user


def make_bureau_admin(username: str = "bureau-4101", *, region_code: str = "410100", **extra):
    return make_user(username, roles=["bureau_admin"], region_code=region_code, **extra)


def make_district_officer(username: str | None = None, *, region_code: str = "410105", **extra):
    return make_user(username or f"officer-{region_code}", roles=["district_officer"], region_code=region_code,
                     **extra)


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def letter_upload(name: str = "授权书.pdf", content: bytes = PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def registration_data(**overrides) -> dict:
    """Keyword arguments for services.registration_submit (a new enterprise in 金水区)."""
    n = next(_seq)
    data = {
        "kind": "enterprise", "username": f"applicant{n}", "name": "张三", "email": f"applicant{n}@example.cn",
        "phone": "13800138000", "password": "Qm7#Kv2!Lw9-梅花", "organization_name": f"郑州新申请科技有限公司{n}",
        "credit_code": credit_code_for(n, "410105"), "organization_kind": "enterprise", "region": "410105",
    }
    data.update(overrides)
    return data
