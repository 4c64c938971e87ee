"""Every write of subsidy policies, rounds, declarations and computations (STYLE §5)."""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_to_fen
from techmarket.core.uploads import clean_filename, upload_problem
from techmarket.core.workflows import policy_allows, transition

from . import engine, permissions
from .choices import (
    EVIDENCE_EXTENSIONS,
    MAX_EVIDENCE_PER_DECLARATION,
    SHARE_OF_CONTRACT_MAX_RATE,
    Base,
    CounterpartyLocation,
    DeclarationStatus,
    EvidenceKind,
    Payer,
    RecipientRole,
    RoundStatus,
    RuleKind,
    UnitKind,
    UnitLocation,
)
from .models import (
    DeclarationEvidence,
    SubsidyComputation,
    SubsidyDeclaration,
    SubsidyExclusion,
    SubsidyLine,
    SubsidyPolicy,
    SubsidyRound,
)

NOTIFICATION_TOPIC = "subsidies"

ACTIVE_ROUND_STATES = (RoundStatus.COMPUTED, RoundStatus.NOTICE, RoundStatus.APPROVED, RoundStatus.CLOSED)


def _today() -> datetime.date:
    return timezone.localdate()


# --- policies ----------------------------------------------------------------------------------------

POLICY_EDITABLE = (
    "name", "rule_kind", "recipient_role", "base", "payment_evidence_required", "counterparty_location",
    "unit_location", "transfer_in_city", "local_transfer_evidence_required", "unit_kind", "platform_kinds",
    "qualification_kind", "min_level",
    "requires_national_number", "payer", "rate_percent", "min_amount_fen", "max_amount_fen",
    "cap_per_unit_year_fen", "grade_amounts", "instalments", "citation", "note",
)
MONEY_INPUTS = {"min_amount": "min_amount_fen", "max_amount": "max_amount_fen",
                "cap_per_unit_year": "cap_per_unit_year_fen"}


def _choice(value, choices, field, label):
    if value not in choices.values:
        raise ApplicationError(_("{l}“{v}”不是允许的取值").format(l=label, v=value), field=field, code="invalid_choice")
    return value


def clean_policy_data(data: dict, *, current: SubsidyPolicy | None = None) -> dict:
    """Validate policy input (yuan strings for money, or *_fen integers from the seed); Chinese errors."""
    from techmarket.directory.choices import Level, PlatformKind, QualificationKind

    values = {name: getattr(current, name) for name in POLICY_EDITABLE} if current else {}
    for key, fen_key in MONEY_INPUTS.items():
        if key in data:
            raw = data[key]
            values[fen_key] = None if raw in (None, "") else yuan_to_fen(raw, field=key)
    for name in POLICY_EDITABLE:
        if name in data:
            values[name] = data[name]
    defaults = {"base": "", "payment_evidence_required": False, "counterparty_location": CounterpartyLocation.ANY,
                "unit_location": UnitLocation.IN_CITY, "transfer_in_city": False,
                "local_transfer_evidence_required": False, "platform_kinds": [],
                "qualification_kind": "", "min_level": "", "requires_national_number": True, "rate_percent": None,
                "min_amount_fen": None, "max_amount_fen": None, "cap_per_unit_year_fen": None, "grade_amounts": [],
                "instalments": [], "note": ""}
    for k, v in defaults.items():
        values.setdefault(k, v)
    for name, label in (("name", _("规则名称")), ("citation", _("政策依据"))):
        if not str(values.get(name) or "").strip():
            raise ApplicationError(_("请填写{l}").format(l=label), field=name, code="required")
    for name in ("rule_kind", "recipient_role", "unit_kind", "payer"):
        if not values.get(name):
            raise ApplicationError(_("请选择{l}").format(l=SubsidyPolicy._meta.get_field(name).verbose_name),
                                   field=name, code="required")
    _choice(values["rule_kind"], RuleKind, "rule_kind", _("规则类型"))
    _choice(values["recipient_role"], RecipientRole, "recipient_role", _("受助方"))
    _choice(values["unit_kind"], UnitKind, "unit_kind", _("单位类型"))
    _choice(values["payer"], Payer, "payer", _("资金来源"))
    _choice(values["counterparty_location"], CounterpartyLocation, "counterparty_location", _("交易对方所在地"))
    _choice(values["unit_location"], UnitLocation, "unit_location", _("单位所在地"))
    if values["qualification_kind"]:
        _choice(values["qualification_kind"], QualificationKind, "qualification_kind", _("资质条件"))
    if values["min_level"]:
        _choice(values["min_level"], Level, "min_level", _("最低级别"))
    for kind in values["platform_kinds"] or []:
        _choice(kind, PlatformKind, "platform_kinds", _("载体类型"))
    if values["rate_percent"] not in (None, ""):
        try:
            rate = Decimal(str(values["rate_percent"]))
        except InvalidOperation:
            raise ApplicationError(_("比例应为数字"), field="rate_percent", code="invalid_rate")
        if not (0 < rate <= 100):
            raise ApplicationError(_("比例应大于 0 且不超过 100"), field="rate_percent", code="invalid_rate")
        engine.rate_milli(rate)
        values["rate_percent"] = rate
    else:
        values["rate_percent"] = None
    kind = values["rule_kind"]
    if kind in (RuleKind.RATE_OF_BASE, RuleKind.SHARE_OF_CONTRACT) and values["rate_percent"] is None:
        raise ApplicationError(_("按比例的规则须填写比例上限"), field="rate_percent", code="required")
    if kind == RuleKind.SHARE_OF_CONTRACT and values["rate_percent"] > SHARE_OF_CONTRACT_MAX_RATE:
        raise ApplicationError(_("按合同额比例分期支持的比例不能超过合同额的 {m}%").format(m=SHARE_OF_CONTRACT_MAX_RATE),
                               field="rate_percent", code="rate_above_limit")
    if kind == RuleKind.RATE_OF_BASE:
        if not values["base"]:
            raise ApplicationError(_("按基数比例的规则须选择计算基数"), field="base", code="required")
        _choice(values["base"], Base, "base", _("计算基数"))
        if values["recipient_role"] == RecipientRole.UNIT:
            raise ApplicationError(_("按基数比例的规则须指明单位是合同的买方、卖方或促成机构"),
                                   field="recipient_role", code="invalid")
    if kind != RuleKind.BAND_BY_GRADE and values["grade_amounts"]:
        raise ApplicationError(_("只有按绩效档次定额的规则才有档次金额"), field="grade_amounts", code="invalid")
    if kind == RuleKind.BAND_BY_GRADE:
        rows = values["grade_amounts"] or []
        if not rows:
            raise ApplicationError(_("按档次的规则须填写各档次金额"), field="grade_amounts", code="required")
        seen = set()
        for row in rows:
            if not isinstance(row, dict):
                raise ApplicationError(_("档次金额每项应含档次和金额"), field="grade_amounts", code="invalid")
            grade, amount = str(row.get("grade", "")).strip(), row.get("amount_fen")
            if not grade or grade in seen or not isinstance(amount, int) or amount < 0:
                raise ApplicationError(_("档次金额有误：“{g}”").format(g=grade), field="grade_amounts", code="invalid")
            seen.add(grade)
            if amount and ((values["min_amount_fen"] and amount < values["min_amount_fen"])
                           or (values["max_amount_fen"] and amount > values["max_amount_fen"])):
                raise ApplicationError(_("档次“{g}”的金额超出最低与最高金额区间").format(g=grade),
                                       field="grade_amounts", code="out_of_band")
    if kind == RuleKind.ONE_TIME_ON_EVENT and not values["qualification_kind"]:
        raise ApplicationError(_("一次性奖励须指明认定的资质类型"), field="qualification_kind", code="required")
    values["instalments"] = _clean_instalments(values["instalments"] or [], required=kind == RuleKind.SHARE_OF_CONTRACT)
    if values["unit_kind"] == UnitKind.PLATFORM and not values["platform_kinds"]:
        raise ApplicationError(_("创新创业载体规则须选择载体类型"), field="platform_kinds", code="required")
    if values["min_amount_fen"] is not None and values["max_amount_fen"] is not None \
            and values["min_amount_fen"] > values["max_amount_fen"]:
        raise ApplicationError(_("最低金额不能高于最高金额"), field="min_amount", code="invalid")
    return values


