"""Every write of technology contracts (技术合同, SPEC C1): the draft a closing deal makes, a contract the
seller side enters itself, edits of drafts with their itemised non-technical costs, and cancellation.

技术交易额 is never entered: it is 合同成交额 minus the sum of the non-technical costs, recomputed in the
transaction that changes either.

Validation has one path, ``contract_clean`` (validate only, saves nothing): the services here, the
registration services and both .xlsx imports (``imports.py``, ``national.py``) use it.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.achievements.lifecycle import full_clean
from techmarket.core.audit import record_change, snapshot
from techmarket.core.dates import date_clean
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_str, yuan_to_fen
from techmarket.core.workflows import transition
from techmarket.directory.choices import OrganizationKind, PersonKind
from techmarket.directory.credit_code import credit_code_problem, normalize
from techmarket.directory.models import Organization, Person
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_get
from techmarket.taxonomies.models import Term

from . import prefill
from .choices import ContractSource, ContractStatus
from .models import NonTechnicalCost, TechContract
from .permissions import can_create_contract, contract_edit_refusal

__all__ = ["contract_clean", "CleanContract", "contract_field_clean", "clean_amount", "contract_create_from_deal",
           "contract_create_from_challenge", "contract_record_signing",
           "contract_create", "contract_update", "contract_act", "contract_cancel", "audit_snapshot",
           "EDITABLE_FIELDS", "FIELD_LABELS", "TERM_SCHEMES"]

EDITABLE_FIELDS = (
    "name", "category", "seller_name", "seller_credit_code", "seller_region", "seller_nature",
    "buyer_organization", "buyer_name", "buyer_credit_code", "buyer_region", "buyer_nature",
    "total_amount", "non_technical_costs", "tech_field", "ip_type", "plan_category", "signed_on", "valid_from",
    "valid_to", "broker", "broker_agency", "expected_new_investment", "expected_new_output",
)
TERM_FIELDS = {
    "category": ("contract_category", _("合同类别")),
    "seller_nature": ("party_nature", _("卖方性质")),
    "buyer_nature": ("party_nature", _("买方性质")),
    "tech_field": ("contract_field", _("技术领域")),
    "ip_type": ("ip_type", _("知识产权类型")),
    "plan_category": ("plan_category", _("计划类别")),
}
REGION_FIELDS = {"seller_region": _("卖方所在地区"), "buyer_region": _("买方所在地区")}
CREDIT_CODE_FIELDS = {"seller_credit_code": _("卖方统一社会信用代码"), "buyer_credit_code": _("买方统一社会信用代码")}
NAME_FIELDS = {"name": (_("合同名称"), 200), "seller_name": (_("卖方名称"), 200), "buyer_name": (_("买方名称"), 200)}
OPTIONAL_MONEY_FIELDS = {"expected_new_investment": _("预计新增投入"), "expected_new_output": _("预计新增产值")}
DATE_FIELDS = {"signed_on": _("签订日期"), "valid_from": _("有效期起"), "valid_to": _("有效期止")}
# Every editable field's name as the forms, templates and messages say it (public: importers label columns).
FIELD_LABELS = {
    "buyer_organization": _("买方单位"),
    **{name: label for name, (label, _max) in NAME_FIELDS.items()},
    **CREDIT_CODE_FIELDS, **REGION_FIELDS,
    **{name: label for name, (_scheme, label) in TERM_FIELDS.items()},
    "total_amount": _("合同成交额"), "non_technical_costs": _("非技术性费用"),
    **OPTIONAL_MONEY_FIELDS, **DATE_FIELDS,
    "broker": _("技术经纪人"), "broker_agency": _("技术转移机构"),
}
# The taxonomy scheme (taxonomies.Scheme.code) of each term field.
TERM_SCHEMES = {name: scheme for name, (scheme, _label) in TERM_FIELDS.items()}
BUYER_FROM_ORGANIZATION = {"buyer_name": "name", "buyer_credit_code": "credit_code", "buyer_region": "region",
                           "buyer_nature": "party_nature"}
COST_ITEM_MAX = 100
MAX_COSTS = 50
_MISSING = object()


# --- field rules (each raises ApplicationError naming its field) ----------------------------------------

def _text(value, *, field: str, label, max_length: int, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")
    if len(text) > max_length:
        raise ApplicationError(_("{label}不能超过 {n} 个字").format(label=label, n=max_length), field=field,
                               code="too_long")
    return text


def _term(value, *, field: str) -> Term | None:
    scheme, label = TERM_FIELDS[field]
    if value is None or value == "":
        return None
    if isinstance(value, Term):
        if value.scheme.code != scheme or not value.is_active:
            raise ApplicationError(_("{label}不是有效的选项").format(label=label), field=field, code="invalid_choice")
        return value
    key = str(value).strip().split(" ", 1)[0]
    term = Term.objects.filter(scheme__code=scheme, code=key, is_active=True).first()
    if term is None:
        raise ApplicationError(_("{label}“{v}”不是有效的代码").format(label=label, v=value), field=field,
                               code="unknown_term")
    return term


def _region(value, *, field: str) -> Region | None:
    label = REGION_FIELDS[field]
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    code = str(value).strip()
    if not re.fullmatch(r"\d{6}", code):
        raise ApplicationError(_("{label}应为 6 位行政区划代码（GB/T 2260），如 410105").format(label=label),
                               field=field, code="invalid_region")
    try:
        return region_get(code)
    except Region.DoesNotExist:
        raise ApplicationError(_("{label}“{c}”不是有效的行政区划代码").format(label=label, c=code), field=field,
                               code="invalid_region") from None


def _credit_code(value, *, field: str) -> str:
    code = normalize(value)
    if not code:
        return ""
    problem = credit_code_problem(code)
    if problem:
        raise ApplicationError(_("{label}无效：{p}").format(label=CREDIT_CODE_FIELDS[field], p=problem), field=field,
                               code="invalid_credit_code")
    return code


def clean_amount(value, *, field: str, label, required: bool = False) -> int | None:
    """The rule of every money amount of a contract: yuan (``"1234.50"``, Decimal, int) → integer fen, at
    most two decimals, not negative; empty → None, or ``请填写{label}`` when ``required``. Raises
    ApplicationError naming ``field``. For amounts that are not contract fields (the national export's
    技术交易额); the contract's own amounts go through ``contract_clean``."""
    if value is None or value == "":
        if required:
            raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")
        return None
    try:
        fen = yuan_to_fen(value, field=field)
    except ApplicationError as exc:
        raise ApplicationError(_("{label}：{m}").format(label=label, m=exc.errors[0].message), field=field,
                               code=exc.errors[0].code) from None
    if fen < 0:
        raise ApplicationError(_("{label}不能为负数").format(label=label), field=field, code="negative")
    return fen


