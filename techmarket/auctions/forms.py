"""Forms of the auction pages: they only shape input (yuan amounts, Shanghai times); every rule is in
the services, whose ApplicationError items go back onto the fields of the same name."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.money import fen_to_yuan


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
        super().__init__(**kwargs)


class ShanghaiDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)

    def format_value(self, value):
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value)
        return super().format_value(value)


def _yuan(value) -> str | None:
    return None if value is None else f"{value:.2f}"


class BidForm(forms.Form):
    amount = YuanField(label=_("出价（元）"), help_text=_("不低于当前最高价加一个加价幅度；首次出价不低于起拍价"))


class TermsForm(forms.Form):
    starting_price = YuanField(label=_("起拍价（元）"))
    increment = YuanField(label=_("加价幅度（元）"))
    reserve_price = YuanField(label=_("保留价（元）"), required=False,
                              help_text=_("不公开；最高出价低于保留价则流拍。留空表示不设保留价"))
    deposit = YuanField(label=_("保证金（元）"), min_value=Decimal("0"))
    starts_at = forms.DateTimeField(label=_("开拍时间"), widget=ShanghaiDateTimeInput(),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=ShanghaiDateTimeInput(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    extension_minutes = forms.IntegerField(label=_("延时周期（分钟）"), min_value=1, max_value=120,
                                           help_text=_("结束前 N 分钟内有出价时，结束时间顺延至出价时间加 N 分钟"))
    signing_days = forms.IntegerField(label=_("签约期限（天）"), min_value=1, max_value=365,
                                      help_text=_("买受人应在竞价结束后该天数内签约，逾期保证金不予退还"))
    comment = forms.CharField(label=_("修改说明（可选）"), required=False, max_length=200)

    @classmethod
    def for_auction(cls, auction, data=None):
        initial = {
            "starting_price": fen_to_yuan(auction.starting_price_fen), "increment": fen_to_yuan(auction.increment_fen),
            "reserve_price": fen_to_yuan(auction.reserve_price_fen), "deposit": fen_to_yuan(auction.deposit_fen),
            "starts_at": auction.starts_at, "ends_at": auction.ends_at,
            "extension_minutes": auction.extension_minutes, "signing_days": auction.signing_days,
        }
        return cls(data, initial=initial, prefix="terms")

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "starting_price": _yuan(data["starting_price"]), "increment": _yuan(data["increment"]),
            "reserve_price": _yuan(data.get("reserve_price")), "deposit": _yuan(data["deposit"]),
            "starts_at": data["starts_at"], "ends_at": data["ends_at"],
            "extension_minutes": data["extension_minutes"], "signing_days": data["signing_days"],
        }


class DepositForm(forms.Form):
    reference = forms.CharField(label=_("凭证号"), max_length=64, required=False,
                                help_text=_("银行回单或收款凭证编号"))
