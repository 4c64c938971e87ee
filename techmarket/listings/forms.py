"""Forms of the listing pages: the public filter, the seller's listing form and the interest form.

Forms only shape input (万元 → fen); every rule lives in the services, whose ApplicationError items go
back onto the fields of the same name (``techmarket.directory.forms.add_service_errors``).
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.choices import TransferMode
from techmarket.achievements.forms import WanField, fen_to_wan, wan_to_yuan
from techmarket.core.money import yuan_to_fen
from techmarket.deals.choices import TRADE_MODES
from techmarket.directory.choices import PersonKind
from techmarket.directory.forms import RegistryFilterForm
from techmarket.directory.models import Person

from .choices import PERIOD_DEFAULT_DAYS, PERIOD_MAX_DAYS, PERIOD_MIN_DAYS


def wan_to_fen(value) -> int | None:
    """A 万元 amount from a form → fen (None when empty)."""
    yuan = wan_to_yuan(value)
    return None if yuan is None else yuan_to_fen(yuan)


def trade_mode_choices(achievement) -> list[tuple[str, str]]:
    """The market's trade modes the achievement's owner offers (转让 / 独占许可 / 普通许可)."""
    labels = dict(TransferMode.choices)
    offered = achievement.transfer_modes or []
    return [(m, labels[m]) for m in TRADE_MODES if m in offered]


def broker_choices() -> list[tuple[str, str]]:
    rows = Person.objects.filter(kind=PersonKind.BROKER).select_related("organization").order_by("name", "pk")
    return [("", _("不委托技术经纪人"))] + [
        (str(p.pk), f"{p.name}（{p.organization.name}）" if p.organization_id else p.name) for p in rows]


def broker_from(value):
    return Person.objects.filter(pk=value).first() if value else None


class ListingFilterForm(RegistryFilterForm):
    price_min = WanField(label=_("挂牌价不低于（万元）"))
    price_max = WanField(label=_("挂牌价不高于（万元）"))

    field_order = ["q", "region", "region_code", "field", "price_min", "price_max"]

    def extra_filters(self, data) -> dict:
        return {"price_min": wan_to_yuan(data.get("price_min")), "price_max": wan_to_yuan(data.get("price_max"))}


class ListingForm(forms.Form):
    transfer_mode = forms.ChoiceField(label=_("交易方式"), help_text=_("转让或独占许可成交后，成果不再对外提供"))
    price = WanField(label=_("挂牌价格（万元）"), required=True, min_value=Decimal("0.000001"))
    period_days = forms.IntegerField(label=_("挂牌期（天）"), initial=PERIOD_DEFAULT_DAYS, min_value=PERIOD_MIN_DAYS,
                                     max_value=PERIOD_MAX_DAYS,
                                     help_text=_("{lo}–{hi} 天；审核通过当日不计，期满次日 0 时截止").format(
                                         lo=PERIOD_MIN_DAYS, hi=PERIOD_MAX_DAYS))
    broker = forms.ChoiceField(label=_("技术经纪人"), required=False,
                               help_text=_("经纪人所在机构不能登记受让意向"))
    conditions = forms.CharField(label=_("交易条件"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("付款方式、交付要求、受让方资格等，公开显示"))

    def __init__(self, *args, achievement, listing=None, **kwargs):
        if listing is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {"transfer_mode": listing.transfer_mode, "price": fen_to_wan(listing.price_fen),
                                 "period_days": listing.period_days,
                                 "broker": str(listing.broker_id or ""), "conditions": listing.conditions}
        super().__init__(*args, **kwargs)
        self.fields["transfer_mode"].choices = trade_mode_choices(achievement)
        self.fields["broker"].choices = broker_choices()

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {"transfer_mode": data["transfer_mode"], "price_fen": wan_to_fen(data["price"]),
                "period_days": data["period_days"], "broker": broker_from(data["broker"]),
                "conditions": data["conditions"]}


class InterestForm(forms.Form):
    note = forms.CharField(label=_("说明（可选）"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("如受让用途、联系人；仅转让方和科技管理部门可见"))
