"""Scheduled work of auctions (a thin wrapper around services; see scheduling/registry.py)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import auctions_tick


@periodic_job(name="auctions_tick", cron="* * * * *",
              description="竞价拍卖到开拍时间自动开拍，到结束时间自动结束（成交或流拍）")
@task()
def auctions_open_and_close() -> dict:
    return auctions_tick()