INSTALMENT_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _clean_instalments(rows, *, required: bool) -> list[dict]:
    """分期节点: each ``{"code", "label", "percent"}`` with a distinct code and a whole percent 1–100,
    summing to 100 (only 按合同额比例 rules have them)."""
    if not rows:
        if required:
            raise ApplicationError(_("按合同额比例分期支持的规则须填写分期节点"), field="instalments", code="required")
        return []
    if not required:
        raise ApplicationError(_("只有按合同额比例分期支持的规则才有分期节点"), field="instalments", code="invalid")
    clean, codes = [], set()
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ApplicationError(_("分期节点第{n}项应含代码、名称和比例").format(n=n), field="instalments",
                                   code="invalid")
        code = str(row.get("code") or "").strip()
        label = str(row.get("label") or "").strip()
        if not code or not set(code) <= INSTALMENT_CODE_CHARS or len(code) > 20:
            raise ApplicationError(_("分期节点第{n}项：代码应为不超过 20 位的小写字母、数字或下划线").format(n=n),
                                   field="instalments", code="invalid")
        if code in codes:
            raise ApplicationError(_("分期节点代码“{c}”重复").format(c=code), field="instalments", code="duplicate")
        if not label:
            raise ApplicationError(_("分期节点第{n}项：请填写名称").format(n=n), field="instalments", code="required")
        percent = row.get("percent")
        if isinstance(percent, str) and percent.strip().isdigit():
            percent = int(percent.strip())
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
            raise ApplicationError(_("分期节点“{l}”的比例应为 1 到 100 的整数").format(l=label), field="instalments",
                                   code="invalid")
        codes.add(code)
        clean.append({"code": code, "label": label, "percent": percent})
    if sum(r["percent"] for r in clean) != 100:
        raise ApplicationError(_("分期节点比例合计应为 100%，现为 {p}%").format(p=sum(r["percent"] for r in clean)),
                               field="instalments", code="invalid")
    return clean


def policy_create(*, by, city, data: dict, seed: bool = False) -> SubsidyPolicy:
    if not seed and not permissions.can_create_policy(by, city):
        raise PermissionDenied(_("只有本市科技局管理员可以制定补助政策"))
    values = clean_policy_data(data)
    code = str(data.get("code") or "").strip()
    year = data.get("year")
    if not code:
        raise ApplicationError(_("请填写规则代码"), field="code", code="required")
    if not isinstance(year, int) or not (2000 <= year <= 2100):
        raise ApplicationError(_("政策年度应为四位年份"), field="year", code="invalid")
    if SubsidyPolicy.objects.filter(city=city, year=year, code=code).exists():
        raise ApplicationError(_("本市{y}年已有规则代码“{c}”").format(y=year, c=code), field="code", code="duplicate")
    with transaction.atomic():
        policy = SubsidyPolicy(city=city, year=year, code=code, version=1, is_current=True,
                               created_by=by if getattr(by, "pk", None) else None, **values)
        try:
            policy.full_clean()
        except ValidationError as exc:
            raise ApplicationError.from_django(exc)
        policy.save()
        record_change(obj=policy, action=ObjectChange.Action.CREATE, by=by)
    return policy


