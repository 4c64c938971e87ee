"""Registration of technology contracts (认定登记, SPEC C2, C4): every write of the registration
workflow, one service per action a bureau officer would name.

* ``contract_submit``: the seller side submits a draft (or a returned contract) to a registration point;
  the decision is due 30 calendar days after the submission date. SPEC C2 says "decided within 30 days";
  the 2000 《技术合同认定登记管理办法》(国科发政字〔2000〕063号) says 登记机构应当自受理认定登记申请之日起
  30 日内完成认定登记事项 — 日, not 工作日, so calendar days. (The 2024 draft of the new 办法 proposed
  15 个工作日, 30 个工作日 for large contracts; if the final rules count working days, switch to
  ``scheduling.workdays.add_working_days`` here — see docs/workflows/contracts.md.)
* ``contract_pre_examine``: a registrar examines (审核), classifies (分类: may correct category and
  technology field) and fixes 技术交易额 (核定: may correct the itemised non-technical costs; the amount is
  recomputed as 合同成交额 − costs).
* ``contract_register``: records the national registration number and date, or, when the city's
  ``RegistrationSetting.issues_numbers`` is on, issues a number here: gap-free per point and year, the
  serial row locked inside the registration transaction (a failed registration rolls it back).
* ``contract_refuse`` (coded reason, context ``registration_refuse``), ``contract_return`` (comment),
  ``contract_amend`` (登记变更, fields with a comment, history), ``contract_deregister`` (注销登记).
* ``contract_withdraw``: the seller side takes a submitted contract back before a registrar acts.

Registrar actions are guarded by ``permissions.registrar_refusal`` (its Chinese reason is the 403's
text). Registration, amendment and deregistration call ``contractstats.services.stats_apply`` inside
their transaction: +1 after registering; on amendment −1 with the stored values before saving and +1
after; on deregistration −1 while the contract is still registered.
"""
from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import city_of
from techmarket.achievements.lifecycle import full_clean
from techmarket.contractstats import services as contractstats
from techmarket.core.audit import record_change
from techmarket.core.dates import date_clean
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import _status_label, policy_allows, transition

from .choices import RegistrationNumberSource
from .models import RegistrationPoint, RegistrationSerial, RegistrationSetting, TechContract
from .permissions import registrar_refusal
from .services import EDITABLE_FIELDS, _store_costs, _without_timestamps, audit_snapshot, contract_clean
from .workflows import EXAMINE, TRANSITIONS

__all__ = [
    "DECISION_DAYS", "DEFAULT_POINT_CODE", "contract_submit", "contract_withdraw", "contract_pre_examine",
    "contract_register", "contract_refuse", "contract_return", "contract_amend", "contract_deregister",
    "registration_points_for", "registration_setting_for", "registration_number_issue",
    "clean_national_number", "ACTION_FIELDS",
]

DECISION_DAYS = 30
DEFAULT_POINT_CODE = "01"
NUMBER_RE = re.compile(r"\d{16}")
# The fields each action takes besides comment and reason_code (API body, action forms).
ACTION_FIELDS = {
    "submit": ("point",),
    "pre_examine": ("category", "tech_field", "non_technical_costs"),
    "register": ("registration_number", "registered_on"),
    "amend": ("changes",),
}
# What must be filled before a contract goes to the registrar: field → label.
REQUIRED_FOR_SUBMISSION = {
    "category": _("合同类别"), "tech_field": _("技术领域"), "signed_on": _("签订日期"),
    "seller_region": _("卖方所在地区"), "buyer_region": _("买方所在地区"), "seller_nature": _("卖方性质"),
    "buyer_nature": _("买方性质"), "buyer_name": _("买方名称"),
}


# --- helpers ------------------------------------------------------------------------------------------

def _locked(contract: TechContract) -> TechContract:
    return TechContract.objects.select_for_update(of=("self",)).select_related(
        "registration_point", "registration_point__city", "seller_region").get(pk=contract.pk)


