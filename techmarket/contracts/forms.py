"""Forms of the contract pages. They only shape input: every rule lives in services.py, whose
ApplicationError items are put back on the fields (and cost rows) they name."""
from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from techmarket.core.money import fen_to_yuan
from techmarket.directory.choices import OrganizationKind, PersonKind
from techmarket.directory.forms import DateInput, add_service_errors
from techmarket.directory.models import Organization, Person
from techmarket.taxonomies.models import Term

from techmarket.core.forms import ActionForm

from .choices import ContractStatus

REGION_HELP = _("6 位行政区划代码（GB/T 2260），如 410105")


def term_choices(scheme: str) -> list:
    """Codes of one scheme, sub-items indented under their group."""
    terms = Term.objects.filter(scheme__code=scheme, is_active=True).order_by("sort_order", "code")
    return [("", "—")] + [(t.code, ("\u3000" if t.level > 1 else "") + f"{t.code} {t.name}") for t in terms]


def _region_input():
    return forms.TextInput(attrs={"list": "region-codes", "inputmode": "numeric", "maxlength": "6",
                                  "autocomplete": "off"})


def _yuan(fen) -> str:
    value = fen_to_yuan(fen)
    return "" if value is None else f"{value:.2f}"


class ContractForm(forms.Form):
    name = forms.CharField(label=_("合同名称"), max_length=200)
    category = forms.ChoiceField(label=_("合同类别"), required=False)
    seller_name = forms.CharField(label=_("卖方名称"), max_length=200)
    seller_credit_code = forms.CharField(label=_("卖方统一社会信用代码"), required=False, max_length=40)
    seller_region = forms.CharField(label=_("卖方所在地区"), required=False, max_length=12, help_text=REGION_HELP,
                                    widget=_region_input())
    seller_nature = forms.ChoiceField(label=_("卖方性质"), required=False)
    buyer_name = forms.CharField(label=_("买方名称"), max_length=200)
    buyer_credit_code = forms.CharField(label=_("买方统一社会信用代码"), required=False, max_length=40,
                                        help_text=_("买方已在单位库登记时，按此代码关联买方单位"))
    buyer_region = forms.CharField(label=_("买方所在地区"), required=False, max_length=12, help_text=REGION_HELP,
                                   widget=_region_input())
    buyer_nature = forms.ChoiceField(label=_("买方性质"), required=False)
    total_amount = forms.CharField(label=_("合同成交额（元）"), max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   help_text=_("技术交易额 = 合同成交额 − 非技术性费用合计，保存时自动计算"))
    tech_field = forms.ChoiceField(label=_("技术领域"), required=False)
    ip_type = forms.ChoiceField(label=_("知识产权类型"), required=False)
    plan_category = forms.ChoiceField(label=_("计划类别"), required=False)
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=DateInput())
    valid_from = forms.DateField(label=_("有效期起"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("有效期止"), required=False, widget=DateInput())
    broker = forms.ChoiceField(label=_("技术经纪人"), required=False)
    broker_agency = forms.ChoiceField(label=_("技术转移机构"), required=False)
    expected_new_investment = forms.CharField(label=_("预计新增投入（元）"), required=False, max_length=20,
                                              help_text=_("技术转让、许可合同填写"))
    expected_new_output = forms.CharField(label=_("预计新增产值（元）"), required=False, max_length=20,
                                          help_text=_("技术转让、许可合同填写"))

    TERM_SCHEMES = {"category": "contract_category", "seller_nature": "party_nature",
                    "buyer_nature": "party_nature", "tech_field": "contract_field", "ip_type": "ip_type",
                    "plan_category": "plan_category"}

    def __init__(self, data=None, *, contract=None, seller=None):
        self.contract = contract
        self.seller = seller if contract is None else contract.seller_organization
        super().__init__(data, initial=self._initial(contract, self.seller))
        for name, scheme in self.TERM_SCHEMES.items():
            self.fields[name].choices = term_choices(scheme)
        brokers = Person.objects.filter(kind=PersonKind.BROKER).select_related("organization").order_by("name", "pk")
        self.fields["broker"].choices = [("", "—")] + [
            (str(p.pk), f"{p.name}（{p.organization.name}）" if p.organization_id else p.name) for p in brokers]
        agencies = Organization.objects.filter(kind=OrganizationKind.AGENCY).order_by("name", "pk")
        self.fields["broker_agency"].choices = [("", "—")] + [(str(o.pk), o.name) for o in agencies]

    @staticmethod
    def _initial(contract, seller) -> dict:
        if contract is None:
            if seller is None:
                return {}
            return {"seller_name": seller.name, "seller_credit_code": seller.credit_code,
                    "seller_region": seller.region.code if seller.region_id else "",
                    "seller_nature": seller.party_nature.code if seller.party_nature_id else ""}
        c = contract
        initial = {name: getattr(c, name) for name in ("name", "seller_name", "seller_credit_code", "buyer_name",
                                                        "buyer_credit_code", "signed_on", "valid_from", "valid_to")}
        for name in ContractForm.TERM_SCHEMES:
            term = getattr(c, name)
            initial[name] = term.code if term else ""
        initial.update({
            "seller_region": c.seller_region.code if c.seller_region_id else "",
            "buyer_region": c.buyer_region.code if c.buyer_region_id else "",
            "total_amount": _yuan(c.total_amount_fen),
            "expected_new_investment": _yuan(c.expected_new_investment_fen),
            "expected_new_output": _yuan(c.expected_new_output_fen),
            "broker": str(c.broker_id or ""), "broker_agency": str(c.broker_agency_id or ""),
        })
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        code = (data.get("buyer_credit_code") or "").strip().upper()
        buyer = Organization.objects.filter(credit_code=code).first() if code else None
        if buyer is not None and self.seller is not None and buyer.pk == self.seller.pk:
            buyer = None  # the service names the problem on the buyer's fields
        data["buyer_organization"] = buyer.pk if buyer is not None else None
        return data


class CostForm(forms.Form):
    item = forms.CharField(label=_("费用项目"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                                         "aria-label": _("费用项目")}))
    amount = forms.CharField(label=_("金额（元）"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                                           "inputmode": "decimal", "aria-label": _("金额（元）")}))


class BaseCostFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


CostFormSet = formset_factory(CostForm, formset=BaseCostFormSet, extra=2, can_delete=True, max_num=50)


def cost_formset(data=None, *, contract=None):
    initial = []
    if contract is not None:
        initial = [{"item": c.item, "amount": _yuan(c.amount_fen)} for c in contract.non_technical_costs.all()]
    return CostFormSet(data, initial=initial, prefix="costs")


def costs_from_formset(formset) -> tuple[list[dict], list]:
    """(rows for the service, the form of each row); blank and deleted rows are left out."""
    rows, row_forms = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        item, amount = (data.get("item") or "").strip(), (data.get("amount") or "").strip()
        if not item and not amount:
            continue
        rows.append({"item": item, "amount": amount})
        row_forms.append(form)
    return rows, row_forms


def place_service_errors(exc, form, row_forms) -> None:
    """Field errors onto the form, ``non_technical_costs.{i}.{field}`` onto cost row i."""
    rest = add_service_errors(form, exc, aliases={"buyer_organization": "buyer_credit_code",
                                                  "non_technical_costs": "total_amount"})
    for item in rest:
        parts = item.field.split(".")
        if len(parts) == 3 and parts[0] == "non_technical_costs" and parts[1].isdigit() \
                and int(parts[1]) < len(row_forms):
            row_form = row_forms[int(parts[1])]
            row_form.add_error(parts[2] if parts[2] in row_form.fields else None, item.message)
        else:
            form.add_error(None, item.message)


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + list(ContractStatus.choices))
    year = forms.IntegerField(label=_("签订年份"), required=False, min_value=1980, max_value=2100)
    overdue = forms.BooleanField(label=_("仅看逾期未决"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data.get("status") or None, "year": self.cleaned_data.get("year"),
                "overdue": bool(self.cleaned_data.get("overdue"))}


# --- the 办理 panel: each registration action with the inputs it takes ---------------------------------

COSTS_HELP = _("每行一项：费用项目 金额（元），如“服务器设备 50000.00”；清空表示没有非技术性费用")


def costs_text(contract) -> str:
    return "\n".join(f"{c.item} {_yuan(c.amount_fen)}" for c in contract.non_technical_costs.all())


def parse_costs(text: str) -> list[dict]:
    """Lines "项目 金额" → [{"item", "amount"}]; the service checks each amount and names the line."""
    rows = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        item, _sep, amount = line.replace("，", " ").replace(",", " ").replace("\t", " ").rpartition(" ")
        rows.append({"item": item.strip(), "amount": amount.strip()} if item.strip() else
                    {"item": "", "amount": line})
    return rows


class ContractActionForm(ActionForm):
    """One action of a contract's 办理 panel: the comment (and reason) of every workflow, plus what the
    registration actions take (point; category, field and costs; number and date; amended fields)."""

    def __init__(self, *args, contract, action: str, spec, review: bool = False, **kwargs):
        super().__init__(*args, action=action, spec=spec, review=review, **kwargs)
        self.contract = contract
        if action == "submit":
            from .registration import DEFAULT_POINT_CODE, registration_points_for

            points = list(registration_points_for(contract))
            self.fields["point"] = forms.ChoiceField(
                label=_("登记点"), required=False, choices=[(p.code, f"{p.code} {p.name}") for p in points],
                initial=DEFAULT_POINT_CODE, help_text=_("卖方所在城市的技术合同登记点"))
        elif action in ("pre_examine", "amend"):
            self.fields["category"] = forms.ChoiceField(label=_("合同类别"), required=False,
                                                        choices=term_choices("contract_category"),
                                                        initial=getattr(contract.category, "code", ""))
            self.fields["tech_field"] = forms.ChoiceField(label=_("技术领域"), required=False,
                                                          choices=term_choices("contract_field"),
                                                          initial=getattr(contract.tech_field, "code", ""))
            if action == "amend":
                self.fields["total_amount"] = forms.CharField(label=_("合同成交额（元）"), required=False,
                                                              initial=_yuan(contract.total_amount_fen))
            self.fields["costs"] = forms.CharField(label=_("非技术性费用"), required=False, help_text=COSTS_HELP,
                                                   initial=costs_text(contract),
                                                   widget=forms.Textarea(attrs={"rows": 3}))
        elif action == "register":
            from .registration import registration_setting_for

            setting = registration_setting_for(contract.registration_point) if contract.registration_point else None
            if setting is not None and setting.issues_numbers:
                self.issues_numbers = True
            else:
                self.fields["registration_number"] = forms.CharField(
                    label=_("全国登记编号"), required=False, max_length=32,
                    help_text=_("全国技术合同登记系统的 16 位登记编号"))
                self.fields["registered_on"] = forms.DateField(label=_("登记日期"), required=False,
                                                               widget=DateInput())
        # The comment last, after the action's own inputs.
        self.order_fields([n for n in self.fields if n != "comment"] + ["comment"])

    issues_numbers = False

    def action_fields(self) -> dict:
        """The service's keyword arguments for this action (only what changed, for amendments)."""
        data = self.cleaned_data
        if self.action == "submit":
            return {"point": data.get("point") or None}
        if self.action == "pre_examine":
            return {"category": data.get("category") or None, "tech_field": data.get("tech_field") or None,
                    "non_technical_costs": parse_costs(data.get("costs"))}
        if self.action == "register" and not self.issues_numbers:
            return {"registration_number": data.get("registration_number") or None,
                    "registered_on": data.get("registered_on")}
        if self.action == "amend":
            changes = {}
            for name in ("category", "tech_field", "total_amount"):
                if (data.get(name) or "") != (self.fields[name].initial or ""):
                    changes[name] = data.get(name) or None
            if (data.get("costs") or "").strip() != self.fields["costs"].initial.strip():
                changes["non_technical_costs"] = parse_costs(data.get("costs"))
            return {"changes": changes}
        return {}


def contract_action_form_factory(contract):
    """The ``form`` callable of core.views.workflow_action_panel / workflow_action_post for ``contract``."""
    from django.utils.translation import gettext

    def build(data=None, *, action: str, spec, review: bool = False, label=None) -> ContractActionForm:
        form = ContractActionForm(data, contract=contract, action=action, spec=spec, review=review)
        form.fields["comment"].error_messages["required"] = gettext("请填写意见")
        if label is not None:
            form.fields["comment"].label = label
        elif spec.comment_required and not spec.reason_context:
            form.fields["comment"].label = gettext("{action}说明").format(action=spec.label)
        return form

    return build


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("付款日期"), widget=DateInput())
    amount = forms.CharField(label=_("付款金额（元）"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    voucher = forms.FileField(label=_("转账凭证"), required=False, help_text=_("PDF、OFD、JPG 或 PNG"))
    invoice = forms.FileField(label=_("发票"), required=False, help_text=_("PDF、OFD、JPG 或 PNG"))