def _organization(value, *, field: str, label) -> Organization | None:
    if value is None or value == "":
        return None
    if isinstance(value, Organization):
        return value
    try:
        return Organization.objects.select_related("region", "party_nature").get(pk=int(value))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise ApplicationError(_("{label}不存在").format(label=label), field=field, code="invalid_choice") from None


def _agency(value) -> Organization | None:
    agency = _organization(value, field="broker_agency", label=FIELD_LABELS["broker_agency"])
    if agency is not None and agency.kind != OrganizationKind.AGENCY:
        raise ApplicationError(_("技术转移机构应为单位库中的技术转移机构"), field="broker_agency", code="invalid_choice")
    return agency


def _broker(value) -> Person | None:
    if value is None or value == "":
        return None
    person = value if isinstance(value, Person) else Person.objects.filter(pk=value).first() \
        if str(value).isdigit() else None
    if person is None or person.kind != PersonKind.BROKER:
        raise ApplicationError(_("技术经纪人应为人才库中登记的技术经纪人"), field="broker", code="invalid_choice")
    return person


def _costs(value) -> list[tuple[str, int]]:
    """[{"item", "amount"}] → [(item, fen)]; each item named, each amount above zero."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ApplicationError(_("非技术性费用应为列表"), field="non_technical_costs", code="invalid")
    if len(value) > MAX_COSTS:
        raise ApplicationError(_("非技术性费用最多 {n} 项").format(n=MAX_COSTS), field="non_technical_costs",
                               code="too_many")
    rows, errors = [], []
    for i, row in enumerate(value):
        row = row if isinstance(row, dict) else {}
        n = i + 1
        item = str(row.get("item") or "").strip()
        if not item:
            errors.append(ErrorItem(f"non_technical_costs.{i}.item", "required",
                                    _("非技术性费用第 {n} 项：请填写费用项目").format(n=n)))
        elif len(item) > COST_ITEM_MAX:
            errors.append(ErrorItem(f"non_technical_costs.{i}.item", "too_long",
                                    _("非技术性费用第 {n} 项：费用项目不能超过 {m} 个字").format(n=n, m=COST_ITEM_MAX)))
        amount = row.get("amount")
        fen = None
        try:
            fen = yuan_to_fen(amount, field=f"non_technical_costs.{i}.amount")
        except ApplicationError as exc:
            errors.append(ErrorItem(f"non_technical_costs.{i}.amount", exc.errors[0].code,
                                    _("非技术性费用第 {n} 项金额：{m}").format(n=n, m=exc.errors[0].message)))
        if fen is not None and fen <= 0:
            errors.append(ErrorItem(f"non_technical_costs.{i}.amount", "not_positive",
                                    _("非技术性费用第 {n} 项金额应大于 0").format(n=n)))
        rows.append((item, fen))
    if errors:
        raise ApplicationError(errors=errors)
    return rows


# One rule per editable field, in the order their errors are reported.
_FIELD_RULES = {
    "buyer_organization": partial(_organization, field="buyer_organization", label=FIELD_LABELS["buyer_organization"]),
    **{name: partial(_text, field=name, label=label, max_length=max_length, required=True)
       for name, (label, max_length) in NAME_FIELDS.items()},
    **{name: partial(_credit_code, field=name) for name in CREDIT_CODE_FIELDS},
    **{name: partial(_region, field=name) for name in REGION_FIELDS},
    **{name: partial(_term, field=name) for name in TERM_FIELDS},
    "total_amount": partial(clean_amount, field="total_amount", label=FIELD_LABELS["total_amount"], required=True),
    **{name: partial(clean_amount, field=name, label=label, required=False)
       for name, label in OPTIONAL_MONEY_FIELDS.items()},
    **{name: partial(date_clean, field=name, label=label) for name, label in DATE_FIELDS.items()},
    "broker": _broker,
    "broker_agency": _agency,
    "non_technical_costs": _costs,
}
# The model attribute a field's value is stored in (amounts are stored in fen).
_ATTRIBUTES = {"total_amount": "total_amount_fen", "expected_new_investment": "expected_new_investment_fen",
               "expected_new_output": "expected_new_output_fen"}


def contract_field_clean(field: str, value):
    """One editable field's own rule, exactly as ``contract_clean`` applies it: the model value (a Term,
    Region, Organization, Person, date, stripped text, or fen for an amount; the ``[(item, fen)]`` rows
    for ``non_technical_costs``). Raises ApplicationError naming the field. For importers that convert
    each distinct cell once; rules across fields (dates in order, costs within the total, buyer not the
    seller) are ``contract_clean``'s."""
    if field not in _FIELD_RULES:
        raise ApplicationError(_("不能修改字段：{f}").format(f=field), field=field, code="not_editable")
    return _FIELD_RULES[field](value)