def policy_used(policy: SubsidyPolicy) -> bool:
    """A computation used this version (its snapshot is frozen)."""
    return SubsidyLine.objects.filter(policy=policy).exists() or SubsidyComputation.objects.filter(
        round__policies=policy).exists()


@transaction.atomic
def policy_update(*, policy: SubsidyPolicy, by, data: dict) -> SubsidyPolicy:
    """Edit a policy; a version a computation used is kept and a new version is made and swapped into
    every round that has not been computed yet. Returns the edited (or new) version."""
    if not permissions.can_edit_policy(by, policy):
        raise PermissionDenied(_("只有本市科技局管理员可以修改补助政策"))
    policy = SubsidyPolicy.objects.select_for_update().get(pk=policy.pk)
    if not policy.is_current:
        raise ApplicationError(_("只能修改现行版本（第{v}版已被新版本取代）").format(v=policy.version),
                               code="not_current")
    values = clean_policy_data(data, current=policy)
    if not policy_used(policy):
        before = snapshot(policy)
        for name, value in values.items():
            setattr(policy, name, value)
        policy.save()
        record_change(obj=policy, action=ObjectChange.Action.UPDATE, by=by, before=before)
        return policy
    policy.is_current = False
    policy.save(update_fields=["is_current", "updated_at"])
    new = SubsidyPolicy(city=policy.city, year=policy.year, code=policy.code, version=policy.version + 1,
                        is_current=True, supersedes=policy, created_by=by, **values)
    new.save()
    record_change(obj=new, action=ObjectChange.Action.CREATE, by=by,
                  comment=_("第{v}版已用于测算，修改生成第{n}版").format(v=policy.version, n=new.version))
    for round_ in SubsidyRound.objects.filter(policies=policy).exclude(
            status__in=ACTIVE_ROUND_STATES).exclude(status=RoundStatus.CANCELLED).exclude(computations__isnull=False):
        round_.policies.remove(policy)
        round_.policies.add(new)
        SubsidyDeclaration.objects.filter(round=round_, policy=policy).update(policy=new)
    return new


# --- rounds ------------------------------------------------------------------------------------------

def _round_values(data: dict, *, city, current: SubsidyRound | None = None) -> dict:
    values = {}
    if "name" in data or current is None:
        name = str(data.get("name") or "").strip()
        if not name:
            raise ApplicationError(_("请填写批次名称"), field="name", code="required")
        values["name"] = name
    if "year" in data or current is None:
        year = data.get("year")
        if not isinstance(year, int) or not (2000 <= year <= 2100):
            raise ApplicationError(_("补助年度应为四位年份"), field="year", code="invalid")
        values["year"] = year
    year = values.get("year", getattr(current, "year", None))
    if "base_year" in data and data["base_year"] not in (None, ""):
        base_year = data["base_year"]
        if not isinstance(base_year, int) or base_year >= year:
            raise ApplicationError(_("基数年度应早于补助年度"), field="base_year", code="invalid")
        values["base_year"] = base_year
    elif current is None or "year" in data:
        values["base_year"] = year - 1
    if "declaration_deadline" in data or current is None:
        deadline = data.get("declaration_deadline")
        if not isinstance(deadline, datetime.date):
            raise ApplicationError(_("请填写申报截止日期"), field="declaration_deadline", code="required")
        values["declaration_deadline"] = deadline
    if "budget" in data:
        values["budget_fen"] = None if data["budget"] in (None, "") else yuan_to_fen(data["budget"], field="budget")
        if values["budget_fen"] is not None and values["budget_fen"] < 0:
            raise ApplicationError(_("预算不能为负数"), field="budget", code="invalid")
    if "notice_working_days" in data:
        days = data["notice_working_days"]
        if not isinstance(days, int) or not (1 <= days <= 30):
            raise ApplicationError(_("公示工作日数应为 1 到 30"), field="notice_working_days", code="invalid")
        values["notice_working_days"] = days
    return values


def _round_policies(data: dict, *, city, year: int) -> list[SubsidyPolicy]:
    ids = data.get("policies") or []
    policies = list(SubsidyPolicy.objects.filter(pk__in=ids, city=city, is_current=True))
    if not ids or len(policies) != len(set(ids)):
        raise ApplicationError(_("请选择本市现行的补助政策"), field="policies", code="invalid")
    return policies


@transaction.atomic
def round_create(*, by, city, data: dict) -> SubsidyRound:
    if not permissions.is_city_bureau(by, city):
        raise PermissionDenied(_("只有本市科技局管理员可以设立补助批次"))
    values = _round_values(data, city=city)
    policies = _round_policies(data, city=city, year=values["year"])
    round_ = SubsidyRound.objects.create(city=city, created_by=by, **values)
    round_.policies.set(policies)
    record_change(obj=round_, action=ObjectChange.Action.CREATE, by=by)
    return round_


@transaction.atomic
def round_update(*, round_: SubsidyRound, by, data: dict) -> SubsidyRound:
    if not permissions.can_manage_round(by, round_):
        raise PermissionDenied(_("只有本市科技局管理员可以修改补助批次"))
    round_ = SubsidyRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status not in (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.REVIEWING):
        raise ApplicationError(_("批次已测算，不能修改（可重新测算）"), code="invalid_state")
    before = snapshot(round_)
    values = _round_values(data, city=round_.city, current=round_)
    for name, value in values.items():
        setattr(round_, name, value)
    round_.save()
    if "policies" in data:
        if round_.status != RoundStatus.DRAFT:
            raise ApplicationError(_("申报开始后不能更换政策"), field="policies", code="invalid_state")
        round_.policies.set(_round_policies(data, city=round_.city, year=round_.year))
    record_change(obj=round_, action=ObjectChange.Action.UPDATE, by=by, before=before)
    return round_


