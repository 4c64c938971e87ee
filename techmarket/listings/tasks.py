"""Scheduled work of listings (a thin wrapper around the service; see scheduling/registry.py)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import listings_close_due


@periodic_job(name="listings_close_due", cron="* * * * *",
              description="挂牌期满的挂牌按意向受让方数量结束：无意向、挂牌成交或转入竞价")
@task()
def close_due_listings() -> int:
    return len(listings_close_due())