def _guard(contract: TechContract, action: str, by, *, comment: str = "") -> None:
    """The engine's checks, made before any other work so the refusals come first and name why:
    wrong state → 422; not allowed → 403 with the registrar policy's reason; missing comment → 422."""
    spec = TRANSITIONS[action]
    if contract.status not in spec.sources:
        raise ApplicationError(_("当前状态“{s}”不允许“{a}”操作").format(
            s=_status_label(contract, contract.status), a=spec.label), code="invalid_state")
    if spec.permission == EXAMINE:
        refusal = registrar_refusal(by, contract)
        if refusal:
            raise PermissionDenied(refusal)
    elif not policy_allows(by, spec.permission, contract):
        raise PermissionDenied(_("只有合同的卖方单位可以“{a}”").format(a=spec.label))
    if spec.comment_required and not (comment or "").strip():
        raise ApplicationError(_("请填写{a}的意见或原因").format(a=spec.label), field="comment", code="required")


def _notify(users, *, contract: TechContract, title: str, body: str = "") -> None:
    from techmarket.notifications.services import notify

    notify(recipients=list(users), topic="contracts", title=title, body=body, link=contract.get_absolute_url(),
           about=contract)


def _seller_users(contract: TechContract):
    if contract.seller_organization_id is None:
        return []
    return get_user_model().objects.filter(organization_id=contract.seller_organization_id, is_active=True)


def _point_registrars(point: RegistrationPoint):
    today = timezone.localdate()
    return get_user_model().objects.filter(
        is_active=True, registrar_certificates__point=point, registrar_certificates__revoked=False,
        registrar_certificates__valid_from__lte=today, registrar_certificates__valid_to__gte=today).distinct()


# --- reads used by the services, the forms and the API ---------------------------------------------------

def registration_points_for(contract: TechContract):
    """The active registration points of the city of the seller's region (where the seller submits)."""
    city = city_of(contract.seller_region)
    if city is None:
        return RegistrationPoint.objects.none()
    return RegistrationPoint.objects.filter(city=city, is_active=True).select_related("city").order_by("code")


def registration_setting_for(point: RegistrationPoint) -> RegistrationSetting | None:
    return RegistrationSetting.objects.filter(city_id=point.city_id).first()


def _point_for(contract: TechContract, point) -> RegistrationPoint:
    points = registration_points_for(contract)
    if point is None or point == "":
        chosen = points.filter(code=DEFAULT_POINT_CODE).first() or points.first()
        if chosen is None:
            raise ApplicationError(_("卖方所在城市尚未设立启用的技术合同登记点，暂不能提交登记"), field="point",
                                   code="no_point")
        return chosen
    if isinstance(point, RegistrationPoint):
        chosen = points.filter(pk=point.pk).first()
    else:
        chosen = points.filter(code=str(point).strip()).first()
    if chosen is None:
        raise ApplicationError(_("登记点“{p}”不是卖方所在城市启用的技术合同登记点").format(p=point), field="point",
                               code="invalid_choice")
    return chosen


def _require_complete(contract: TechContract) -> None:
    errors = [ErrorItem(name, "required", _("提交登记前请填写{label}").format(label=label))
              for name, label in REQUIRED_FOR_SUBMISSION.items() if not getattr(contract, name)]
    if not contract.total_amount_fen:
        errors.append(ErrorItem("total_amount", "required", _("提交登记前请填写合同成交额（应大于 0）")))
    if errors:
        raise ApplicationError(errors=errors)


def clean_national_number(value, *, registered_on: datetime.date | None, point: RegistrationPoint) -> str:
    """A national registration number (16 digits: 年份 4 + 省市代码 4 + 登记点 2 + 流水号 6) for ``point``."""
    number = re.sub(r"\s+", "", str(value or ""))
    if not number:
        raise ApplicationError(_("请填写全国技术合同登记系统的登记编号"), field="registration_number", code="required")
    if not NUMBER_RE.fullmatch(number):
        raise ApplicationError(_("登记编号应为 16 位数字（年份 4 位 + 省市代码 4 位 + 登记点 2 位 + 流水号 6 位），"
                                 "收到“{n}”（{k} 位）").format(n=number, k=len(number)),
                               field="registration_number", code="invalid_format")
    errors = []
    if registered_on is not None and number[:4] != f"{registered_on.year:04d}":
        errors.append(ErrorItem("registration_number", "year_mismatch", _(
            "登记编号前 4 位年份“{y}”应与登记日期的年份 {ry} 一致").format(y=number[:4], ry=registered_on.year)))
    city4 = point.city.code[:4]
    if number[4:8] != city4:
        errors.append(ErrorItem("registration_number", "city_mismatch", _(
            "登记编号第 5–8 位“{c}”应为登记点所在城市的省市代码 {e}").format(c=number[4:8], e=city4)))
    if number[8:10] != point.code:
        errors.append(ErrorItem("registration_number", "point_mismatch", _(
            "登记编号第 9–10 位“{c}”应为登记点代码 {e}").format(c=number[8:10], e=point.code)))
    if number[10:] == "000000":
        errors.append(ErrorItem("registration_number", "invalid_serial", _("登记编号的流水号不能为 000000")))
    if errors:
        raise ApplicationError(errors=errors)
    return number


