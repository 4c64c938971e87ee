from decimal import Decimal

from django import template

from ..progress import status_label

register = template.Library()

_CLASS = {"ahead": "success", "on_track": "primary", "behind": "danger", "no_data": "secondary"}
_CELL = {"ahead": "#d7efdf", "on_track": "#e8eef7", "behind": "#f8d7da", "no_data": "#f1f1f1"}


@register.filter
def status_class(status: str) -> str:
    return _CLASS.get(status, "secondary")


@register.filter
def status_bg(status: str) -> str:
    return _CELL.get(status, "#f1f1f1")


@register.filter
def status_text(status: str) -> str:
    return status_label(status) if status else ""


@register.filter
def num(value) -> str:
    """A target or actual value: thousands separators, at most 2 decimals, no trailing zeros; — for none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    text = f"{value.quantize(Decimal('0.01')):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value}%"
