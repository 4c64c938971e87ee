"""Scheduled work of demands (thin wrappers around services; see scheduling/registry.py)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .services import demands_freshness_run, demands_publish_due


@periodic_job(name="demands_publish_due", cron="*/10 * * * *",
              description="发布已审核通过且到达计划发布时间的技术需求")
@task()
def publish_due_demands() -> int:
    return len(demands_publish_due())


@periodic_job(name="demands_freshness", cron="35 1 * * *", description="技术需求到期前提醒续期，到期自动下架")
@task()
def demands_freshness() -> dict:
    return demands_freshness_run()
