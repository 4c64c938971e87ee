"""Money is stored as integer fen and handled as Decimal yuan (SPEC §3)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

CENT = Decimal("0.01")


def yuan_to_fen(value, *, field: str | None = None) -> int:
    """'1234.5' / Decimal / int yuan -> 123450 fen; refuses more than two decimals."""
    if value is None or value == "":
        raise ApplicationError(_("金额不能为空"), field=field, code="required")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ApplicationError(_("“{v}”不是有效的金额").format(v=value), field=field, code="invalid_amount")
    if not amount.is_finite():
        raise ApplicationError(_("“{v}”不是有效的金额").format(v=value), field=field, code="invalid_amount")
    if amount != amount.quantize(CENT):
        raise ApplicationError(_("金额最多保留两位小数"), field=field, code="invalid_amount")
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> Decimal | None:
    if fen is None:
        return None
    return (Decimal(fen) / 100).quantize(CENT)


def yuan_str(fen: int | None) -> str | None:
    """The JSON representation: a string with two decimals, e.g. "1234.50"."""
    value = fen_to_yuan(fen)
    return None if value is None else f"{value:.2f}"


def wan_yuan_display(fen: int | None) -> str:
    """Display only: 万元 with up to two decimals."""
    if fen is None:
        return "—"
    wan = (Decimal(fen) / 1_000_000).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{wan:,.2f} 万元"


class MoneyField(models.BigIntegerField):
    """An amount in fen. Named *_fen on models so nobody mistakes it for yuan."""

    description = "Amount in fen (1/100 yuan)"