def round_act(*, round_: SubsidyRound, action: str, by, comment: str = "", reason_code=None,
              today: datetime.date | None = None) -> SubsidyRound:
    """Every round action; compute, notice and approve do their work here."""
    if action == "compute":
        round_compute(round_=round_, by=by, today=today, comment=comment)
        return SubsidyRound.objects.get(pk=round_.pk)
    if action == "publish_notice":
        return round_publish_notice(round_=round_, by=by, today=today, comment=comment)
    if action == "approve":
        return round_approve(round_=round_, by=by, today=today, comment=comment)
    return transition(round_, action=action, by=by, comment=comment, reason_code=reason_code)


def notice_end(start: datetime.date, working_days: int) -> datetime.date:
    """公示期自发布次日起计 ``working_days`` 个工作日（调休按日历数据）。"""
    from techmarket.scheduling.workdays import add_working_days

    return add_working_days(start, working_days)


@transaction.atomic
def round_publish_notice(*, round_: SubsidyRound, by, today=None, comment: str = "") -> SubsidyRound:
    today = today or _today()
    round_ = transition(round_, action="publish_notice", by=by, comment=comment)
    round_.notice_starts_on = today
    round_.notice_ends_on = notice_end(today, round_.notice_working_days)
    round_.save(update_fields=["notice_starts_on", "notice_ends_on", "updated_at"])
    _notify_round(round_, action="publish_notice")
    return round_


def maker_checker_refusal(round_: SubsidyRound, user) -> str | None:
    computation = round_.current_computation
    if computation is not None and getattr(user, "pk", None) == computation.computed_by_id:
        return _("测算人不能批准本人测算的批次，须由另一名科技局管理员批准（测算与批准分离）")
    return None


@transaction.atomic
def round_approve(*, round_: SubsidyRound, by, today=None, comment: str = "") -> SubsidyRound:
    today = today or _today()
    if not permissions.can_manage_round(by, round_):
        raise PermissionDenied(_("只有本市科技局管理员可以批准补助批次"))
    refusal = maker_checker_refusal(round_, by)
    if refusal:
        raise PermissionDenied(refusal)
    if round_.status == RoundStatus.NOTICE and round_.notice_ends_on and today <= round_.notice_ends_on:
        raise ApplicationError(_("公示期至 {d} 结束，公示期满后方可批准").format(d=round_.notice_ends_on.isoformat()),
                               field="notice_ends_on", code="notice_running")
    round_ = transition(round_, action="approve", by=by, comment=comment)
    round_.approved_by = by
    round_.approved_at = timezone.now()
    round_.save(update_fields=["approved_by", "approved_at", "updated_at"])
    _notify_round(round_, action="approve")
    return round_


# --- computation -------------------------------------------------------------------------------------

def received_in_year(*, city, year: int, code: str, organization_id: int, exclude_round_id=None,
                     exclude_contract_id: int | None = None) -> int:
    """What a unit got under rule ``code`` in the city's other computed rounds of ``year``; with
    ``exclude_contract_id``, without the instalments of that contract (a ``share_of_contract`` estimate of the
    contract counts its own instalments itself)."""
    qs = SubsidyLine.objects.filter(
        computation__is_current=True, computation__round__city=city, computation__round__year=year,
        computation__round__status__in=ACTIVE_ROUND_STATES, policy__code=code, organization_id=organization_id)
    if exclude_round_id is not None:
        qs = qs.exclude(computation__round_id=exclude_round_id)
    if exclude_contract_id is None:
        return qs.aggregate(s=Sum("amount_fen"))["s"] or 0
    own = engine.instalment_key(code, exclude_contract_id)
    return sum(amount for amount, explanation in qs.values_list("amount_fen", "explanation")
               if not str((explanation or {}).get("one_time_key", "")).startswith(own))


def prior_one_time_keys(*, city, exclude_round_id=None) -> set[str]:
    qs = SubsidyLine.objects.filter(computation__is_current=True, computation__round__city=city,
                                    computation__round__status__in=ACTIVE_ROUND_STATES,
                                    policy__rule_kind__in=(RuleKind.ONE_TIME_ON_EVENT, RuleKind.SHARE_OF_CONTRACT))
    if exclude_round_id is not None:
        qs = qs.exclude(computation__round_id=exclude_round_id)
    return {e.get("one_time_key") for e in qs.values_list("explanation", flat=True) if e.get("one_time_key")}


def declaration_facts(declaration: SubsidyDeclaration, *, as_of: datetime.date) -> dict:
    contracts = list(declaration.contracts.select_related("seller_region", "buyer_region")
                     .prefetch_related("payments__attachments").order_by("pk"))
    payment_ids = set(declaration.payments.values_list("pk", flat=True))
    return engine.unit_facts(
        organization=declaration.organization, as_of=as_of, contracts=contracts, payment_ids=payment_ids,
        platform=declaration.platform, qualification=declaration.qualification, contract=declaration.contract,
        instalment=declaration.instalment, grade=declaration.grade,
        assessed_amount_fen=declaration.assessed_amount_fen)


def _line_key(line) -> str:
    return str(line["declaration_id"])


