from django import template

from techmarket.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Fen → "1,234.50" (display only)."""
    value = fen_to_yuan(fen)
    return "—" if value is None else f"{value:,.2f}"
