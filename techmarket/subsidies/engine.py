"""The one computation of subsidy amounts (P1/P2), used by rounds AND by the eligibility pre-check.

Two steps:

* ``unit_facts(...)`` reads what a computation needs about one unit from the database into plain,
  JSON-able dicts (the round freezes them as its inputs snapshot);
* ``evaluate(policy, facts, ...)`` is a pure function of the policy snapshot and those facts: it
  returns the base, the raw amount, the cap applied and one coded exclusion per contract, payment or
  unit that did not count. ``apply_budget`` scales the lines of a round to its budget.

All arithmetic is integer fen. A rate (Decimal percent, three decimals) is applied once to the summed
base and rounded DOWN to the fen: ``base_fen * rate_milli // 100000``.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_str

from .choices import (
    SHARE_OF_CONTRACT_MAX_RATE,
    STAGE_ACCEPTANCE,
    STAGE_SIGNING,
    Base,
    CounterpartyLocation,
    ExclusionCode,
    RecipientRole,
    RuleKind,
    UNIT_KIND_ORGANIZATION_KINDS,
    UnitKind,
    UnitLocation,
)

LEVEL_RANK = {"district": 1, "municipal": 2, "provincial": 3, "national": 4}
POLICY_FIELDS = (
    "id", "code", "version", "year", "name", "rule_kind", "recipient_role", "base", "payment_evidence_required",
    "counterparty_location", "unit_location", "transfer_in_city", "local_transfer_evidence_required", "unit_kind",
    "platform_kinds",
    "qualification_kind", "min_level", "requires_national_number", "payer", "min_amount_fen", "max_amount_fen",
    "cap_per_unit_year_fen", "grade_amounts", "instalments", "citation",
)


# --- snapshots ---------------------------------------------------------------------------------------

def policy_snapshot(policy) -> dict:
    data = {name: getattr(policy, name) for name in POLICY_FIELDS}
    data["rate_percent"] = str(policy.rate_percent) if policy.rate_percent is not None else None
    data["city_code"] = policy.city.code
    data["city_path"] = policy.city.path
    data["province_path"] = policy.city.path.split("/")[0] + "/"
    return data


def _d(day) -> str | None:
    return day.isoformat() if day else None


def _path(region) -> str | None:
    return region.path if region is not None else None


def contract_stages_reached(contract) -> list[str]:
    """The instalment stages a contract has reached: 签约 once registered (认定登记), 验收 once its
    揭榜挂帅 project passed acceptance."""
    from techmarket.challenges.choices import ChallengeStatus
    from techmarket.contracts.choices import ContractStatus

    stages = []
    if contract.status == ContractStatus.REGISTERED:
        stages.append(STAGE_SIGNING)
    try:
        challenge = contract.challenge
    except ObjectDoesNotExist:
        challenge = None
    if challenge is not None and challenge.status == ChallengeStatus.ACCEPTED:
        stages.append(STAGE_ACCEPTANCE)
    return stages


def contract_facts(contract, *, payments=None) -> dict:
    pays = payments if payments is not None else list(contract.payments.all())
    return {
        "id": contract.pk, "name": contract.name, "status": contract.status,
        "source": contract.source, "stages_reached": contract_stages_reached(contract),
        "registration_number": contract.registration_number or "",
        "has_national_number": contract.has_national_number,
        "registered_on": _d(contract.registered_on),
        "seller_id": contract.seller_organization_id, "buyer_id": contract.buyer_organization_id,
        "broker_id": contract.broker_agency_id,
        "seller_name": contract.seller_name, "buyer_name": contract.buyer_name,
        "seller_path": _path(contract.seller_region), "buyer_path": _path(contract.buyer_region),
        "total_amount_fen": contract.total_amount_fen, "tech_amount_fen": contract.tech_amount_fen,
        "payments": [{"id": p.pk, "paid_on": _d(p.paid_on), "amount_fen": p.amount_fen,
                      "evidence": sorted({a.kind for a in p.attachments.all()})} for p in pays],
    }


def unit_facts(*, organization, as_of: datetime.date, contracts=(), payment_ids=None, platform=None,
               qualification=None, contract=None, instalment: str = "", grade: str = "",
               assessed_amount_fen: int | None = None) -> dict:
    """What the engine needs about one unit. ``payment_ids`` (a set) limits the payments counted to
    those declared; None counts every payment of the listed contracts."""
    from techmarket.integrity.selectors import integrity_active_records

    contract_rows = []
    for c in contracts:
        pays = [p for p in c.payments.all() if payment_ids is None or p.pk in payment_ids]
        contract_rows.append(contract_facts(c, payments=pays))
    return {
        "organization": {"id": organization.pk, "name": organization.name, "kind": organization.kind,
                         "region_code": organization.region.code, "region_path": organization.region.path},
        "qualifications": [{"id": q.pk, "kind": q.kind, "level": q.level, "recognised_on": _d(q.recognised_on),
                            "valid_until": _d(q.valid_until)} for q in organization.qualifications.all()],
        "platform": None if platform is None else {
            "id": platform.pk, "name": platform.name, "kind": platform.kind, "level": platform.level,
            "operator_id": platform.organization_id, "recognised_on": _d(platform.recognised_on),
            "valid_until": _d(platform.valid_until)},
        "integrity": [{"id": r.pk, "type": r.get_record_type_display(), "source_document": r.source_document}
                      for r in integrity_active_records(organization=organization, on=as_of)],
        "contracts": contract_rows,
        "qualification_id": getattr(qualification, "pk", None),
        "contract": contract_facts(contract) if contract is not None else None,
        "instalment": instalment or "",
        "grade": grade or "",
        "assessed_amount_fen": assessed_amount_fen,
    }


# --- results -----------------------------------------------------------------------------------------

@dataclass
class Exclusion:
    subject: str  # unit / contract / payment
    subject_id: int | None
    subject_label: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"subject": self.subject, "subject_id": self.subject_id, "subject_label": self.subject_label,
                "code": self.code, "message": self.message}


@dataclass
class UnitResult:
    eligible: bool = False
    base_fen: int = 0
    raw_fen: int = 0
    cap_fen: int | None = None
    received_before_fen: int = 0
    capped_fen: int = 0
    scalable: bool = True
    items: list = field(default_factory=list)  # counted contracts/payments
    exclusions: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # Chinese sentences of the explanation
    one_time_key: str = ""

    def explanation(self) -> dict:
        return {"items": self.items, "steps": self.steps, "one_time_key": self.one_time_key}


# --- helpers -----------------------------------------------------------------------------------------

def rate_milli(rate) -> int:
    """'10' / Decimal('2.5') → thousandths of a percent (10000 / 2500), exactly."""
    value = Decimal(str(rate)) * 1000
    if value != value.to_integral_value():
        raise ApplicationError(_("比例最多保留三位小数"), field="rate_percent", code="invalid_rate")
    return int(value)


def apply_rate(base_fen: int, rate) -> int:
    """``rate`` percent of ``base_fen``, rounded down to the fen."""
    return base_fen * rate_milli(rate) // 100_000


def level_at_least(level: str, minimum: str) -> bool:
    if not minimum:
        return True
    return LEVEL_RANK.get(level or "", 0) >= LEVEL_RANK[minimum]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def valid_in_year(recognised_on: str, valid_until: str | None, year: int) -> bool:
    start, end = _date(recognised_on), _date(valid_until)
    return start <= datetime.date(year, 12, 31) and (end is None or end >= datetime.date(year, 1, 1))


def _in(path: str | None, prefix: str) -> bool:
    return bool(path) and path.startswith(prefix)


def yuan(fen: int) -> str:
    return yuan_str(fen)


# --- unit conditions ---------------------------------------------------------------------------------

def _unit_exclusion(policy: dict, facts: dict, base_year: int) -> Exclusion | None:
    org = facts["organization"]
    label = org["name"]

    def ex(code, message):
        return Exclusion("unit", org["id"], label, code, message)

    if facts["integrity"]:
        rec = facts["integrity"][0]
        return ex(ExclusionCode.INTEGRITY_RECORD, _("存在科研失信记录：{t}（{s}）").format(
            t=rec["type"], s=rec["source_document"]))
    kinds = UNIT_KIND_ORGANIZATION_KINDS[policy["unit_kind"]]
    if kinds is not None and org["kind"] not in kinds:
        return ex(ExclusionCode.UNIT_KIND, _("单位类型不符：本项政策适用于{k}").format(
            k=UnitKind(policy["unit_kind"]).label))
    if policy["unit_location"] == UnitLocation.IN_CITY and not _in(org["region_path"], policy["city_path"]):
        return ex(ExclusionCode.UNIT_NOT_IN_CITY, _("单位所在地不在本市"))
    if policy["unit_location"] == UnitLocation.IN_PROVINCE and not _in(org["region_path"], policy["province_path"]):
        return ex(ExclusionCode.UNIT_NOT_IN_PROVINCE, _("单位所在地不在本省"))
    if policy["unit_kind"] == UnitKind.PLATFORM:
        platform = facts["platform"]
        if platform is None or platform["operator_id"] != org["id"]:
            return ex(ExclusionCode.QUALIFICATION, _("未指明本单位运营的创新创业载体"))
        if platform["kind"] not in policy["platform_kinds"]:
            return ex(ExclusionCode.QUALIFICATION, _("载体“{n}”的类型不在本项政策范围内").format(n=platform["name"]))
        if not level_at_least(platform["level"], policy["min_level"]):
            return ex(ExclusionCode.QUALIFICATION, _("载体“{n}”级别不足：须为{l}及以上").format(
                n=platform["name"], l=_level_label(policy["min_level"])))
        if not valid_in_year(platform["recognised_on"], platform["valid_until"], base_year):
            return ex(ExclusionCode.QUALIFICATION, _("载体“{n}”在{y}年不在认定有效期内").format(
                n=platform["name"], y=base_year))
    elif policy["qualification_kind"] and policy["rule_kind"] != RuleKind.ONE_TIME_ON_EVENT:
        ok = [q for q in facts["qualifications"] if q["kind"] == policy["qualification_kind"]
              and level_at_least(q["level"], policy["min_level"])
              and valid_in_year(q["recognised_on"], q["valid_until"], base_year)]
        if not ok:
            return ex(ExclusionCode.QUALIFICATION, _("缺少{y}年有效的{l}及以上{k}资质").format(
                y=base_year, l=_level_label(policy["min_level"]), k=_qual_label(policy["qualification_kind"])))
    return None


def _level_label(level: str) -> str:
    from techmarket.directory.choices import Level

    return str(Level(level).label) if level else ""


def _qual_label(kind: str) -> str:
    from techmarket.directory.choices import QualificationKind

    return str(QualificationKind(kind).label) if kind else ""


# --- contract conditions -----------------------------------------------------------------------------

def _contract_exclusion(policy: dict, org_id: int, c: dict) -> Exclusion | None:
    def ex(code, message):
        return Exclusion("contract", c["id"], c["name"], code, message)

    role = policy["recipient_role"]
    party = {RecipientRole.BUYER: c["buyer_id"], RecipientRole.SELLER: c["seller_id"],
             RecipientRole.BROKER: c["broker_id"]}.get(role)
    if party != org_id:
        return ex(ExclusionCode.NOT_PARTY, _("本单位不是该合同的{r}").format(r=RecipientRole(role).label))
    if c["status"] != "registered":
        return ex(ExclusionCode.NOT_REGISTERED, _("合同未认定登记"))
    if policy["requires_national_number"] and not c["has_national_number"]:
        return ex(ExclusionCode.NO_NATIONAL_NUMBER, _("合同无全国技术合同登记系统登记编号"))
    where = policy["counterparty_location"]
    if where != CounterpartyLocation.ANY and role in (RecipientRole.BUYER, RecipientRole.SELLER):
        other = c["seller_path"] if role == RecipientRole.BUYER else c["buyer_path"]
        if not other:
            return ex(ExclusionCode.COUNTERPARTY_UNKNOWN, _("交易对方所在地不明"))
        if where == CounterpartyLocation.OUTSIDE_PROVINCE and _in(other, policy["province_path"]):
            return ex(ExclusionCode.COUNTERPARTY_NOT_OUTSIDE_PROVINCE, _("交易对方位于本省，不属于购买省外技术"))
        if where == CounterpartyLocation.OUTSIDE_CITY and _in(other, policy["city_path"]):
            return ex(ExclusionCode.COUNTERPARTY_NOT_OUTSIDE_CITY, _("交易对方位于本市，不属于购买市外技术"))
    if policy["transfer_in_city"] and not _in(c["buyer_path"], policy["city_path"]):
        return ex(ExclusionCode.TRANSFER_NOT_IN_CITY, _("买方不在本市，技术未在本市转化"))
    return None


MISSING_EVIDENCE = {"voucher": "转账凭证", "invoice": "发票"}


def _rate_of_base(policy: dict, facts: dict, base_year: int, result: UnitResult) -> None:
    org_id = facts["organization"]["id"]
    base_kind = policy["base"]
    for c in facts["contracts"]:
        problem = _contract_exclusion(policy, org_id, c)
        if problem is not None:
            result.exclusions.append(problem)
            continue
        if base_kind == Base.PAID_AMOUNT:
            counted = 0
            for p in c["payments"]:
                label = _("{c} {d} 付款 {a} 元").format(c=c["name"], d=p["paid_on"], a=yuan(p["amount_fen"]))
                if _date(p["paid_on"]).year != base_year:
                    result.exclusions.append(Exclusion("payment", p["id"], label, ExclusionCode.NOT_IN_BASE_YEAR,
                                                       _("付款日期不在{y}年").format(y=base_year)))
                    continue
                if policy["payment_evidence_required"]:
                    missing = [MISSING_EVIDENCE[k] for k in ("voucher", "invoice") if k not in p["evidence"]]
                    if missing:
                        result.exclusions.append(Exclusion(
                            "payment", p["id"], label, ExclusionCode.PAYMENT_NOT_EVIDENCED,
                            _("付款缺少{m}").format(m="和".join(missing))))
                        continue
                counted += p["amount_fen"]
                result.items.append({"kind": "payment", "id": p["id"], "contract_id": c["id"],
                                     "contract": c["name"], "registration_number": c["registration_number"],
                                     "date": p["paid_on"], "amount_fen": p["amount_fen"]})
            if counted == 0 and not c["payments"]:
                result.exclusions.append(Exclusion("contract", c["id"], c["name"], ExclusionCode.NOT_IN_BASE_YEAR,
                                                   _("{y}年没有付款记录").format(y=base_year)))
            result.base_fen += counted
        else:
            registered = _date(c["registered_on"])
            if registered is None or registered.year != base_year:
                result.exclusions.append(Exclusion("contract", c["id"], c["name"], ExclusionCode.NOT_IN_BASE_YEAR,
                                                   _("登记日期不在{y}年").format(y=base_year)))
                continue
            amount = c["total_amount_fen"] if base_kind == Base.TOTAL_AMOUNT else c["tech_amount_fen"]
            result.base_fen += amount
            result.items.append({"kind": "contract", "id": c["id"], "contract": c["name"],
                                 "registration_number": c["registration_number"], "date": c["registered_on"],
                                 "amount_fen": amount})
    if result.base_fen == 0:
        result.exclusions.append(Exclusion("unit", org_id, facts["organization"]["name"], ExclusionCode.NO_BASE,
                                           _("{y}年没有可计入的{b}").format(y=base_year, b=Base(base_kind).label)))
        return
    result.raw_fen = apply_rate(result.base_fen, policy["rate_percent"])
    result.steps.append(_("基数 {b} 元 × {r}% = {a} 元（向下取整到分）").format(
        b=yuan(result.base_fen), r=policy["rate_percent"], a=yuan(result.raw_fen)))
    result.eligible = True


def _band_by_grade(policy: dict, facts: dict, result: UnitResult) -> None:
    amounts = {row["grade"]: int(row["amount_fen"]) for row in policy["grade_amounts"]}
    grade = facts["grade"]
    org = facts["organization"]
    if not grade or not amounts.get(grade):
        result.exclusions.append(Exclusion("unit", org["id"], org["name"], ExclusionCode.GRADE_MISSING,
                                           _("绩效档次“{g}”无奖励").format(g=grade) if grade
                                           else _("尚未录入绩效考核档次")))
        return
    result.raw_fen = amounts[grade]
    result.scalable = False
    result.steps.append(_("绩效档次“{g}”对应奖励 {a} 元").format(g=grade, a=yuan(result.raw_fen)))
    result.eligible = True


def _one_time(policy: dict, facts: dict, base_year: int, prior_one_time: set, result: UnitResult) -> None:
    org = facts["organization"]

    def ex(code, message):
        result.exclusions.append(Exclusion("unit", org["id"], org["name"], code, message))

    candidates = [q for q in facts["qualifications"] if q["kind"] == policy["qualification_kind"]]
    if facts["qualification_id"]:
        candidates = [q for q in candidates if q["id"] == facts["qualification_id"]]
    leveled = [q for q in candidates if level_at_least(q["level"], policy["min_level"])]
    if not leveled:
        ex(ExclusionCode.QUALIFICATION, _("没有{l}及以上{k}认定（市级认定不在支持范围）").format(
            l=_level_label(policy["min_level"]), k=_qual_label(policy["qualification_kind"])))
        return
    new = [q for q in leveled if _date(q["recognised_on"]).year == base_year]
    if not new:
        ex(ExclusionCode.NOT_NEWLY_RECOGNISED, _("{k}认定日期不在{y}年，不属于新认定").format(
            k=_qual_label(policy["qualification_kind"]), y=base_year))
        return
    # Once per unit per qualification: the highest-level new recognition not yet awarded (then the
    # earliest recorded); a unit recognised twice in the base year may be awarded twice.
    keys = {q["id"]: f"{policy['code']}:qualification:{q['id']}" for q in new}
    open_ = [q for q in sorted(new, key=lambda row: (-LEVEL_RANK.get(row["level"], 0), row["id"]))
             if keys[q["id"]] not in prior_one_time]
    if not open_:
        ex(ExclusionCode.ALREADY_AWARDED, _("该项认定已获得过一次性奖励") if len(new) == 1
           else _("基数年度的 {n} 项新认定均已获得过一次性奖励").format(n=len(new)))
        return
    q = open_[0]
    key = keys[q["id"]]
    amount = facts["assessed_amount_fen"]
    low, high = policy["min_amount_fen"] or 0, policy["max_amount_fen"]
    if amount is None or amount < low or (high is not None and amount > high):
        ex(ExclusionCode.AMOUNT_MISSING, _("尚未在 {lo}–{hi} 元区间内核定奖励金额").format(
            lo=yuan(low), hi=yuan(high) if high is not None else "—"))
        return
    result.raw_fen = amount
    result.scalable = False
    result.one_time_key = key
    result.items.append({"kind": "qualification", "id": q["id"], "level": q["level"], "date": q["recognised_on"],
                         "amount_fen": amount})
    result.steps.append(_("{d} 新认定（{l}），核定一次性奖励 {a} 元").format(
        d=q["recognised_on"], l=_level_label(q["level"]), a=yuan(amount)))
    result.eligible = True


STAGE_CONDITIONS = {STAGE_SIGNING: _("合同认定登记后"), STAGE_ACCEPTANCE: _("揭榜项目验收通过后")}


def share_rate(policy: dict) -> Decimal:
    """The policy's rate, never above 30 % of the contract (seed 003 (六) 不超过合同额的30%)."""
    return min(Decimal(str(policy["rate_percent"])), Decimal(SHARE_OF_CONTRACT_MAX_RATE))


