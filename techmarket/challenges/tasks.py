"""Scheduled work of 揭榜挂帅 (thin wrappers around services; see scheduling/registry.py)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import challenges_close_due, rounds_close_due


@periodic_job(name="challenges_close_due", cron="*/10 * * * *",
              description="揭榜截止时间已到的榜单截止揭榜、进入评审（无人揭榜则流榜）")
@task()
def close_due_challenges() -> int:
    return challenges_close_due()


@periodic_job(name="challenges_rounds_close_due", cron="*/10 * * * *",
              description="截止时间已到的需求征集批次自动截止")
@task()
def close_due_rounds() -> int:
    return rounds_close_due()