@transaction.atomic
def round_compute(*, round_: SubsidyRound, by, today=None, comment: str = "") -> SubsidyComputation:
    """Compute (or recompute) a round: freeze policy versions and inputs, write lines and exclusions,
    scale to the budget, diff against the previous version."""
    as_of = today or _today()
    # Rounds of the same city and year are computed one at a time: caps span them.
    list(SubsidyRound.objects.select_for_update().filter(city=round_.city, year=round_.year).values_list("pk"))
    round_ = transition(round_, action="compute", by=by, comment=comment)
    previous = round_.computations.filter(is_current=True).first()
    policies = {p.pk: engine.policy_snapshot(p) for p in round_.policies.select_related("city")}
    prior = prior_one_time_keys(city=round_.city, exclude_round_id=round_.pk)
    running: dict[tuple[int, str], int] = {}
    declarations = list(round_.declarations.select_related("organization__region", "policy", "platform",
                                                           "qualification", "contract").order_by("pk"))
    inputs, pending_lines, pending_exclusions = [], [], []
    for d in declarations:
        if d.status == DeclarationStatus.DRAFT:
            continue
        if d.status != DeclarationStatus.ACCEPTED:
            pending_exclusions.append((d, engine.Exclusion(
                "unit", d.organization_id, d.organization.name, "declaration_not_accepted",
                _("申报状态为“{s}”，未通过复审").format(s=d.get_status_display()))))
            continue
        policy = policies[d.policy_id]
        facts = declaration_facts(d, as_of=as_of)
        key = (d.organization_id, policy["code"])
        before = received_in_year(city=round_.city, year=round_.year, code=policy["code"],
                                  organization_id=d.organization_id, exclude_round_id=round_.pk)
        before += running.get(key, 0)
        result = engine.evaluate(policy, facts, base_year=round_.base_year, received_before_fen=before,
                                 prior_one_time=prior)
        inputs.append({"declaration_id": d.pk, "policy_id": d.policy_id, "received_before_fen": before,
                       "facts": facts})
        for ex in result.exclusions:
            pending_exclusions.append((d, ex))
        if result.eligible and result.capped_fen > 0:
            running[key] = running.get(key, 0) + result.capped_fen  # corrected after scaling below
            if result.one_time_key:
                prior.add(result.one_time_key)
            pending_lines.append((d, policy, result))
    outcome = engine.apply_budget([r.capped_fen for _d, _p, r in pending_lines],
                                  [r.scalable for _d, _p, r in pending_lines], round_.budget_fen)
    if previous is not None:
        SubsidyComputation.objects.filter(pk=previous.pk).update(is_current=False)
    computation = SubsidyComputation.objects.create(
        round=round_, version=(previous.version + 1) if previous else 1, is_current=True, computed_by=by,
        as_of=as_of, policies_snapshot=list(policies.values()),
        inputs_snapshot={"as_of": as_of.isoformat(), "base_year": round_.base_year, "year": round_.year,
                         "budget_fen": round_.budget_fen, "declarations": inputs},
        budget_fen=round_.budget_fen, fixed_total_fen=outcome.fixed_total_fen,
        capped_total_fen=outcome.capped_total_fen, total_fen=outcome.total_fen,
        remainder_fen=outcome.remainder_fen, scaling=outcome.scaling)
    lines = []
    for (d, policy, result), amount in zip(pending_lines, outcome.amounts):
        explanation = result.explanation()
        steps = list(explanation["steps"])
        if amount != result.capped_fen:
            steps.append(_("预算缩放后 {a} 元").format(a=engine.yuan(amount)))
        explanation["steps"] = steps
        lines.append(SubsidyLine(
            computation=computation, declaration=d, organization_id=d.organization_id, policy_id=d.policy_id,
            base_fen=result.base_fen, raw_fen=result.raw_fen, cap_fen=result.cap_fen,
            received_before_fen=result.received_before_fen, capped_fen=result.capped_fen, amount_fen=amount,
            scalable=result.scalable, explanation=explanation))
    SubsidyLine.objects.bulk_create(lines)
    SubsidyExclusion.objects.bulk_create([SubsidyExclusion(
        computation=computation, declaration=d, organization_id=d.organization_id, subject=ex.subject,
        subject_id=ex.subject_id, subject_label=str(ex.subject_label)[:300], code=ex.code,
        message=str(ex.message)[:500]) for d, ex in pending_exclusions])
    if previous is not None:
        computation.diff = computation_diff(previous, computation)
        computation.save(update_fields=["diff"])
    return computation


def computation_diff(previous: SubsidyComputation, current: SubsidyComputation) -> list[dict]:
    """Lines whose amount changed, appeared or disappeared, by declaration."""
    def rows(comp):
        return {line.declaration_id: line for line in comp.lines.select_related("organization", "policy")}

    old, new = rows(previous), rows(current)
    diff = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        before, after = (a.amount_fen if a else 0), (b.amount_fen if b else 0)
        if a is not None and b is not None and before == after:
            continue
        line = b or a
        diff.append({"declaration_id": key, "organization": line.organization.name, "policy": line.policy.name,
                     "before_fen": before, "after_fen": after, "change_fen": after - before,
                     "kind": "added" if a is None else "removed" if b is None else "changed"})
    return diff


# --- declarations ------------------------------------------------------------------------------------

def declaration_prefill(*, organization, policy: SubsidyPolicy, base_year: int) -> tuple[list, list]:
    """Contracts and payments of the platform a declaration under ``policy`` relies on (ids)."""
    from techmarket.contracts.models import ContractPayment, TechContract

    if policy.rule_kind != RuleKind.RATE_OF_BASE:
        return [], []
    role_field = {RecipientRole.BUYER: "buyer_organization", RecipientRole.SELLER: "seller_organization",
                  RecipientRole.BROKER: "broker_agency"}[policy.recipient_role]
    qs = TechContract.objects.filter(**{role_field: organization}, status="registered")
    if policy.base == Base.PAID_AMOUNT:
        payments = list(ContractPayment.objects.filter(contract__in=qs, paid_on__year=base_year)
                        .order_by("paid_on", "pk").values_list("pk", "contract_id"))
        contract_ids = sorted({c for _p, c in payments})
        return contract_ids, [p for p, _c in payments]
    return list(qs.filter(registered_on__year=base_year).order_by("pk").values_list("pk", flat=True)), []