def registration_number_issue(*, point: RegistrationPoint, year: int, setting: RegistrationSetting) -> str:
    """The next number of ``point`` in ``year``: the serial row is created race-safely and locked until the
    caller's transaction ends, so concurrent registrations get consecutive serials and a rolled-back
    registration gives its serial back (gap-free). Must run inside the registration transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registration_number_issue must run inside the registration transaction")
    serial, _created = RegistrationSerial.objects.get_or_create(point=point, year=year)
    serial = RegistrationSerial.objects.select_for_update().get(pk=serial.pk)
    serial.last_serial += 1
    serial.save(update_fields=["last_serial"])
    return setting.format_number(year=year, point=point, serial=serial.last_serial)


def _number_unused(number: str, *, contract: TechContract) -> None:
    other = TechContract.objects.filter(registration_number=number).exclude(pk=contract.pk).first()
    if other is not None:
        raise ApplicationError(_("登记编号 {n} 已被合同“{c}”使用").format(n=number, c=other.name),
                               field="registration_number", code="duplicate")


# --- services -----------------------------------------------------------------------------------------

@transaction.atomic
def contract_submit(*, contract: TechContract, by, point=None, comment: str = "") -> TechContract:
    """提交登记: the seller side sends a complete draft (or a returned contract) to a registration point of
    the seller's city (default: point 01); the decision is due 30 days after the submission date."""
    contract = _locked(contract)
    _guard(contract, "submit", by, comment=comment)
    _require_complete(contract)
    chosen = _point_for(contract, point)
    now = timezone.now()
    contract = transition(contract, action="submit", by=by, comment=comment)
    contract.registration_point = chosen
    contract.submitted_at = now
    contract.decision_due_on = timezone.localdate(now) + datetime.timedelta(days=DECISION_DAYS)
    contract.examined_by = None
    contract.save(update_fields=["registration_point", "submitted_at", "decision_due_on", "examined_by",
                                 "updated_at"])
    _notify(_point_registrars(chosen), contract=contract,
            title=_("新的技术合同登记申请：{name}").format(name=contract.name),
            body=_("{seller}提交至{point}，请于 {due} 前作出登记决定。").format(
                seller=contract.seller_name, point=chosen.name, due=contract.decision_due_on.isoformat()))
    return contract


@transaction.atomic
def contract_withdraw(*, contract: TechContract, by, comment: str = "") -> TechContract:
    """撤回: the seller side takes a submitted contract back to draft before a registrar has acted."""
    contract = _locked(contract)
    _guard(contract, "withdraw", by, comment=comment)
    contract = transition(contract, action="withdraw", by=by, comment=comment)
    contract.registration_point = None
    contract.submitted_at = None
    contract.decision_due_on = None
    contract.save(update_fields=["registration_point", "submitted_at", "decision_due_on", "updated_at"])
    return contract


_UNSET = object()


@transaction.atomic
def contract_pre_examine(*, contract: TechContract, by, category=_UNSET, tech_field=_UNSET,
                         non_technical_costs=None, comment: str = "") -> TechContract:
    """初审: 审核 → 分类 (category and technology field may be corrected) → 核定技术交易额 (the itemised
    non-technical costs may be corrected; 技术交易额 = 合同成交额 − their sum, recomputed)."""
    contract = _locked(contract)
    _guard(contract, "pre_examine", by, comment=comment)
    data = {}
    if category is not _UNSET:
        data["category"] = category
    if tech_field is not _UNSET:
        data["tech_field"] = tech_field
    if non_technical_costs is not None:
        data["non_technical_costs"] = non_technical_costs
    before = audit_snapshot(contract)
    clean = contract_clean(data=data, contract=contract, today=timezone.localdate())
    clean.apply_to(contract)
    costs = clean.costs
    errors = [ErrorItem(name, "required", _("初审须确定{label}").format(label=label))
              for name, label in (("category", _("合同类别")), ("tech_field", _("技术领域")))
              if getattr(contract, name) is None]
    if errors:
        raise ApplicationError(errors=errors)
    contract.examined_by = by
    full_clean(contract, exclude=["achievement", "seller_organization"])
    contract.save()
    if costs is not None:
        _store_costs(contract, costs)
    after = audit_snapshot(contract)
    if _without_timestamps(after) != _without_timestamps(before):
        record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after,
                      comment=_("初审：分类、核定技术交易额"))
    return transition(contract, action="pre_examine", by=by, comment=comment)