# --- validating input -----------------------------------------------------------------------------------

class _Collector:
    """Gathers the errors of every field, so one answer names them all."""

    def __init__(self):
        self.errors: list[ErrorItem] = []

    def take(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ApplicationError as exc:
            self.errors.extend(exc.errors)
            return _MISSING

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApplicationError(errors=self.errors)


@dataclass(frozen=True)
class CleanContract:
    """What ``contract_clean`` accepted, not yet saved.

    ``values``: model attribute → validated value for every field the input named (amounts as
    ``total_amount_fen`` etc. in fen), plus the computed ``tech_amount_fen``, and for a new contract the
    seller organization's registry data (``seller_organization``, ``seller_name`` …) where the input did
    not state otherwise. ``costs``: the itemised non-technical costs ``[(item, fen)]`` to store, or None
    when the input left an existing contract's costs unchanged (always a list for a new contract).
    """

    values: dict
    costs: list[tuple[str, int]] | None

    @property
    def tech_amount_fen(self) -> int:
        return self.values["tech_amount_fen"]

    def apply_to(self, contract: TechContract) -> TechContract:
        """Set the values on ``contract`` (in memory; the caller saves it and stores ``costs``)."""
        for name, value in self.values.items():
            setattr(contract, name, value)
        return contract

    def new_contract(self, **fields) -> TechContract:
        """An unsaved TechContract with the values and ``fields`` (status, source, created_by …)."""
        return TechContract(**self.values, **fields)


def contract_clean(*, data: dict, seller_organization: Organization | None = None,
                   contract: TechContract | None = None, today: datetime.date | None = None) -> CleanContract:
    """Validate contract input with every C1 rule and return the values to store, saving nothing.

    The one validation path of technology contracts: ``contract_create``, ``contract_update``, the
    registration services, the seller-side .xlsx import and the national-system import all use it.

    ``data`` holds only ``EDITABLE_FIELDS`` (any other key is refused, ``not_editable``), as the API
    takes them: terms as Term or code (``"11"`` / ``"11 委托开发"``), regions as Region or 6-digit code,
    organizations and brokers as object or id, amounts in yuan, dates as date or ``YYYY-MM-DD``,
    ``non_technical_costs`` as ``[{"item", "amount"}]``.

    * A new contract (``contract`` None): ``name``, ``total_amount`` and — unless ``buyer_organization``
      is given — ``buyer_name`` are required. ``seller_organization`` (None for a seller outside the
      registry, as in the national import) is the seller; its name, credit code, region and nature are
      the defaults of the ``seller_*`` fields.
    * An existing ``contract`` (not modified): only the fields in ``data`` change; the rules across fields
      see its other values and, unless ``non_technical_costs`` is given, its stored costs.

    A buyer organization from the registry fills the ``buyer_*`` fields the same input does not state.
    Rules across fields: the buyer is not the seller, 签订日期 not after ``today`` (default: today in
    the site's time zone), 有效期止 not before 有效期起 nor 签订日期, non-technical costs not above
    合同成交额. 技术交易额 = 合同成交额 − the costs' sum. Raises ApplicationError with one item per bad
    field (field names as in ``data``; ``non_technical_costs.<i>.item|amount`` for a cost row) and the
    Chinese message naming it; rules across fields are checked once every field is valid.
    """
    if contract is not None and seller_organization is not None:
        raise TypeError("contract_clean() takes either contract (an edit) or seller_organization (a new contract)")
    today = today or timezone.localdate()
    data = dict(data)
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(unknown)), field=unknown[0],
                               code="not_editable")
    values: dict = {}
    if contract is None:
        data.setdefault("name", "")
        data.setdefault("total_amount", None)
        if not data.get("buyer_organization"):
            data.setdefault("buyer_name", "")
        seller_id = None
        if seller_organization is not None:
            seller_id = seller_organization.pk
            values.update(seller_organization=seller_organization, seller_name=seller_organization.name,
                          seller_credit_code=seller_organization.credit_code,
                          seller_region=seller_organization.region, seller_nature=seller_organization.party_nature)
    else:
        seller_id = contract.seller_organization_id

    c = _Collector()
    if "buyer_organization" in data:
        buyer = c.take(contract_field_clean, "buyer_organization", data["buyer_organization"])
        if buyer is not _MISSING:
            if buyer is not None and buyer.pk == seller_id:
                c.errors.append(ErrorItem("buyer_organization", "same_party", _("买方不能与卖方为同一单位")))
            else:
                values["buyer_organization"] = buyer
                if buyer is not None:  # the registry's data, unless the same request states otherwise
                    data = {**{k: getattr(buyer, attr) for k, attr in BUYER_FROM_ORGANIZATION.items()}, **data}
                    data["buyer_credit_code"] = data["buyer_credit_code"] or ""
    costs = None
    for name in _FIELD_RULES:
        if name == "buyer_organization" or name not in data:
            continue
        value = c.take(contract_field_clean, name, data[name])
        if value is _MISSING:
            continue
        if name == "non_technical_costs":
            costs = value
        else:
            values[_ATTRIBUTES.get(name, name)] = value
    c.raise_if_any()

    # Rules across fields.
    def current(name: str):
        if name in values:
            return values[name]
        return getattr(contract, name) if contract is not None else None

    signed_on, valid_from, valid_to = current("signed_on"), current("valid_from"), current("valid_to")
    total_fen = current("total_amount_fen")
    if signed_on and signed_on > today:
        c.errors.append(ErrorItem("signed_on", "in_future", _("签订日期不能晚于今天")))
    if valid_from and valid_to and valid_from > valid_to:
        c.errors.append(ErrorItem("valid_to", "invalid_range", _("有效期止不能早于有效期起")))
    if signed_on and valid_to and valid_to < signed_on:
        c.errors.append(ErrorItem("valid_to", "invalid_range", _("有效期止不能早于签订日期")))
    rows = costs if costs is not None else (list(contract.non_technical_costs.values_list("item", "amount_fen"))
                                             if contract is not None and contract.pk else [])
    total_costs = sum(fen for _item, fen in rows)
    if total_fen is not None and total_costs > total_fen:
        c.errors.append(ErrorItem("non_technical_costs", "exceeds_total", _(
            "非技术性费用合计 {costs} 元不能超过合同成交额 {total} 元").format(
            costs=yuan_str(total_costs), total=yuan_str(total_fen))))
    c.raise_if_any()
    values["tech_amount_fen"] = total_fen - total_costs
    if costs is None and contract is None:
        costs = []
    return CleanContract(values=values, costs=costs)