def _declaration_refs(*, round_, organization, policy, data: dict) -> dict:
    from techmarket.contracts.models import ContractPayment, TechContract
    from techmarket.directory.models import Platform, Qualification

    refs = {}
    if data.get("platform"):
        refs["platform"] = Platform.objects.filter(pk=data["platform"], organization=organization).first()
        if refs["platform"] is None:
            raise ApplicationError(_("载体须为本单位运营的平台"), field="platform", code="invalid")
    if data.get("qualification"):
        refs["qualification"] = Qualification.objects.filter(pk=data["qualification"],
                                                             organization=organization).first()
        if refs["qualification"] is None:
            raise ApplicationError(_("资质须为本单位的资质"), field="qualification", code="invalid")
    if data.get("contract"):
        refs["contract"] = TechContract.objects.filter(pk=data["contract"], seller_organization=organization).first()
        if refs["contract"] is None:
            raise ApplicationError(_("揭榜合同须为本单位作为卖方（揭榜方）的合同"), field="contract", code="invalid")
    if "instalment" in data:
        refs["instalment"] = str(data.get("instalment") or "")
        if policy.rule_kind == RuleKind.SHARE_OF_CONTRACT and refs["instalment"] not in {
                r["code"] for r in policy.instalments}:
            raise ApplicationError(_("请选择本政策的分期节点"), field="instalment", code="invalid")
    if "contracts" in data:
        ids = list(dict.fromkeys(data.get("contracts") or []))
        from django.db.models import Q

        found = TechContract.objects.filter(Q(seller_organization=organization) | Q(buyer_organization=organization)
                                            | Q(broker_agency=organization), pk__in=ids)
        if found.count() != len(ids):
            raise ApplicationError(_("依据合同须为本单位参与的合同"), field="contracts", code="invalid")
        refs["contracts"] = ids
    if "payments" in data:
        ids = list(dict.fromkeys(data.get("payments") or []))
        contract_ids = refs.get("contracts")
        qs = ContractPayment.objects.filter(pk__in=ids)
        if contract_ids is not None:
            qs = qs.filter(contract_id__in=contract_ids)
        if qs.count() != len(ids):
            raise ApplicationError(_("依据付款须属于所列合同"), field="payments", code="invalid")
        refs["payments"] = ids
    return refs


@transaction.atomic
def declaration_create(*, round_: SubsidyRound, by, data: dict) -> SubsidyDeclaration:
    """A unit user declares for its organization; contracts and payments are pre-filled from the
    platform unless given."""
    if not permissions.can_declare_in(by, round_):
        if round_.status != RoundStatus.OPEN:
            raise ApplicationError(_("批次当前状态“{s}”，不接受申报").format(s=round_.get_status_display()),
                                   code="invalid_state")
        raise PermissionDenied(_("只有本市单位用户可以申报"))
    if _today() > round_.declaration_deadline:
        raise ApplicationError(_("申报已于 {d} 截止").format(d=round_.declaration_deadline.isoformat()),
                               field="round", code="deadline_passed")
    organization = by.organization
    policy = round_.policies.filter(pk=data.get("policy")).first()
    if policy is None:
        raise ApplicationError(_("请选择本批次的补助政策"), field="policy", code="invalid")
    path, city_path = organization.region.path, round_.city.path
    if policy.unit_location == UnitLocation.IN_CITY and not path.startswith(city_path):
        raise ApplicationError(_("本项政策只受理本市单位申报"), field="policy", code="unit_not_in_city")
    if policy.unit_location == UnitLocation.IN_PROVINCE and not path.startswith(city_path.split("/")[0] + "/"):
        raise ApplicationError(_("本项政策只受理本省单位申报"), field="policy", code="unit_not_in_province")
    refs = _declaration_refs(round_=round_, organization=organization, policy=policy, data=data)
    contracts, payments = refs.pop("contracts", None), refs.pop("payments", None)
    if contracts is None:
        contracts, prefilled_payments = declaration_prefill(organization=organization, policy=policy,
                                                            base_year=round_.base_year)
        payments = prefilled_payments if payments is None else payments
    payments = payments or []
    platform, contract, instalment = refs.get("platform"), refs.get("contract"), refs.get("instalment", "")
    qualification = refs.get("qualification")
    if SubsidyDeclaration.objects.filter(round=round_, policy=policy, organization=organization, platform=platform,
                                         qualification=qualification, contract=contract,
                                         instalment=instalment).exists():
        raise ApplicationError(_("本单位已在本批次申报此项政策"), field="policy", code="duplicate")
    declaration = SubsidyDeclaration.objects.create(
        round=round_, policy=policy, organization=organization, declared_by=by,
        statement=str(data.get("statement") or ""), **refs)
    declaration.contracts.set(contracts)
    declaration.payments.set(payments)
    record_change(obj=declaration, action=ObjectChange.Action.CREATE, by=by)
    return declaration


