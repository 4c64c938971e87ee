"""Forms of the deal pages: the agreement proposal, the objection, the managed list's filter."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.forms import WanField
from techmarket.directory.credit_code import normalize
from techmarket.directory.models import Organization
from techmarket.listings.forms import broker_choices, broker_from, trade_mode_choices, wan_to_fen

from .choices import DealMethod, DealStatus
from .selectors import NOTICE_STATES


class AgreementForm(forms.Form):
    buyer = forms.CharField(label=_("受让方统一社会信用代码"), max_length=18,
                            help_text=_("受让方须为已登记的单位；不能是本单位"))
    transfer_mode = forms.ChoiceField(label=_("交易方式"))
    price = WanField(label=_("协议价格（万元）"), required=True, min_value=Decimal("0.000001"))
    broker = forms.ChoiceField(label=_("技术经纪人"), required=False)

    def __init__(self, *args, achievement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_mode"].choices = trade_mode_choices(achievement)
        self.fields["broker"].choices = broker_choices()

    def clean_buyer(self):
        code = normalize(self.cleaned_data["buyer"])
        organization = Organization.objects.filter(credit_code=code).first()
        if organization is None:
            raise forms.ValidationError(_("未找到统一社会信用代码为 {c} 的单位，请先在单位库登记").format(c=code))
        return organization

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"buyer": data["buyer"], "transfer_mode": data["transfer_mode"],
                "price_fen": wan_to_fen(data["price"]), "broker": broker_from(data["broker"])}


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("请写明异议事实和理由；异议由科技管理部门处理，异议人信息不公开"))


class DealFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态"))] + DealStatus.choices)
    method = forms.ChoiceField(label=_("成交方式"), required=False,
                               choices=[("", _("全部方式"))] + DealMethod.choices)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"status": self.cleaned_data["status"] or None, "method": self.cleaned_data["method"] or None}


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("公示状态"), required=False,
                              choices=[("", _("全部"))] + [(k, v) for k, v in NOTICE_STATES.items()])

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"q": self.cleaned_data["q"] or None, "state": self.cleaned_data["state"] or None}
