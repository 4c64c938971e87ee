"""Scheduled work of achievements (thin wrappers around services; see scheduling/registry.py)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import achievements_freshness_run, achievements_publish_due


@periodic_job(name="achievements_publish_due", cron="*/10 * * * *",
              description="发布已审核通过且到达计划发布时间的科技成果")
@task()
def publish_due_achievements() -> int:
    return len(achievements_publish_due())


@periodic_job(name="achievements_freshness", cron="30 1 * * *",
              description="科技成果到期前提醒续期，到期自动下架")
@task()
def achievements_freshness() -> dict:
    return achievements_freshness_run()