@transaction.atomic
def declaration_update(*, declaration: SubsidyDeclaration, by, data: dict) -> SubsidyDeclaration:
    if not permissions.can_edit_declaration(by, declaration):
        raise PermissionDenied(_("只有申报单位可在草稿或退回状态修改申报"))
    before = snapshot(declaration)
    refs = _declaration_refs(round_=declaration.round, organization=declaration.organization,
                             policy=declaration.policy, data=data)
    contracts, payments = refs.pop("contracts", None), refs.pop("payments", None)
    for name, value in refs.items():
        setattr(declaration, name, value)
    if "statement" in data:
        declaration.statement = str(data.get("statement") or "")
    declaration.save()
    if contracts is not None:
        declaration.contracts.set(contracts)
    if payments is not None:
        declaration.payments.set(payments)
    record_change(obj=declaration, action=ObjectChange.Action.UPDATE, by=by, before=before)
    return declaration


def missing_evidence(declaration: SubsidyDeclaration) -> list[str]:
    """Kinds of 申报材料 the declaration's policy requires and the declaration lacks (EvidenceKind values)."""
    if declaration.policy.local_transfer_evidence_required and not declaration.attachments.filter(
            kind=EvidenceKind.LOCAL_TRANSFER).exists():
        return [EvidenceKind.LOCAL_TRANSFER]
    return []


def _evidence_refusal(declaration: SubsidyDeclaration) -> ApplicationError | None:
    missing = missing_evidence(declaration)
    if not missing:
        return None
    return ApplicationError(_("申报材料：本项政策须在本市实施转化，请至少上传一份“{k}”（如技术实施或产业化说明、"
                              "在本市的生产或应用证明）后再提交").format(k=EvidenceKind(missing[0]).label),
                            field="evidence", code="evidence_required")


# Declaration outcomes the declaring unit is told about (topic "subsidies", registered in apps.ready).
DECLARATION_NOTICES = {
    "pre_approve": _lazy("补助申报初审通过：{p}"),
    "pre_return": _lazy("补助申报被初审退回修改：{p}"),
    "accept": _lazy("补助申报复审通过：{p}"),
    "return": _lazy("补助申报被复审退回修改：{p}"),
    "reject": _lazy("补助申报不予支持：{p}"),
}


def _unit_users(organization_ids):
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(organization_id__in=list(organization_ids), is_active=True)
                .order_by("pk"))


def _notify_declaration(declaration: SubsidyDeclaration, *, action: str, comment: str) -> None:
    from techmarket.notifications.services import notify

    title = DECLARATION_NOTICES.get(action)
    if title is None:
        return
    body = _("批次：{r}").format(r=declaration.round.name)
    if comment:
        body += "\n" + _("意见：{c}").format(c=comment)
    notify(recipients=_unit_users([declaration.organization_id]), topic=NOTIFICATION_TOPIC,
           title=str(title).format(p=declaration.policy.name), body=body, link=declaration.get_absolute_url(),
           about=declaration)


def _notify_round(round_: SubsidyRound, *, action: str) -> None:
    """公示 and 批准: every unit with a declaration past draft hears it, with its own amounts."""
    from techmarket.notifications.services import notify

    computation = round_.current_computation
    amounts: dict[int, int] = {}
    if computation is not None:
        for org_id, amount in computation.lines.values_list("organization_id", "amount_fen"):
            amounts[org_id] = amounts.get(org_id, 0) + amount
    org_ids = sorted(set(round_.declarations.exclude(status=DeclarationStatus.DRAFT)
                         .values_list("organization_id", flat=True)))
    for org_id in org_ids:
        got = amounts.get(org_id)
        if action == "publish_notice":
            title = _("补助批次进入公示：{n}").format(n=round_.name)
            period = _("公示期 {s} 至 {e}").format(s=round_.notice_starts_on.isoformat(),
                                                   e=round_.notice_ends_on.isoformat())
            body = (_("本单位拟获补助 {a} 元；{p}，有异议请在公示期内向市科技局反映。").format(a=engine.yuan(got), p=period)
                    if got else _("本单位未列入本批次拟补助名单；{p}。").format(p=period))
        else:
            title = _("补助批次已批准：{n}").format(n=round_.name)
            body = (_("本单位获批补助 {a} 元。").format(a=engine.yuan(got)) if got
                    else _("本单位未列入本批次补助名单。"))
        notify(recipients=_unit_users([org_id]), topic=NOTIFICATION_TOPIC, title=title, body=body,
               link=reverse("subsidies:round_notice", kwargs={"pk": round_.pk}), about=round_)


@transaction.atomic
def declaration_act(*, declaration: SubsidyDeclaration, action: str, by, comment: str = "",
                    reason_code=None) -> SubsidyDeclaration:
    if action == "submit":
        if _today() > declaration.round.declaration_deadline:
            raise ApplicationError(_("申报已于 {d} 截止").format(d=declaration.round.declaration_deadline.isoformat()),
                                   code="deadline_passed")
        if declaration.status in (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED) and policy_allows(
                by, "subsidies.declare", declaration):
            refusal = _evidence_refusal(declaration)
            if refusal is not None:
                raise refusal
    declaration = transition(declaration, action=action, by=by, comment=comment, reason_code=reason_code)
    if action == "submit":
        declaration.submitted_at = timezone.now()
        declaration.save(update_fields=["submitted_at", "updated_at"])
    _notify_declaration(declaration, action=action, comment=comment)
    return declaration


# --- declaration evidence (申报材料) -------------------------------------------------------------------

def _evidence_kind(kind) -> str:
    kind = str(kind or "").strip()
    if kind not in EvidenceKind.values:
        raise ApplicationError(_("请选择材料类型：{k}").format(k="、".join(str(label) for label in EvidenceKind.labels)),
                               field="kind", code="invalid_choice")
    return kind


