"""Cron expressions: validation with a Chinese message, next run time in Asia/Shanghai."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Schedules are stated in Beijing time whatever TIME_ZONE a deployment uses.
SCHEDULE_TZ = ZoneInfo("Asia/Shanghai")


def _invalid(expr: str) -> ValidationError:
    return ValidationError(
        _("定时表达式“{expr}”无效：应为五段式 cron 表达式（分 时 日 月 周），"
          "例如“10 3 * * *”表示每天 3:10，“0 9 * * 1-5”表示周一至周五 9:00。").format(expr=expr),
        code="invalid_cron",
    )


def validate_cron(expr: str) -> None:
    """Raise ValidationError unless ``expr`` is a five-field cron expression that ever fires."""
    text = (expr or "").strip()
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise _invalid(expr)
    try:
        croniter(text, datetime.datetime(2000, 1, 1, tzinfo=SCHEDULE_TZ)).get_next(datetime.datetime)
    except CroniterError:
        # e.g. "0 0 31 2 *": well formed, but 31 February never comes.
        raise ValidationError(
            _("定时表达式“{expr}”永远不会触发，请检查日期和月份。").format(expr=expr), code="cron_never_fires",
        ) from None


def cron_next(expr: str, *, after: datetime.datetime) -> datetime.datetime:
    """The first time strictly after ``after`` that ``expr`` fires, read in Beijing time (aware)."""
    start = after.astimezone(SCHEDULE_TZ)
    return croniter(expr.strip(), start).get_next(datetime.datetime)