def audit_snapshot(contract: TechContract) -> dict:
    """The contract's fields plus its itemised costs, so the history shows cost changes too."""
    data = snapshot(contract)
    data["non_technical_costs"] = [{"item": item, "amount": yuan_str(fen)} for item, fen in
                                   contract.non_technical_costs.values_list("item", "amount_fen")]
    return data


def _store_costs(contract: TechContract, rows: list[tuple[str, int]]) -> None:
    contract.non_technical_costs.all().delete()
    NonTechnicalCost.objects.bulk_create([NonTechnicalCost(contract=contract, item=item, amount_fen=fen)
                                          for item, fen in rows])


# --- services -------------------------------------------------------------------------------------------

@transaction.atomic
def contract_create_from_deal(*, deal, by) -> TechContract:
    """The draft contract of a closing deal (SPEC M6 → C1), pre-filled from the deal; idempotent.

    Called by the deals app inside the transaction that closes the deal, which then sets
    ``Deal.contract`` to the result. ``by`` is whoever closes the deal (or core.actors.SYSTEM); the
    deal service has decided that they may, so no permission is checked here. The seller side then
    completes and corrects the draft (``contract_update``).
    """
    if deal.contract_id:
        return deal.contract
    achievement, seller, buyer = deal.achievement, deal.seller, deal.buyer
    ip_type = achievement.ip_type
    category_code = prefill.category_code_for(transfer_mode=deal.transfer_mode,
                                              ip_type_code=ip_type.code if ip_type else None)
    broker = deal.broker
    agency = broker.organization if broker is not None and broker.organization_id else None
    if agency is not None and agency.kind != OrganizationKind.AGENCY:
        agency = None
    closed = deal.closed_at or timezone.now()
    contract = TechContract(
        source=ContractSource.DEAL,
        name=prefill.contract_name_for(title=achievement.title, transfer_mode=deal.transfer_mode),
        category=prefill.term_or_none("contract_category", category_code),
        seller_organization=seller, seller_name=seller.name, seller_credit_code=seller.credit_code,
        seller_region=seller.region, seller_nature=seller.party_nature,
        buyer_organization=buyer, buyer_name=buyer.name, buyer_credit_code=buyer.credit_code,
        buyer_region=buyer.region, buyer_nature=buyer.party_nature,
        total_amount_fen=deal.price_fen, tech_amount_fen=deal.price_fen,
        tech_field=prefill.contract_field_for(achievement.tech_field),
        ip_type=ip_type,
        signed_on=timezone.localtime(closed).date(),
        broker=broker, broker_agency=agency, achievement=achievement,
        created_by=by if isinstance(by, get_user_model()) and by.pk else None,
    )
    contract.save()
    record_change(obj=contract, action=ObjectChange.Action.CREATE, by=by, after=audit_snapshot(contract),
                  comment=_("成交生成合同草稿"))
    _notify_seller_of_draft(contract)
    return contract


