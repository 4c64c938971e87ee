"""One reading of a date a user or an API client sent (``2025-03-01``, a date, or a datetime taken in
Asia/Shanghai), with the Chinese refusal naming the field. Excel cells have their own, more lenient
reader in the importers."""
from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError


def date_clean(value, *, field: str, label) -> datetime.date | None:
    """``value`` as a date; None when empty; ApplicationError(code="invalid_date") on ``field`` otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ApplicationError(_("{label}格式应为 YYYY-MM-DD").format(label=label), field=field,
                               code="invalid_date") from None