@transaction.atomic
def contract_register(*, contract: TechContract, by, registration_number: str | None = None,
                      registered_on=None, comment: str = "") -> TechContract:
    """予以登记: records the national registration number and date, or issues the number here when the
    city's setting says so (registered today). Statistics count the contract in the same transaction."""
    contract = _locked(contract)
    _guard(contract, "register", by, comment=comment)
    point = contract.registration_point
    setting = registration_setting_for(point)
    today = timezone.localdate()
    on = date_clean(registered_on, field="registered_on", label=_("登记日期"))
    if setting is not None and setting.issues_numbers:
        if registration_number:
            raise ApplicationError(_("{city}由本平台发放登记编号，请不要填写登记编号").format(city=point.city.name),
                                   field="registration_number", code="issued_here")
        if on is not None and on != today:
            raise ApplicationError(_("本平台发号时登记日期为当天（{d}）").format(d=today.isoformat()),
                                   field="registered_on", code="invalid_date")
        on, source = today, RegistrationNumberSource.ISSUED
        number = None
    else:
        if on is None:
            raise ApplicationError(_("请填写全国技术合同登记系统的登记日期"), field="registered_on", code="required")
        if on > today:
            raise ApplicationError(_("登记日期不能晚于今天"), field="registered_on", code="in_future")
        submitted_on = timezone.localdate(contract.submitted_at) if contract.submitted_at else None
        if submitted_on and on < submitted_on:
            raise ApplicationError(_("登记日期不能早于提交登记的日期 {d}").format(d=submitted_on.isoformat()),
                                   field="registered_on", code="before_submission")
        number = clean_national_number(registration_number, registered_on=on, point=point)
        _number_unused(number, contract=contract)
        source = RegistrationNumberSource.NATIONAL
    contract = transition(contract, action="register", by=by, comment=comment)
    if number is None:
        number = registration_number_issue(point=point, year=on.year, setting=setting)
        _number_unused(number, contract=contract)
    contract.registration_number = number
    contract.registration_number_source = source
    contract.registered_on = on
    contract.deregistered_on = None
    contract.examined_by = by
    try:
        with transaction.atomic():
            contract.save(update_fields=["registration_number", "registration_number_source", "registered_on",
                                         "deregistered_on", "examined_by", "updated_at"])
    except IntegrityError:
        raise ApplicationError(_("登记编号 {n} 已被其他合同使用").format(n=number), field="registration_number",
                               code="duplicate") from None
    contractstats.stats_apply(contract, +1)
    _notify(_seller_users(contract), contract=contract,
            title=_("技术合同已登记：{name}").format(name=contract.name),
            body=_("登记编号 {n}，登记日期 {d}。可在合同页面下载登记证明。").format(n=number, d=on.isoformat()))
    return contract


@transaction.atomic
def contract_refuse(*, contract: TechContract, by, reason_code: str | None, comment: str = "") -> TechContract:
    """不予登记 with a coded reason (context ``registration_refuse``)."""
    contract = _locked(contract)
    _guard(contract, "refuse", by, comment=comment)
    contract = transition(contract, action="refuse", by=by, comment=comment, reason_code=reason_code)
    contract.examined_by = by
    contract.save(update_fields=["examined_by", "updated_at"])
    from techmarket.feedback.services import reason_label

    _notify(_seller_users(contract), contract=contract,
            title=_("技术合同不予登记：{name}").format(name=contract.name),
            body=_("原因：{r}。{c}").format(r=reason_label("registration_refuse", reason_code), c=comment))
    return contract


@transaction.atomic
def contract_return(*, contract: TechContract, by, comment: str) -> TechContract:
    """退回修改: back to the seller side, who corrects it and submits again (a new 30-day period)."""
    contract = _locked(contract)
    _guard(contract, "return", by, comment=comment)
    contract = transition(contract, action="return", by=by, comment=comment)
    contract.examined_by = by
    contract.save(update_fields=["examined_by", "updated_at"])
    _notify(_seller_users(contract), contract=contract,
            title=_("技术合同登记申请被退回修改：{name}").format(name=contract.name), body=comment)
    return contract


