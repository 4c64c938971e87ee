"""Forms of the achievement and demand pages: list filters, the owner's edit form, attachments, review actions.

The forms only shape input (万元 → yuan strings, codes → terms and regions); every rule lives in the
services, whose ApplicationError items go back onto the fields of the same name
(``techmarket.directory.forms.add_service_errors``).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm  # noqa: F401  (moved to core; old imports keep working)
from techmarket.directory.forms import DateInput, RegistryFilterForm, hitech_field_choices, seed_region_choices
from techmarket.regions.models import Region
from techmarket.taxonomies.models import Term

from .choices import TRL_CHOICES, TransferMode

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)


def wan_to_yuan(value) -> str | None:
    """A 万元 amount from a form → the yuan string the services take ("12.5" → "125000.00")."""
    if value in (None, ""):
        return None
    return f"{(Decimal(value) * TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def fen_to_wan(fen: int | None) -> Decimal | None:
    """Stored fen → the 万元 value shown in a form field (trailing zeros dropped)."""
    if fen is None:
        return None
    value = (Decimal(fen) / 1_000_000).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


class WanField(forms.DecimalField):
    """An amount in 万元 (up to six decimals, i.e. to the fen)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
        super().__init__(**kwargs)


TRL_FILTER_CHOICES = [("", _("不限"))] + [(str(n), "TRL{n}".format(n=n)) for n, _label in TRL_CHOICES]


# Filters ------------------------------------------------------------------------------------------