def declaration_evidence_add(*, declaration: SubsidyDeclaration, by, upload, kind: str) -> DeclarationEvidence:
    """申报材料: the declaring unit uploads a file while the declaration is a draft or returned (round open);
    checked by core.uploads (type by content, size), stored under a random name, audited on the declaration."""
    if not permissions.can_edit_declaration(by, declaration):
        raise PermissionDenied(_("只有申报单位可在申报草稿或退回修改状态下上传申报材料"))
    kind = _evidence_kind(kind)
    if upload is None:
        raise ApplicationError(_("请选择要上传的申报材料文件"), field="file", code="required")
    problem = upload_problem(upload, allowed=EVIDENCE_EXTENSIONS, noun=str(EvidenceKind(kind).label))
    if problem:
        raise ApplicationError(problem, field="file", code="invalid_attachment")
    stored: list[str] = []
    try:
        with transaction.atomic():
            declaration = SubsidyDeclaration.objects.select_for_update().select_related("round").get(pk=declaration.pk)
            if not permissions.can_edit_declaration(by, declaration):  # the state as it is now, under the lock
                raise PermissionDenied(_("只有申报单位可在申报草稿或退回修改状态下上传申报材料"))
            if declaration.attachments.count() >= MAX_EVIDENCE_PER_DECLARATION:
                raise ApplicationError(_("每份申报最多上传 {n} 个申报材料").format(n=MAX_EVIDENCE_PER_DECLARATION),
                                       field="file", code="too_many_attachments")
            row = DeclarationEvidence(record=declaration, kind=kind, original_name=clean_filename(upload.name),
                                      size=upload.size, uploaded_by=by)
            upload.seek(0)
            row.file.save(row.original_name, upload, save=False)
            stored.append(row.file.name)
            row.save()
            record_change(obj=declaration, action=ObjectChange.Action.UPDATE, by=by, before={"evidence": None},
                          after={"evidence": row.original_name, "kind": kind}, comment=_("上传申报材料"))
    except BaseException:
        for name in stored:  # nothing half-saved: no file outlives a rolled-back upload
            default_storage.delete(name)
        raise
    return row


@transaction.atomic
def declaration_evidence_delete(*, evidence: DeclarationEvidence, by) -> None:
    declaration = SubsidyDeclaration.objects.select_for_update().select_related("round").get(pk=evidence.record_id)
    if not permissions.can_edit_declaration(by, declaration):
        raise PermissionDenied(_("只有申报单位可在申报草稿或退回修改状态下删除申报材料"))
    name, original = evidence.file.name, evidence.original_name
    evidence.delete()
    record_change(obj=declaration, action=ObjectChange.Action.UPDATE, by=by, before={"evidence": original},
                  after={"evidence": None}, comment=_("删除申报材料"))
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def declaration_assess(*, declaration: SubsidyDeclaration, by, grade: str | None = None,
                       assessed_amount=None) -> SubsidyDeclaration:
    """The bureau enters the performance grade (band rules) or the one-time amount within min–max."""
    if not permissions.can_assess_declaration(by, declaration):
        raise PermissionDenied(_("只有本市科技局管理员可在复审时录入绩效档次或核定金额"))
    policy = declaration.policy
    before = snapshot(declaration)
    if grade is not None:
        grades = {row["grade"] for row in policy.grade_amounts}
        if policy.rule_kind != RuleKind.BAND_BY_GRADE or (grade and grade not in grades):
            raise ApplicationError(_("绩效档次应为：{g}").format(g="、".join(sorted(grades)) or "—"), field="grade",
                                   code="invalid")
        declaration.grade = grade
    if assessed_amount is not None:
        if policy.rule_kind != RuleKind.ONE_TIME_ON_EVENT:
            raise ApplicationError(_("只有一次性奖励需要核定金额"), field="assessed_amount", code="invalid")
        fen = yuan_to_fen(assessed_amount, field="assessed_amount")
        low, high = policy.min_amount_fen or 0, policy.max_amount_fen
        if fen < low or (high is not None and fen > high):
            raise ApplicationError(_("核定金额应在 {lo} 元到 {hi} 元之间").format(
                lo=engine.yuan(low), hi=engine.yuan(high)), field="assessed_amount", code="out_of_band")
        declaration.assessed_amount_fen = fen
    declaration.save()
    record_change(obj=declaration, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  comment=_("录入绩效档次/核定金额"))
    return declaration


# --- payment -----------------------------------------------------------------------------------------

@transaction.atomic
def line_record_payment(*, line: SubsidyLine, by, paid_on: datetime.date, reference: str) -> SubsidyLine:
    round_ = line.computation.round
    if not permissions.can_manage_round(by, round_):
        raise PermissionDenied(_("只有本市科技局管理员可以登记拨付"))
    if round_.status != RoundStatus.APPROVED or not line.computation.is_current:
        raise ApplicationError(_("批次批准后方可登记拨付"), code="invalid_state")
    if line.policy.payer == Payer.PROVINCE:
        raise ApplicationError(_("省财政资金由省级拨付：请导出推荐名单报省科技厅"), code="province_payer")
    reference = (reference or "").strip()
    if not reference:
        raise ApplicationError(_("请填写拨付凭证号"), field="reference", code="required")
    if not isinstance(paid_on, datetime.date):
        raise ApplicationError(_("请填写拨付日期"), field="paid_on", code="required")
    if line.paid_on is not None:
        raise ApplicationError(_("该项补助已登记拨付"), code="already_paid")
    before = snapshot(line)
    line.paid_on, line.payment_reference = paid_on, reference[:64]
    line.save(update_fields=["paid_on", "payment_reference"])
    record_change(obj=line, action=ObjectChange.Action.UPDATE, by=by, before=before, comment=_("登记拨付"))
    return line


def may(user, permission: str, obj) -> bool:
    return policy_allows(user, permission, obj)
