"""Display helpers of the contract pages."""
from __future__ import annotations

from django import template

from techmarket.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → '1,234,567.50' (yuan with two decimals); '—' when empty."""
    value = fen_to_yuan(fen)
    return "—" if value is None else f"{value:,.2f}"