def share_ceiling(policy: dict, total_amount_fen: int) -> int:
    """The whole support of one contract: the rate (≤ 30 %) of the contract amount, rounded down to the
    fen, and at most the policy's 最高金额; the instalments are shares of it."""
    ceiling = apply_rate(total_amount_fen, share_rate(policy))
    if policy["max_amount_fen"] is not None:
        ceiling = min(ceiling, policy["max_amount_fen"])
    return ceiling


def instalment_key(code: str, contract_id: int, instalment: str = "") -> str:
    """The one-time key of a ``share_of_contract`` instalment: each is paid once; without ``instalment``, the
    prefix that every instalment of the contract shares."""
    return f"{code}:contract:{contract_id}:{instalment}"


def _share_of_contract(policy: dict, facts: dict, prior_one_time: set, result: UnitResult) -> None:
    org = facts["organization"]
    c = facts["contract"]
    if c is None:
        result.exclusions.append(Exclusion("unit", org["id"], org["name"], ExclusionCode.NO_BASE,
                                           _("未指明揭榜项目合同")))
        return
    if c.get("source") != "challenge":
        result.exclusions.append(Exclusion("contract", c["id"], c["name"], ExclusionCode.NOT_CHALLENGE,
                                           _("该合同不是“揭榜挂帅”项目的技术合同")))
        return
    problem = _contract_exclusion(policy, org["id"], c)
    if problem is not None:
        result.exclusions.append(problem)
        return
    stages = {row["code"]: row for row in policy["instalments"]}
    stage = stages.get(facts["instalment"])
    key = instalment_key(policy["code"], c["id"], facts["instalment"])
    if stage is None or key in prior_one_time:
        result.exclusions.append(Exclusion(
            "contract", c["id"], c["name"], ExclusionCode.INSTALMENT,
            _("分期节点“{s}”已获支持").format(s=stage["label"]) if stage
            else _("分期节点“{s}”不是本政策的节点").format(s=facts["instalment"])))
        return
    if stage["code"] not in c.get("stages_reached", ()):
        condition = STAGE_CONDITIONS.get(stage["code"])
        result.exclusions.append(Exclusion(
            "contract", c["id"], c["name"], ExclusionCode.STAGE_NOT_REACHED,
            _("分期节点“{s}”尚未达到（{c}支付）").format(s=stage["label"], c=condition) if condition
            else _("分期节点“{s}”尚未达到：本平台不记录该节点").format(s=stage["label"])))
        return
    result.base_fen = c["total_amount_fen"]
    rate = share_rate(policy)
    ceiling = share_ceiling(policy, c["total_amount_fen"])
    result.raw_fen = ceiling * int(stage["percent"]) // 100
    result.one_time_key = key
    result.items.append({"kind": "contract", "id": c["id"], "contract": c["name"],
                         "registration_number": c["registration_number"], "date": c["registered_on"],
                         "amount_fen": c["total_amount_fen"]})
    shown_rate = policy["rate_percent"]
    if rate != Decimal(str(policy["rate_percent"])):
        shown_rate = SHARE_OF_CONTRACT_MAX_RATE
        result.steps.append(_("政策比例 {r}% 超过合同额的 {m}%，按 {m}% 计").format(
            r=policy["rate_percent"], m=SHARE_OF_CONTRACT_MAX_RATE))
    by_rate = apply_rate(c["total_amount_fen"], rate)
    if ceiling < by_rate:
        result.steps.append(_("合同额 {b} 元 × {r}% = {x} 元，超过最高 {m} 元，按 {m} 元计").format(
            b=yuan(c["total_amount_fen"]), r=shown_rate, x=yuan(by_rate), m=yuan(ceiling)))
        result.steps.append(_("“{s}”节点支付 {p}% = {a} 元").format(
            s=stage["label"], p=stage["percent"], a=yuan(result.raw_fen)))
    else:
        result.steps.append(_("合同额 {b} 元 × {r}% = {m} 元；“{s}”节点支付 {p}% = {a} 元").format(
            b=yuan(c["total_amount_fen"]), r=shown_rate, m=yuan(ceiling), s=stage["label"],
            p=stage["percent"], a=yuan(result.raw_fen)))
    result.eligible = True