AMENDABLE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "buyer_organization")


@transaction.atomic
def contract_amend(*, contract: TechContract, by, data: dict, comment: str) -> TechContract:
    """登记变更: a registrar of the point changes registered fields with a comment. The statistics take the
    stored values out (−1) before saving and the new ones in (+1) after; the change is in the history."""
    contract = _locked(contract)
    _guard(contract, "amend", by, comment=comment)
    data = dict(data or {})
    if not data:
        raise ApplicationError(_("请填写需要变更的登记信息"), field="changes", code="required")
    unknown = sorted(set(data) - set(AMENDABLE_FIELDS))
    if unknown:
        raise ApplicationError(_("登记变更不能修改字段：{f}").format(f="、".join(unknown)), field=unknown[0],
                               code="not_editable")
    before = audit_snapshot(contract)
    clean = contract_clean(data=data, contract=contract, today=timezone.localdate())
    clean.apply_to(contract)
    costs = clean.costs
    full_clean(contract, exclude=["achievement", "seller_organization"])
    new_costs = [(i, f) for i, f in costs] if costs is not None else None
    old_costs = list(contract.non_technical_costs.values_list("item", "amount_fen"))
    from techmarket.core.audit import snapshot

    unchanged_fields = _without_timestamps(snapshot(contract)) == _without_timestamps(
        {k: v for k, v in before.items() if k != "non_technical_costs"})
    if unchanged_fields and (new_costs is None or new_costs == old_costs):
        raise ApplicationError(_("变更内容与原登记信息相同"), field="changes", code="unchanged")
    contractstats.stats_apply(TechContract.objects.get(pk=contract.pk), -1)  # the stored values
    contract.save()
    if costs is not None:
        _store_costs(contract, costs)
    record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after=audit_snapshot(contract), comment=_("登记变更：{c}").format(c=comment.strip())[:200])
    contract = transition(contract, action="amend", by=by, comment=comment)
    contractstats.stats_apply(TechContract.objects.get(pk=contract.pk), +1)
    return contract


@transaction.atomic
def contract_deregister(*, contract: TechContract, by, comment: str) -> TechContract:
    """注销登记 with a reason: the statistics take the contract out (−1, while still registered)."""
    contract = _locked(contract)
    _guard(contract, "deregister", by, comment=comment)
    contractstats.stats_apply(contract, -1)
    contract = transition(contract, action="deregister", by=by, comment=comment)
    contract.deregistered_on = timezone.localdate()
    contract.save(update_fields=["deregistered_on", "updated_at"])
    _notify(_seller_users(contract), contract=contract,
            title=_("技术合同已注销登记：{name}").format(name=contract.name), body=comment)
    return contract


def contract_registration_act(*, contract: TechContract, action: str, by, comment: str = "",
                              reason_code: str | None = None, **fields) -> TechContract:
    """Dispatch a registration action by name with its fields (``ACTION_FIELDS``); unknown fields for
    the action are refused with a Chinese message naming them."""
    allowed = set(ACTION_FIELDS.get(action, ()))
    extra = {k: v for k, v in fields.items() if v is not None}
    unknown = sorted(set(extra) - allowed)
    if unknown:
        spec = TRANSITIONS.get(action)
        raise ApplicationError(_("“{a}”操作不需要填写：{f}").format(a=spec.label if spec else action,
                                                            f="、".join(unknown)), field=unknown[0],
                               code="not_applicable")
    if action == "submit":
        return contract_submit(contract=contract, by=by, comment=comment, **extra)
    if action == "withdraw":
        return contract_withdraw(contract=contract, by=by, comment=comment)
    if action == "pre_examine":
        return contract_pre_examine(contract=contract, by=by, comment=comment, **extra)
    if action == "register":
        return contract_register(contract=contract, by=by, comment=comment, **extra)
    if action == "refuse":
        return contract_refuse(contract=contract, by=by, reason_code=reason_code, comment=comment)
    if action == "return":
        return contract_return(contract=contract, by=by, comment=comment)
    if action == "amend":
        return contract_amend(contract=contract, by=by, data=extra.get("changes") or {}, comment=comment)
    if action == "deregister":
        return contract_deregister(contract=contract, by=by, comment=comment)
    raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
