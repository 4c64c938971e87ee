"""Demo subsidy data: the seed policies of 鹤壁 (4106) and 周口 (4116) for 2026 (base year 2025), and per
city one round taken through declaration, 初审 (by the bureau: 鹤壁 and 周口 have no district officers
in the demo), 复审, computation with its exclusions, and 公示 — the 鹤壁 round further to approval by a
second bureau user (maker-checker), ``bureau-4106-2``, created here.

Declarations under rules that need proof of commercialisation in the city carry a generated
“在本市实施转化证明” PDF. Declarations are made by the demo unit accounts (ent-4106-1…3, univ-4106-1, inst-4106-1, agency-4106-1;
for 周口 ent-4116-1 and univ-4116-1, created here from the generated 周口 registry) over whatever registered
contracts and 2025 payments the platform holds (techmarket/contracts/demo.py, when present). With no such
data the rate rules end as exclusions ("没有可计入的基数") and the round still goes through. Idempotent:
rounds are matched by name.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.accounts.roles import Role
from techmarket.core.errors import ApplicationError
from techmarket.directory.models import Organization, Qualification

from . import services
from .choices import UNIT_KIND_ORGANIZATION_KINDS, EvidenceKind, RuleKind
from .models import SubsidyRound
from .seed_rules import city_region, subsidy_policies_load

YEAR = 2026
UNITS = {"4106": ["ent-4106-1", "ent-4106-2", "ent-4106-3", "univ-4106-1", "inst-4106-1", "agency-4106-1"],
         "4116": ["ent-4116-1", "univ-4116-1"]}
GRADES = {"agency": "良好", "service_provider": "合格"}


def _user(username):
    return User.objects.filter(username=username, is_active=True).select_related("organization__region").first()


def _second_bureau(loader, city4: str):
    first = _user(f"bureau-{city4}")
    if first is None:
        return None, None
    second = loader.user(f"bureau-{city4}-2", name=f"{first.name}（复核）", roles=[Role.BUREAU_ADMIN],
                         organization=first.organization, region=first.region)
    return first, second


def _zhoukou_units(loader) -> None:
    for username, kinds in (("ent-4116-1", ["enterprise"]), ("univ-4116-1", ["university", "institute"])):
        if _user(username):
            continue
        org = Organization.objects.filter(region__code__startswith="4116", kind__in=kinds).order_by("pk").first()
        if org is not None:
            loader.user(username, name=f"{org.name}联系人", roles=[Role.ENTERPRISE if kinds[0] == "enterprise"
                                                                 else Role.INSTITUTION],
                        organization=org, region=org.region)


def _eligible_kind(policy, org) -> bool:
    kinds = UNIT_KIND_ORGANIZATION_KINDS[policy.unit_kind]
    if policy.rule_kind in (RuleKind.SHARE_OF_CONTRACT, RuleKind.ONE_TIME_ON_EVENT) or policy.unit_kind == "platform":
        return False
    return kinds is not None and org.kind in kinds


def _attach_local_transfer_proof(declaration, user) -> None:
    """The unit's “在本市实施转化证明” (a one-page PDF) uploaded through the same service as the page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techmarket.core.pdf import Paragraph, render_pdf

    org = declaration.organization
    data = render_pdf(title="在本市实施转化证明", subtitle=org.name, blocks=[Paragraph(
        f"{org.name}申报“{declaration.policy.name}”所依据的技术合同，技术成果已在"
        f"{declaration.round.city.name}实施转化、产业化（演示数据）。")])
    services.declaration_evidence_add(
        declaration=declaration, by=user, kind=EvidenceKind.LOCAL_TRANSFER,
        upload=SimpleUploadedFile("在本市实施转化证明.pdf", data, content_type="application/pdf"))


def _run_round(city4: str, name: str, *, bureau, checker, today: datetime.date, approve: bool) -> str:
    city = city_region(city4)
    round_ = SubsidyRound.objects.filter(name=name, city=city).first()
    if round_ is not None:
        return f"{name}：已存在（{round_.get_status_display()}）"
    policies = list(services.SubsidyPolicy.objects.filter(city=city, year=YEAR, is_current=True).order_by("code"))
    notice_start = today - datetime.timedelta(days=21)
    round_ = services.round_create(by=bureau, city=city, data={
        "name": name, "year": YEAR, "declaration_deadline": max(today, datetime.date(YEAR, 4, 30)),
        "policies": [p.pk for p in policies], "notice_working_days": 5})
    round_ = services.round_act(round_=round_, action="open", by=bureau)
    count = 0
    for username in UNITS[city4]:
        user = _user(username)
        if user is None or user.organization is None:
            continue
        org = user.organization
        for policy in policies:
            band = policy.rule_kind == RuleKind.BAND_BY_GRADE and policy.unit_kind != "platform" and org.kind in (
                UNIT_KIND_ORGANIZATION_KINDS[policy.unit_kind] or ())
            if not (_eligible_kind(policy, org) or band):
                continue
            try:
                d = services.declaration_create(round_=round_, by=user, data={
                    "policy": policy.pk, "statement": "按平台登记合同和付款记录申报。"})
            except ApplicationError:  # a condition the unit does not meet (e.g. location): no declaration
                continue
            if services.missing_evidence(d):
                _attach_local_transfer_proof(d, user)
            d = services.declaration_act(declaration=d, action="submit", by=user)
            d = services.declaration_act(declaration=d, action="pre_approve", by=bureau, comment="初审通过（市局代县区初审）")
            if band:
                services.declaration_assess(declaration=d, by=bureau, grade=GRADES.get(org.kind, "合格"))
            services.declaration_act(declaration=d, action="accept", by=bureau, comment="复审通过")
            count += 1
    services.round_act(round_=round_, action="close_declarations", by=bureau)
    round_.refresh_from_db()
    computation = services.round_compute(round_=round_, by=bureau, today=notice_start)
    round_.refresh_from_db()
    services.round_publish_notice(round_=round_, by=bureau, today=notice_start)
    round_.refresh_from_db()
    state = "公示"
    if approve and checker is not None:
        services.round_approve(round_=round_, by=checker, today=today, comment="公示期满无异议，批准")
        state = "批准"
    return (f"{name}：{count} 项申报，{computation.lines.count()} 项补助合计 {computation.total_fen / 100:.2f} 元，"
            f"{computation.exclusions.count()} 项排除，已{state}")


@transaction.atomic
def subsidies_demo_load(loader) -> str:
    """Load policies and the two demo rounds; returns a one-paragraph Chinese summary."""
    today = timezone.localdate()
    for city4 in ("4106", "4116"):
        subsidy_policies_load(city=city4, year=YEAR)
    agency = _user("agency-4106-1")
    if agency is not None and agency.organization is not None and not Qualification.objects.filter(
            organization=agency.organization, kind="transfer_demo").exists():
        Qualification.objects.create(organization=agency.organization, kind="transfer_demo", level="municipal",
                                     certificate_no="鹤科示范〔2024〕3号", recognised_on=datetime.date(2024, 6, 1))
    _zhoukou_units(loader)
    parts = []
    for city4, name, approve in (("4106", "2026年度鹤壁市技术转移后补助（第一批）", True),
                                 ("4116", "2026年度周口市科技成果转化奖补（第一批）", False)):
        bureau, checker = _second_bureau(loader, city4)
        if bureau is None:
            parts.append(f"{name}：缺少 bureau-{city4}，未建")
            continue
        parts.append(_run_round(city4, name, bureau=bureau, checker=checker, today=today, approve=approve))
    return "补助政策：" + "；".join(parts) + "。\n"
