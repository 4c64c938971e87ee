"""Demo research-integrity records for 鹤壁 (4106) and 周口 (4116), recorded by each city's bureau
administrator through the services, as the bureau would:

* 鹤壁: ``ent-4106-3``'s enterprise has a published record in effect (虚假申报 in a subsidy round), so the
  demo shows an enterprise that would otherwise get a subsidy being blocked, with the reason; the city's
  agency has a published record that expired; a generated 鹤壁 enterprise has one that was revoked on review.
* 周口: a generated 周口 enterprise has a published record in effect (创新券违规使用); a person (no registry
  link, a generated name) has an unpublished one.

Idempotent: a record is matched by subject name and source document. Prints nothing; returns a summary line.
Called by the demo loader with the loader (``integrity_demo_load(loader)``).
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.directory.models import Organization

from . import services
from .models import IntegrityRecord


def _bureau(city4: str) -> User | None:
    return User.objects.filter(username=f"bureau-{city4}").first()


def _org_of(username: str) -> Organization | None:
    user = User.objects.select_related("organization").filter(username=username).first()
    return user.organization if user is not None else None


def _generated_enterprise(city6: str, *, skip: int = 0) -> Organization | None:
    """A generated enterprise of the city (not an account's), the same one on every run."""
    orgs = Organization.objects.filter(kind="enterprise", region__path__startswith=_city_path(city6)) \
        .exclude(users__isnull=False).order_by("credit_code")
    return orgs[skip:skip + 1].first()


def _city_path(city6: str) -> str:
    from techmarket.regions.models import Region

    region = Region.objects.filter(code=city6).first()
    return region.path if region is not None else "\x00"


def _record(by, *, subject, data: dict, revoke: tuple[datetime.date, str] | None = None) -> bool:
    name = subject.name if subject is not None else data["subject_name"]
    if IntegrityRecord.objects.filter(subject_name=name, source_document=data["source_document"]).exists():
        return False
    if subject is not None:
        data = {**data, "subject_kind": "organization", "organization": subject.pk, "subject_name": subject.name}
    record = services.integrity_record_create(by=by, data=data)
    if revoke is not None:
        services.integrity_record_revoke(record=record, by=by, revoked_on=revoke[0], reason=revoke[1])
    return True


def integrity_demo_load(loader=None) -> str:
    today = timezone.localdate()
    year = today.year
    created = 0
    hebi, zhoukou = _bureau("4106"), _bureau("4116")
    if hebi is not None:
        blocked = _org_of("ent-4106-3")
        if blocked is not None:
            created += _record(hebi, subject=blocked, data={
                "record_type": "false_declaration",
                "facts": "在{y}年度科技型企业研发费用后补助申报中，提供与实际不符的研发费用专项审计报告，"
                         "虚增研发投入。".format(y=year - 1),
                "source_document": "鹤科〔{y}〕17号 关于对虚假申报行为的处理决定".format(y=year),
                "source_authority": "鹤壁市科学技术局",
                "effective_from": datetime.date(year, 1, 15), "effective_to": datetime.date(year + 2, 1, 14),
                "is_published": True})
        agency = _org_of("agency-4106-1")
        if agency is not None:
            created += _record(hebi, subject=agency, data={
                "record_type": "breach",
                "facts": "技术转移服务合同约定的对接服务未按期履行，经调解后已整改。",
                "source_document": "鹤科〔{y}〕42号".format(y=year - 4),
                "source_authority": "鹤壁市科学技术局",
                "effective_from": datetime.date(year - 4, 6, 1), "effective_to": datetime.date(year - 2, 5, 31),
                "is_published": True})
        revoked = _generated_enterprise("410600")
        if revoked is not None:
            created += _record(hebi, subject=revoked, data={
                "record_type": "contract_fraud",
                "facts": "登记的技术开发合同经核查无真实技术交易内容。",
                "source_document": "鹤科〔{y}〕9号".format(y=year - 1),
                "source_authority": "鹤壁市科学技术局",
                "effective_from": datetime.date(year - 1, 3, 1), "effective_to": None, "is_published": True,
            }, revoke=(min(today, datetime.date(year - 1, 9, 30)), "经复核，合同确有技术交易内容，原认定撤销（鹤科〔{y}〕31号）"
                       .format(y=year - 1)))
    if zhoukou is not None:
        voucher = _generated_enterprise("411600")
        if voucher is not None:
            created += _record(zhoukou, subject=voucher, data={
                "record_type": "voucher_fraud",
                "facts": "将创新券用于与科技服务无关的采购，并虚开服务发票。",
                "source_document": "周科〔{y}〕23号".format(y=year),
                "source_authority": "周口市科学技术局",
                "effective_from": datetime.date(year, 2, 1), "effective_to": datetime.date(year + 1, 1, 31),
                "is_published": True})
        from techmarket.demo import generator

        import random

        name = generator.person_name(random.Random(4116))
        created += _record(zhoukou, subject=None, data={
            "subject_kind": "person", "subject_name": name, "record_type": "misconduct",
            "facts": "在市级科技计划项目结题材料中抄袭他人研究成果。",
            "source_document": "周科〔{y}〕8号".format(y=year), "source_authority": "周口市科学技术局",
            "effective_from": datetime.date(year, 1, 10), "effective_to": datetime.date(year + 3, 1, 9),
            "is_published": False, "region": "411600"})
    total = IntegrityRecord.objects.count()
    return f"科研诚信记录：新建 {created} 条（共 {total} 条）。"
