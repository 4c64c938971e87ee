"""Support of a 揭榜挂帅 project (SPEC §2 J3, seed 003 (六)): a ``share_of_contract`` policy of the subsidy
engine — at most 30 % of the contract amount, within the policy's caps, paid in instalments (签约, 验收 …).

Nothing is computed here: the city's policy is read from the subsidies app and every instalment goes
through ``subsidies.engine.evaluate``, the function subsidy rounds use, so the project page and a round can
never disagree. The policy is the current ``share_of_contract`` rule for 揭榜方 of the challenge's city, of the
year the contract was registered (this year before registration).
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import city_of
from techmarket.subsidies import engine
from techmarket.subsidies.choices import RuleKind, UnitKind
from techmarket.subsidies.models import SubsidyPolicy
from techmarket.subsidies.services import received_in_year

from .models import Challenge

__all__ = ["challenge_policy", "challenge_support"]


def challenge_policy(challenge: Challenge, *, year: int) -> SubsidyPolicy | None:
    """The city's current 揭榜挂帅 support rule for ``year`` (latest version), or None."""
    city = city_of(challenge.region)
    if city is None:
        return None
    return (SubsidyPolicy.objects.select_related("city")
            .filter(city=city, year=year, rule_kind=RuleKind.SHARE_OF_CONTRACT, unit_kind=UnitKind.CHALLENGE_SOLVER,
                    is_current=True)
            .order_by("-version", "code").first())


def _instalment_rows(policy: SubsidyPolicy, *, reason: str) -> list[dict]:
    return [{"code": row["code"], "label": row["label"], "percent": row["percent"], "amount_fen": 0,
             "planned_fen": 0, "reached": False, "exclusions": [reason]} for row in policy.instalments]


def challenge_support(*, challenge: Challenge, as_of: datetime.date | None = None) -> dict:
    """The support of the challenge's project under its city's policy::

        {"policy", "year", "contract_amount_fen", "ceiling_fen", "instalments": [{"code", "label", "percent",
         "amount_fen", "planned_fen", "reached", "exclusions"}], "total_fen", "planned_total_fen", "steps",
         "payer_display", "message"}

    ``ceiling_fen`` is the whole support the contract can get: its amount × the policy's rate (never above
    30 %), at most the policy's 最高金额 and its yearly cap per unit. ``amount_fen`` is what the engine grants an
    instalment now (0 with the exclusions when its stage is not reached or the contract does not qualify);
    ``planned_fen`` its share of the ceiling; ``total_fen`` the sum granted now.
    """
    as_of = as_of or timezone.localdate()
    contract = challenge.contract
    year = contract.registered_on.year if contract is not None and contract.registered_on else as_of.year
    out = {"policy": None, "year": year, "contract_amount_fen": contract.total_amount_fen if contract else None,
           "ceiling_fen": None, "instalments": [], "total_fen": 0, "planned_total_fen": 0, "steps": [],
           "payer_display": "", "message": ""}
    policy = challenge_policy(challenge, year=year)
    if policy is None:
        city = city_of(challenge.region)
        out["message"] = _("{c}{y}年没有“揭榜挂帅”按合同额比例支持的补助政策").format(
            c=city.name if city else challenge.region.name, y=year)
        out["steps"] = [out["message"]]
        return out
    snap = engine.policy_snapshot(policy)
    out.update(policy=policy, payer_display=policy.get_payer_display())
    out["steps"].append(_("依据：{n}（{y}年第{v}版），{p}").format(n=policy.name, y=policy.year, v=policy.version,
                                                               p=policy.get_payer_display()))
    if contract is None or challenge.winner_id is None:
        out["message"] = _("尚未开榜，没有揭榜项目合同")
        out["instalments"] = _instalment_rows(policy, reason=out["message"])
        out["steps"].append(out["message"])
        return out
    ceiling = engine.share_ceiling(snap, contract.total_amount_fen)
    cap = snap["cap_per_unit_year_fen"]
    if cap is not None:
        ceiling = min(ceiling, cap)
    out["ceiling_fen"] = ceiling
    rate = format(engine.share_rate(snap).normalize(), "f")
    out["steps"].append(_("合同额 {a} 元，支持上限 {c} 元（不超过合同额的{r}%{m}）").format(
        a=engine.yuan(contract.total_amount_fen), c=engine.yuan(ceiling), r=rate,
        m=_("，且不超过政策最高金额") if snap["max_amount_fen"] is not None or cap is not None else ""))
    organization = challenge.winner.organization
    facts = engine.unit_facts(organization=organization, as_of=as_of, contract=contract)
    reached = set(facts["contract"]["stages_reached"])
    # the yearly cap per unit also counts what the unit got in the year's rounds for its other contracts
    others = received_in_year(city=policy.city, year=year, code=policy.code, organization_id=organization.pk,
                              exclude_contract_id=contract.pk)
    if others:
        out["steps"].append(_("本单位本年度其他合同已获该政策支持 {r} 元，计入年度上限").format(r=engine.yuan(others)))
    granted = 0
    for row in policy.instalments:
        result = engine.evaluate(snap, {**facts, "instalment": row["code"]}, base_year=year,
                                 received_before_fen=others + granted)
        amount = result.capped_fen if result.eligible else 0
        granted += amount
        planned = ceiling * int(row["percent"]) // 100
        out["instalments"].append({
            "code": row["code"], "label": row["label"], "percent": row["percent"], "amount_fen": amount,
            "planned_fen": planned, "reached": row["code"] in reached,
            "exclusions": [str(e.message) for e in result.exclusions]})
        out["planned_total_fen"] += planned
        if result.eligible:  # each step names its instalment (the engine's payment step already does)
            named = f"“{row['label']}”"
            out["steps"].extend(str(step) if named in str(step) else _("“{s}”节点：{m}").format(s=row["label"], m=step)
                                for step in result.steps)
        else:
            out["steps"].extend(_("“{s}”节点：{m}").format(s=row["label"], m=e.message) for e in result.exclusions)
    out["total_fen"] = granted
    out["steps"].append(_("已达到节点可获支持合计 {t} 元").format(t=engine.yuan(granted)))
    return out