# 技术开发（委托）: a 揭榜挂帅 project is the setter commissioning the solver to develop the technology.
CHALLENGE_CATEGORY = "11"


@transaction.atomic
def contract_create_from_challenge(*, challenge, by) -> TechContract:
    """The draft contract of an awarded 揭榜挂帅 challenge (J2 → C1), pre-filled for registration; idempotent.

    Called by the challenges app inside the transaction of the award (开榜), which then sets
    ``Challenge.contract`` to the result. The seller is the winning application's lead unit, the buyer the
    enterprise that set the challenge; the amount is the winning price. ``by`` is whoever awards; the
    challenge service has decided that they may, so no permission is checked here. The seller side then
    completes the draft (``contract_update``) and submits it for registration.
    """
    if challenge.contract_id:
        return challenge.contract
    application = challenge.winner
    seller, buyer = application.organization, challenge.owner_organization
    suffix = _("技术开发合同")
    title = (challenge.title or "").strip()
    room = prefill.NAME_MAX - len(suffix) - 2
    if len(title) > room:
        title = title[: room - 1] + "…"
    contract = TechContract(
        source=ContractSource.CHALLENGE,
        name="《{t}》{s}".format(t=title, s=suffix),
        category=prefill.term_or_none("contract_category", CHALLENGE_CATEGORY),
        seller_organization=seller, seller_name=seller.name, seller_credit_code=seller.credit_code,
        seller_region=seller.region, seller_nature=seller.party_nature,
        buyer_organization=buyer, buyer_name=buyer.name, buyer_credit_code=buyer.credit_code,
        buyer_region=buyer.region, buyer_nature=buyer.party_nature,
        total_amount_fen=application.price_fen, tech_amount_fen=application.price_fen,
        tech_field=prefill.contract_field_for(challenge.tech_field),
        created_by=by if isinstance(by, get_user_model()) and by.pk else None,
    )
    contract.save()
    record_change(obj=contract, action=ObjectChange.Action.CREATE, by=by, after=audit_snapshot(contract),
                  comment=_("揭榜挂帅开榜生成合同草稿"))
    return contract