# --- the computation ---------------------------------------------------------------------------------

def evaluate(policy: dict, facts: dict, *, base_year: int, received_before_fen: int = 0,
             prior_one_time: set | frozenset = frozenset()) -> UnitResult:
    """Compute one unit under one policy snapshot. ``received_before_fen``: what the unit already got
    under the same rule (same code) in other rounds of the same year; ``prior_one_time``: keys of
    one-time awards and contract instalments already granted."""
    result = UnitResult()
    unit_problem = _unit_exclusion(policy, facts, base_year)
    if unit_problem is not None:
        result.exclusions.append(unit_problem)
        return result
    kind = policy["rule_kind"]
    if kind == RuleKind.RATE_OF_BASE:
        _rate_of_base(policy, facts, base_year, result)
    elif kind == RuleKind.BAND_BY_GRADE:
        _band_by_grade(policy, facts, result)
    elif kind == RuleKind.ONE_TIME_ON_EVENT:
        _one_time(policy, facts, base_year, prior_one_time, result)
    else:
        _share_of_contract(policy, facts, prior_one_time, result)
    if not result.eligible:
        return result
    amount = result.raw_fen
    if policy["max_amount_fen"] is not None and amount > policy["max_amount_fen"]:
        amount = policy["max_amount_fen"]
        result.steps.append(_("单项最高 {m} 元").format(m=yuan(amount)))
    cap = policy["cap_per_unit_year_fen"]
    result.cap_fen = cap
    result.received_before_fen = received_before_fen
    if cap is not None:
        remaining = max(cap - received_before_fen, 0)
        if received_before_fen:
            result.steps.append(_("年度上限 {c} 元，本年度已获 {r} 元，尚可获 {left} 元").format(
                c=yuan(cap), r=yuan(received_before_fen), left=yuan(remaining)))
        elif amount > cap:
            result.steps.append(_("年度上限 {c} 元").format(c=yuan(cap)))
        if remaining == 0:
            org = facts["organization"]
            result.exclusions.append(Exclusion("unit", org["id"], org["name"], ExclusionCode.CAP_REACHED,
                                               _("本年度已获补助 {r} 元，已达上限 {c} 元").format(
                                                   r=yuan(received_before_fen), c=yuan(cap))))
            result.eligible = False
            result.capped_fen = 0
            return result
        amount = min(amount, remaining)
    result.capped_fen = amount
    return result


