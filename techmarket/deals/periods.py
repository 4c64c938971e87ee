"""Calendar-day periods of the market, counted in Asia/Shanghai (SPEC §3: exact end times).

* a listing approved (or relisted) on day D for N days ends at 00:00 of day D + N + 1: the approval
  day does not count and the last day is whole;
* a public notice (公示) published on day D runs to D + 15 (``ends_on``); the deal may close from
  00:00 of D + 16 (``closes_from``): the publication day does not count.
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from .choices import NOTICE_DAYS


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of ``day`` in the platform's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def period_end(start: datetime.datetime, days: int) -> datetime.datetime:
    """The exact end of a period of ``days`` whole days after the (uncounted) day of ``start``."""
    return local_midnight(timezone.localtime(start).date() + datetime.timedelta(days=days + 1))


def notice_dates(published_at: datetime.datetime) -> tuple[datetime.date, datetime.datetime]:
    """``(ends_on, closes_from)`` of a notice published at ``published_at``."""
    ends_on = timezone.localtime(published_at).date() + datetime.timedelta(days=NOTICE_DAYS)
    return ends_on, local_midnight(ends_on + datetime.timedelta(days=1))
