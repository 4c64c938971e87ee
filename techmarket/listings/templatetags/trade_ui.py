"""Display helpers of the listing and deal pages.

    {% load trade_ui %}
    {{ listing.price_fen|wan }}        50.00 万元
    {{ listing.ends_at|time_left }}    剩余 3 天 4 小时 · 已截止
    {{ notice|notice_state }}          running / ended / closed / cancelled (notice_state_label: 公示中 …)
"""
from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.money import wan_yuan_display

register = template.Library()


@register.filter
def wan(fen) -> str:
    return wan_yuan_display(fen)


@register.filter
def time_left(moment) -> str:
    """Time until ``moment`` in days, hours and minutes (a listing ends at its exact time)."""
    if not moment:
        return "—"
    seconds = int((moment - timezone.now()).total_seconds())
    if seconds <= 0:
        return _("已截止")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("剩余 {d} 天 {h} 小时").format(d=days, h=hours)
    if hours:
        return _("剩余 {h} 小时 {m} 分").format(h=hours, m=minutes)
    return _("剩余 {m} 分钟").format(m=max(minutes, 1))


@register.filter
def notice_state(notice) -> str:
    """running / ended / closed / cancelled of a 成交公示 (deals.selectors.notice_state)."""
    from techmarket.deals.selectors import notice_state as state_of

    return state_of(notice)


@register.filter
def notice_state_label(notice) -> str:
    from techmarket.deals.selectors import NOTICE_STATES, notice_state as state_of

    return str(NOTICE_STATES[state_of(notice)])