def contract_record_signing(*, contract: TechContract, signed_on, by) -> TechContract:
    """A project that started elsewhere (a 揭榜挂帅 challenge) reports the date its contract was signed.

    Fills 签订日期 of a draft or returned contract whose seller has not entered one yet, so the registration
    form arrives complete; a date the seller already typed, or a contract already under examination, is
    left alone: the seller's own record wins.
    """
    if contract.signed_on is not None or contract.status not in (ContractStatus.DRAFT, ContractStatus.RETURNED):
        return contract
    before = audit_snapshot(contract)
    contract.signed_on = signed_on
    contract.save(update_fields=["signed_on", "updated_at"])
    record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after=audit_snapshot(contract), comment=_("揭榜项目确认合同签订日期"))
    return contract


def _notify_seller_of_draft(contract: TechContract) -> None:
    from techmarket.notifications.services import notify

    recipients = get_user_model().objects.filter(organization_id=contract.seller_organization_id, is_active=True)
    notify(recipients=list(recipients), topic="contracts",
           title=_("成交已生成技术合同草稿：{name}").format(name=contract.name),
           body=_("请核对合同类别、技术领域、有效期等登记信息，并逐项填写设备、原材料等非技术性费用。"),
           link=contract.get_absolute_url(), about=contract)


@transaction.atomic
def contract_create(*, by, data: dict) -> TechContract:
    """A contract the seller side enters directly (source 直接录入): the caller's organization is the seller."""
    if not can_create_contract(by):
        raise PermissionDenied(_("只有企业、高校院所、技术转移机构等单位的用户可以录入技术合同"))
    clean = contract_clean(data=data, seller_organization=by.organization)
    contract = clean.new_contract(source=ContractSource.ENTERED, created_by=by)
    full_clean(contract, exclude=["achievement", "seller_organization"])
    contract.save()
    _store_costs(contract, clean.costs)
    record_change(obj=contract, action=ObjectChange.Action.CREATE, by=by, after=audit_snapshot(contract))
    return contract


