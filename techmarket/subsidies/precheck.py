"""Eligibility pre-check (惠企政策): which current policies of its city a unit appears to qualify for,
from its own registered contracts, payments and qualifications, before anyone declares.

It runs ``engine.evaluate`` — the very function rounds use — over everything the platform holds for
the unit (every candidate contract and payment of the base year).
"""
from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Q
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import city_of

from . import engine
from .choices import Base, RecipientRole, RuleKind
from .models import SubsidyPolicy

ROLE_FIELD = {RecipientRole.BUYER: "buyer_organization", RecipientRole.SELLER: "seller_organization",
              RecipientRole.BROKER: "broker_agency"}


def _candidate_contracts(organization, policy, base_year):
    from techmarket.contracts.models import TechContract

    role = ROLE_FIELD.get(policy.recipient_role)
    if role is None:
        return []
    qs = TechContract.objects.filter(**{role: organization}).exclude(status__in=("draft", "cancelled"))
    if policy.base == Base.PAID_AMOUNT:
        qs = qs.filter(payments__paid_on__year=base_year)
    else:
        qs = qs.filter(Q(registered_on__year=base_year) | Q(registered_on__isnull=True, signed_on__year=base_year))
    return list(qs.distinct().select_related("seller_region", "buyer_region")
                .prefetch_related("payments__attachments").order_by("pk"))


def _missing_summary(exclusions) -> list[str]:
    counts = Counter((e.subject, e.code, e.message) for e in exclusions)
    out = []
    for (subject, code, message), n in counts.items():
        unit = {"payment": _("笔付款"), "contract": _("份合同")}.get(subject)
        text = str(message)
        if subject == "payment" and text.startswith("付款"):
            text = text[2:]
        elif subject == "contract" and text.startswith("合同"):
            text = text[2:]
        out.append(_("{n} {u}：{m}").format(n=n, u=unit, m=text) if unit and not text.startswith("缺少")
                   else _("{n} {u}{m}").format(n=n, u=unit, m=text) if unit else text)
    return out


def precheck_for(*, organization, today: datetime.date | None = None, year: int | None = None) -> dict:
    """``{"city", "year", "base_year", "policies": [...]}`` with, per current policy of the unit's city
    for ``year`` (default: this year; base year = the previous one): whether it appears to qualify,
    the estimated amount (fen), the counted items, the reasons and what is missing."""
    from techmarket.directory.models import Platform

    from .services import prior_one_time_keys, received_in_year

    today = today or datetime.date.today()
    year = year or today.year
    base_year = year - 1
    city = city_of(organization.region)
    policies = list(SubsidyPolicy.objects.filter(city=city, year=year, is_current=True).select_related("city")
                    .order_by("code")) if city else []
    prior = prior_one_time_keys(city=city) if city else set()
    rows = []
    for policy in policies:
        snap = engine.policy_snapshot(policy)
        platform = None
        if policy.rule_kind == RuleKind.BAND_BY_GRADE and policy.unit_kind == "platform":
            platform = Platform.objects.filter(organization=organization, kind__in=policy.platform_kinds).order_by(
                "-level", "pk").first()
        facts = engine.unit_facts(organization=organization, as_of=today,
                                  contracts=_candidate_contracts(organization, policy, base_year), platform=platform)
        received = received_in_year(city=city, year=year, code=policy.code, organization_id=organization.pk)
        result = engine.evaluate(snap, facts, base_year=base_year, received_before_fen=received,
                                 prior_one_time=prior)
        estimate_low = estimate_high = None
        pending = ""
        unit_blocked = any(e.subject == "unit" and e.code not in ("grade_missing", "amount_missing")
                           for e in result.exclusions)
        if policy.rule_kind == RuleKind.BAND_BY_GRADE and not unit_blocked:
            amounts = [r["amount_fen"] for r in policy.grade_amounts if r["amount_fen"]]
            estimate_low, estimate_high = min(amounts), max(amounts)
            pending = _("金额按绩效考核档次确定（{lo}–{hi} 元）").format(
                lo=engine.yuan(estimate_low), hi=engine.yuan(estimate_high))
        elif policy.rule_kind == RuleKind.ONE_TIME_ON_EVENT and not unit_blocked and not any(
                e.code in ("qualification_level", "not_newly_recognised", "already_awarded")
                for e in result.exclusions):
            estimate_low, estimate_high = policy.min_amount_fen, policy.max_amount_fen
            pending = _("金额由市科技局在 {lo}–{hi} 元区间内核定").format(
                lo=engine.yuan(estimate_low), hi=engine.yuan(estimate_high))
        elif policy.rule_kind == RuleKind.SHARE_OF_CONTRACT:
            pending = _("随“揭榜挂帅”项目按合同额分期支持，入选后申报")
        qualifies = result.eligible or bool(pending and estimate_low)
        relevant = [e for e in result.exclusions if e.code not in ("grade_missing", "amount_missing")]
        rows.append({
            "policy": {"id": policy.pk, "code": policy.code, "name": policy.name, "version": policy.version,
                       "payer": policy.get_payer_display(), "citation": policy.citation},
            "qualifies": qualifies,
            "estimated_fen": result.capped_fen if result.eligible else None,
            "estimated_low_fen": estimate_low, "estimated_high_fen": estimate_high,
            "base_fen": result.base_fen, "items": result.items, "steps": result.steps, "pending": pending,
            "received_before_fen": received,
            "reasons": [e.as_dict() for e in relevant],
            "missing": _missing_summary(relevant),
        })
    return {"city": city.code if city else None, "year": year, "base_year": base_year, "policies": rows}
