"""Working days (SPEC §3): periods stated in working days follow the State Council's
holiday arrangements, which ``CalendarDay`` keeps as data.

A day is a working day when it is Monday to Friday and not a statutory holiday
(法定节假日), or when it is a weekend day the arrangement turns into a working day
(调休上班).

``add_working_days(start, n)`` returns the n-th working day after ``start``
(``start`` itself not counted) and ``working_days_between(a, b)`` counts the
working days in (a, b], so ``working_days_between(a, add_working_days(a, n)) == n``.
A 公示 of 5 working days starting on 2025-09-26 ends on 2025-10-10: 9-28 (a
调休 Sunday), 9-29, 9-30, then 国庆 and 中秋 (10-1 to 10-8), 10-9 and 10-10.
"""
from __future__ import annotations

import datetime
import logging

from .models import CalendarDay

logger = logging.getLogger(__name__)

_HOLIDAY = CalendarDay.Kind.HOLIDAY.value
_WORKDAY = CalendarDay.Kind.WORKDAY.value

# Holiday runs are at most nine days long, so this many days always hold n working days
# plus every exception in between; the window grows if a hand-edited calendar needs more.
_WINDOW_SLACK_DAYS = 31


def _as_date(day) -> datetime.date:
    if isinstance(day, datetime.datetime):
        raise TypeError("pass a date, not a datetime: convert with timezone.localdate(value)")
    if not isinstance(day, datetime.date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


def _exceptions(first: datetime.date, last: datetime.date) -> dict[datetime.date, str]:
    rows = CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return dict(rows)


def _is_working(day: datetime.date, exceptions: dict[datetime.date, str]) -> bool:
    kind = exceptions.get(day)
    if kind == _HOLIDAY:
        return False
    if kind == _WORKDAY:
        return True
    return day.weekday() < 5


def calendar_years_loaded() -> set[int]:
    """Years for which the calendar holds at least one holiday row."""
    return {d.year for d in CalendarDay.objects.filter(kind=_HOLIDAY).dates("date", "year")}


def _warn_if_uncovered(first: datetime.date, last: datetime.date) -> None:
    years = set(range(min(first, last).year, max(first, last).year + 1))
    missing = sorted(years - calendar_years_loaded())
    if missing:
        logger.warning(
            "Working-day calendar has no holidays for %s; counting Monday to Friday only. "
            "Enter the State Council arrangement in the admin (节假日与调休).",
            ", ".join(str(y) for y in missing),
        )


def is_working_day(day: datetime.date) -> bool:
    day = _as_date(day)
    return _is_working(day, _exceptions(day, day))


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``start`` (``start`` not counted); n < 0 counts backwards, n == 0 is ``start``."""
    start = _as_date(start)
    if n == 0:
        return start
    step = 1 if n > 0 else -1
    remaining = abs(n)
    window = remaining * 2 + _WINDOW_SLACK_DAYS
    day = start
    while True:
        edge = start + datetime.timedelta(days=step * window)
        first, last = min(start, edge), max(start, edge)
        exceptions = _exceptions(first, last)
        while day != edge:
            day += datetime.timedelta(days=step)
            if _is_working(day, exceptions):
                remaining -= 1
                if remaining == 0:
                    _warn_if_uncovered(start, day)
                    return day
        window *= 2  # only reached when the calendar is full of holidays; keep going from ``edge``


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days in (a, b]; when b is before a, minus the working days in [b, a).

    Either way ``working_days_between(a, add_working_days(a, n)) == n``.
    """
    a, b = _as_date(a), _as_date(b)
    if a == b:
        return 0
    first, last = min(a, b), max(a, b)
    exceptions = _exceptions(first, last)
    if b > a:
        days = (a + datetime.timedelta(days=i) for i in range(1, (b - a).days + 1))
    else:
        days = (b + datetime.timedelta(days=i) for i in range(0, (a - b).days))
    count = sum(1 for day in days if _is_working(day, exceptions))
    _warn_if_uncovered(first, last)
    return count if b > a else -count
