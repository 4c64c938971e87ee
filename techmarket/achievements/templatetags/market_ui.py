"""Display helpers of the market pages: prices and budgets in 万元, expiry hints.

    {% load market_ui %}
    {{ record|market_price }}    50.00 万元 · 30.00–80.00 万元 · 面议 (achievements: price; demands: budget)
    {{ record|days_left }}       whole days until ``expires_at`` (negative once expired)
"""
from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.money import wan_yuan_display

register = template.Library()


def _range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        if low == high:
            return wan_yuan_display(low)
        return "{low}–{high}".format(low=wan_yuan_display(low).replace(" 万元", ""), high=wan_yuan_display(high))
    if low is not None:
        return _("{v} 起").format(v=wan_yuan_display(low))
    if high is not None:
        return _("不超过 {v}").format(v=wan_yuan_display(high))
    return ""


@register.filter
def market_price(record) -> str:
    """An achievement's fixed price, range or 面议; a demand's budget (or 面议 when none is given)."""
    if hasattr(record, "budget_min_fen"):
        return _range(record.budget_min_fen, record.budget_max_fen) or _("面议")
    if record.price_fen is not None:
        text = wan_yuan_display(record.price_fen)
    else:
        text = _range(record.price_min_fen, record.price_max_fen)
    if record.negotiable:
        return _("{p}（可议价）").format(p=text) if text else _("面议")
    return text or "—"


@register.filter
def days_left(moment) -> int | None:
    if not moment:
        return None
    return (timezone.localtime(moment).date() - timezone.localdate()).days


@register.filter
def transfer_labels(values) -> list[str]:
    from techmarket.achievements.choices import TransferMode

    labels = dict(TransferMode.choices)
    return [str(labels.get(v, v)) for v in values or []]