class AchievementFilterForm(RegistryFilterForm):
    trl_min = forms.ChoiceField(label=_("技术就绪水平不低于"), required=False, choices=TRL_FILTER_CHOICES)
    trl_max = forms.ChoiceField(label=_("技术就绪水平不高于"), required=False, choices=TRL_FILTER_CHOICES)
    price_min = WanField(label=_("价格不低于（万元）"))
    price_max = WanField(label=_("价格不高于（万元）"))

    field_order = ["q", "region", "region_code", "field", "trl_min", "trl_max", "price_min", "price_max"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("trl_min"), cleaned.get("trl_max")
        if low and high and int(low) > int(high):
            self.add_error("trl_max", _("上限不能低于下限"))
        return cleaned

    def extra_filters(self, data) -> dict:
        return {"trl_min": int(data["trl_min"]) if data.get("trl_min") else None,
                "trl_max": int(data["trl_max"]) if data.get("trl_max") else None,
                "price_min": wan_to_yuan(data.get("price_min")), "price_max": wan_to_yuan(data.get("price_max"))}


class DemandFilterForm(RegistryFilterForm):
    budget_min = WanField(label=_("预算不低于（万元）"))
    budget_max = WanField(label=_("预算不高于（万元）"))

    field_order = ["q", "region", "region_code", "field", "budget_min", "budget_max"]

    def extra_filters(self, data) -> dict:
        return {"budget_min": wan_to_yuan(data.get("budget_min")), "budget_max": wan_to_yuan(data.get("budget_max"))}


class ManageFilterForm(forms.Form):
    """The managed lists: keyword and status."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, status_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态"))] + list(status_choices)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"q": self.cleaned_data["q"] or None, "status": self.cleaned_data["status"] or None}


# Edit forms ---------------------------------------------------------------------------------------

def _region_choices(current: Region | None) -> list:
    choices = seed_region_choices()
    known = set()
    for value, label in choices:
        known |= {v for v, _l in label} if isinstance(label, (list, tuple)) else {value}
    if current is not None and current.code not in known:
        choices = [(current.code, current.full_name)] + choices
    return [("", _("同所属单位"))] + choices


def _term(scheme: str, code: str, *, field: str) -> Term | None:
    from techmarket.achievements.api_common import resolve_term

    return resolve_term(scheme, code, field=field)


class MarketRecordForm(forms.Form):
    """Fields both records share; subclasses add theirs and ``service_data``."""

    title = forms.CharField(label=_("名称"), max_length=200)
    keywords = forms.CharField(label=_("关键词"), required=False, max_length=600,
                               help_text=_("用逗号或顿号分隔，最多 10 个，每个不超过 20 个字"))
    tech_field = forms.ChoiceField(label=_("技术领域"), help_text=_("国家重点支持的高新技术领域"))
    region = forms.ChoiceField(label=_("所在区域"), required=False, help_text=_("不选则取所属单位所在区域"))
    contact = forms.ChoiceField(label=_("联系人"), required=False, help_text=_("本单位登记的人员，仅管理视图可见"))
    confidential_detail = forms.CharField(
        label=_("保密信息"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("技术方案、工艺参数等；仅所属单位、管理人员和经批准并签署保密协议的单位可见，每次查看均有记录"))
    publish_at = forms.DateTimeField(
        label=_("计划发布时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], help_text=_("为空表示审核通过后立即发布"))

    def __init__(self, *args, organization, record=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if record is not None:
            initial = {**self.initial_for(record), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.organization, self.record = organization, record
        current = [record.tech_field] if record is not None else []
        self.fields["tech_field"].choices = [("", _("请选择"))] + hitech_field_choices(extra_terms=current)
        self.fields["region"].choices = _region_choices(record.region if record is not None else None)
        people = organization.people.order_by("name") if organization is not None else []
        self.fields["contact"].choices = [("", "—")] + [(str(p.pk), p.name) for p in people]

    @staticmethod
    def common_initial(record) -> dict:
        return {"title": record.title, "keywords": "、".join(record.keywords or []),
                "tech_field": record.tech_field.code, "region": record.region.code if record.region_id else "",
                "contact": str(record.contact_id or ""), "confidential_detail": record.confidential_detail,
                "publish_at": record.publish_at}

    def initial_for(self, record) -> dict:
        return self.common_initial(record)

    def common_data(self) -> dict:
        """The cleaned values as the services take them; lookups that fail raise ApplicationError."""
        data = self.cleaned_data
        region = None
        if data["region"]:
            region = Region.objects.filter(code=data["region"]).first()
            if region is None:
                raise ApplicationError(_("区域代码无效：{c}").format(c=data["region"]), field="region",
                                       code="invalid_region")
        contact = None
        if data["contact"]:
            contact = self.organization.people.filter(pk=data["contact"]).first()
            if contact is None:
                raise ApplicationError(_("联系人应为本单位人员"), field="contact", code="invalid_choice")
        return {"title": data["title"], "keywords": data["keywords"],
                "tech_field": _term("hitech_domains", data["tech_field"], field="tech_field"),
                "region": region, "contact": contact, "confidential_detail": data["confidential_detail"],
                "publish_at": data["publish_at"]}


class AchievementForm(MarketRecordForm):
    title = forms.CharField(label=_("成果名称"), max_length=200)
    abstract = forms.CharField(label=_("成果简介"), widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("公开摘要，所有人可见；技术细节请填在“保密信息”中"))
    discipline = forms.CharField(label=_("学科"), required=False, max_length=100,
                                 widget=forms.TextInput(attrs={"list": "gbt13745-terms", "autocomplete": "off"}),
                                 help_text=_("GB/T 13745 学科代码或名称，如 430 材料科学"))
    trl = forms.TypedChoiceField(label=_("技术就绪水平"), coerce=int,
                                 choices=[("", _("请选择"))] + [(str(v), label) for v, label in TRL_CHOICES])
    ip_type = forms.ChoiceField(label=_("知识产权类型"), required=False)
    patent_numbers = forms.CharField(label=_("专利号"), required=False, max_length=2000,
                                     help_text=_("多个用逗号分隔"))
    transfer_modes = forms.MultipleChoiceField(label=_("转化方式"), choices=TransferMode.choices,
                                               widget=forms.CheckboxSelectMultiple(attrs={"class": "tm-checks-inline"}))
    price = WanField(label=_("价格（万元）"), help_text=_("固定价格；与价格区间二选一"))
    price_min = WanField(label=_("价格下限（万元）"))
    price_max = WanField(label=_("价格上限（万元）"))
    negotiable = forms.BooleanField(label=_("面议"), required=False)

    field_order = ["title", "abstract", "keywords", "tech_field", "discipline", "trl", "ip_type", "patent_numbers",
                   "transfer_modes", "price", "price_min", "price_max", "negotiable", "region", "contact",
                   "confidential_detail", "publish_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_modes"].required = False  # the service names the missing choice
        self.fields["ip_type"].choices = [("", "—")] + [
            (t.code, t.name) for t in Term.objects.filter(scheme__code="ip_type", is_active=True)
            .order_by("sort_order", "code")]

    def initial_for(self, record) -> dict:
        initial = self.common_initial(record)
        initial.update({
            "abstract": record.abstract, "discipline": record.discipline.label if record.discipline_id else "",
            "trl": str(record.trl), "ip_type": record.ip_type.code if record.ip_type_id else "",
            "patent_numbers": ", ".join(record.patent_numbers or []),
            "transfer_modes": list(record.transfer_modes or []), "price": fen_to_wan(record.price_fen),
            "price_min": fen_to_wan(record.price_min_fen), "price_max": fen_to_wan(record.price_max_fen),
            "negotiable": record.negotiable,
        })
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = self.common_data()
        out.update({
            "abstract": data["abstract"],
            "discipline": _term("gbt13745", data["discipline"], field="discipline"),
            "trl": data["trl"], "ip_type": _term("ip_type", data["ip_type"], field="ip_type"),
            "patent_numbers": data["patent_numbers"], "transfer_modes": list(data["transfer_modes"]),
            "price": wan_to_yuan(data["price"]), "price_min": wan_to_yuan(data["price_min"]),
            "price_max": wan_to_yuan(data["price_max"]), "negotiable": data["negotiable"],
        })
        return out


def discipline_terms():
    return Term.objects.filter(scheme__code="gbt13745", level=1, is_active=True).order_by("code").only("code", "name")


class DemandForm(MarketRecordForm):
    title = forms.CharField(label=_("需求名称"), max_length=200)
    description = forms.CharField(label=_("需求描述"), widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("公开摘要，所有人可见：要解决的技术问题、现状和期望指标"))
    budget_min = WanField(label=_("预算下限（万元）"))
    budget_max = WanField(label=_("预算上限（万元）"))
    deadline = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())

    field_order = ["title", "description", "keywords", "tech_field", "budget_min", "budget_max", "deadline",
                   "region", "contact", "confidential_detail", "publish_at"]

    def initial_for(self, record) -> dict:
        initial = self.common_initial(record)
        initial.update({"description": record.description, "budget_min": fen_to_wan(record.budget_min_fen),
                        "budget_max": fen_to_wan(record.budget_max_fen), "deadline": record.deadline})
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        out = self.common_data()
        out.update({"description": data["description"], "budget_min": wan_to_yuan(data["budget_min"]),
                    "budget_max": wan_to_yuan(data["budget_max"]), "deadline": data["deadline"]})
        return out


# Attachments (the workflow ActionForm lives in core.forms) ----------------------------------------

class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word、Excel、PowerPoint、PNG、JPG 或 ZIP"))
    is_confidential = forms.BooleanField(label=_("保密附件（与保密信息的查看范围相同）"), required=False)
