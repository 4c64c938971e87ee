"""Display helpers of the auction pages: yuan amounts with thousands separators, countdowns."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """"105000.00" (the API's yuan string) → "105,000.00"; "—" for None."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


@register.filter
def countdown(seconds) -> str:
    """Seconds → "2 天 03:04:05" / "03:04:05"."""
    try:
        seconds = max(0, int(seconds))
    except (TypeError, ValueError):
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days} 天 {clock}" if days else clock


@register.filter
def short_hash(value, length: int = 12) -> str:
    return (value or "")[: int(length)]


@register.filter
def fen(value) -> str:
    """An amount in fen → "105,000.00" (yuan)."""
    from techmarket.core.money import fen_to_yuan

    if value is None:
        return "—"
    return f"{fen_to_yuan(int(value)):,.2f}"


DEPOSIT_COLORS = {"pending": "primary", "confirmed": "success", "refund_due": "warning", "refunded": "secondary",
                  "forfeited": "danger", "applied": "dark"}


@register.filter
def deposit_color(status) -> str:
    """Bootstrap colour of a deposit state's badge."""
    return DEPOSIT_COLORS.get(str(status), "secondary")