@dataclass
class BudgetOutcome:
    amounts: list  # final fen per line, same order
    fixed_total_fen: int
    capped_total_fen: int
    total_fen: int
    remainder_fen: int | None
    scaling: str


def apply_budget(capped: list[int], scalable: list[bool], budget_fen: int | None) -> BudgetOutcome:
    """Scale the "up to" lines pro rata to what the budget leaves after the fixed (band / one-time)
    lines, each rounded DOWN to the fen; the remainder is budget − total."""
    fixed = sum(a for a, s in zip(capped, scalable) if not s)
    flexible = sum(a for a, s in zip(capped, scalable) if s)
    total_capped = fixed + flexible
    if budget_fen is None:
        return BudgetOutcome(list(capped), fixed, total_capped, total_capped, None, _("未设预算，不缩放"))
    if fixed > budget_fen:
        raise ApplicationError(
            _("预算 {b} 元不足以支付按档次或一次性核定的奖励 {f} 元，请调整预算或档次").format(
                b=yuan(budget_fen), f=yuan(fixed)), field="budget", code="budget_too_small")
    available = budget_fen - fixed
    if flexible <= available:
        amounts = list(capped)
        scaling = _("合计未超预算，不缩放")
    else:
        amounts = [a * available // flexible if s else a for a, s in zip(capped, scalable)]
        scaling = _("按比例缩放：可用预算 {v} 元 ÷ 按比例补助合计 {f} 元，逐项向下取整到分").format(
            v=yuan(available), f=yuan(flexible))
    total = sum(amounts)
    return BudgetOutcome(amounts, fixed, total_capped, total, budget_fen - total, scaling)
