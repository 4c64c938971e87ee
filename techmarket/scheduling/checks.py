"""System checks (`techmarket check`) for the scheduling settings."""
from __future__ import annotations

from django.conf import settings
from django.core import checks


def check_audit_retention(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from .services import AUDIT_RETENTION_MIN_DAYS

    days = int(settings.TECHMARKET_AUDIT_RETENTION_DAYS)
    if days < AUDIT_RETENTION_MIN_DAYS:
        return [checks.Warning(
            f"TECHMARKET_AUDIT_RETENTION_DAYS={days} is below the legal minimum of "
            f"{AUDIT_RETENTION_MIN_DAYS} days (网络安全法 第二十一条); history is kept {AUDIT_RETENTION_MIN_DAYS} days.",
            hint=f"Set TECHMARKET_AUDIT_RETENTION_DAYS to {AUDIT_RETENTION_MIN_DAYS} or more.",
            id="scheduling.W001",
        )]
    return []