@transaction.atomic
def contract_update(*, contract: TechContract, by, data: dict) -> TechContract:
    """The seller side edits a draft; 技术交易额 is recomputed with the costs in the same transaction."""
    contract = TechContract.objects.select_for_update().get(pk=contract.pk)
    refusal = contract_edit_refusal(by, contract)
    if refusal:
        raise PermissionDenied(refusal)
    before = audit_snapshot(contract)
    clean = contract_clean(data=data, contract=contract)
    clean.apply_to(contract)
    full_clean(contract, exclude=["achievement", "seller_organization"])
    contract.save()
    if clean.costs is not None:
        _store_costs(contract, clean.costs)
    after = audit_snapshot(contract)
    if _without_timestamps(after) != _without_timestamps(before):
        record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return contract


def _without_timestamps(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "updated_at"}


def contract_act(*, contract: TechContract, action: str, by, comment: str = "",
                 reason_code: str | None = None, **fields) -> TechContract:
    """Any workflow action by name (API ``POST /contracts/{id}/actions/{action}``, the 办理 panel).

    Registration actions (submit, withdraw, pre_examine, register, refuse, return, amend, deregister)
    go through their services in registration.py with the fields they take (``point``, ``category``,
    ``tech_field``, ``non_technical_costs``, ``registration_number``, ``registered_on``, ``changes``).
    """
    from .registration import contract_registration_act

    if action != "cancel":
        return contract_registration_act(contract=contract, action=action, by=by, comment=comment,
                                         reason_code=reason_code, **fields)
    extra = sorted(k for k, v in fields.items() if v is not None)
    if extra:
        raise ApplicationError(_("“作废”操作不需要填写：{f}").format(f="、".join(extra)), field=extra[0],
                               code="not_applicable")
    return transition(contract, action=action, by=by, comment=comment, reason_code=reason_code)


def contract_cancel(*, contract: TechContract, by, comment: str) -> TechContract:
    """作废 a draft or a returned contract (the seller side; a comment is required)."""
    return contract_act(contract=contract, action="cancel", by=by, comment=comment)
