"""Background tasks (django-tasks); thin wrappers around services.

``send_daily_digest`` is declared as the periodic job ``notifications_daily_digest`` (08:00
Beijing time); ``migrate`` writes it to the scheduler's table, where administrators may change
the time or switch it off (后台 → 定时任务).
"""
from __future__ import annotations

import datetime

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import digest_send_daily


@periodic_job(name="notifications_daily_digest", cron="0 8 * * *",
              description="每日发送消息邮件摘要（每位接收人每天最多一封）")
@task()
def send_daily_digest(day: str | None = None) -> int:
    """Send the daily e-mail digests; ``day`` is an ISO date (default: today). Returns how many were sent."""
    logs = digest_send_daily(day=datetime.date.fromisoformat(day) if day else None)
    return len(logs)
