"""Periodic jobs declared in code, written to the database as ``ScheduledJob`` rows by ``migrate``.

An app declares a job next to its task::

    # techmarket/notifications/tasks.py
    from django_tasks import task
    from techmarket.scheduling.registry import periodic_job

    @periodic_job(name="notifications_daily_digest", cron="0 8 * * *", description="每日推送摘要邮件")
    @task()
    def send_daily_digest(): ...

``SchedulingConfig.ready`` imports every installed app's ``tasks`` module, so the declaration runs
at start-up; after each ``migrate`` the declared jobs are registered with
``scheduled_job_register`` (idempotent: a job that exists keeps the schedule and the on/off switch
the administrators gave it). From then on the job is data, edited in the admin (定时任务).

Apps that prefer an explicit data migration call ``scheduled_job_register(..., model=apps.get_model(...))``
instead, as ``scheduling/migrations/0003_register_prune_history.py`` does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django_tasks.base import Task

from .cron import validate_cron


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    cron: str
    description: str = ""
    enabled: bool = True
    kwargs: dict = field(default_factory=dict)


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic_job_declare(*, name: str, task: Task | str, cron: str, description: str = "", enabled: bool = True,
                         kwargs: dict | None = None) -> PeriodicJob:
    """Declare a periodic job (safe to call at import time: it touches no database)."""
    validate_cron(cron)
    path = task.module_path if isinstance(task, Task) else task
    job = PeriodicJob(name=name, task=path, cron=cron, description=description, enabled=enabled,
                      kwargs=dict(kwargs or {}))
    known = PERIODIC_JOBS.get(name)
    if known is not None and known.task != job.task:
        raise ValueError(f"periodic job {name!r} is already declared for {known.task}")
    PERIODIC_JOBS[name] = job
    return job


def periodic_job(*, name: str, cron: str, description: str = "", enabled: bool = True, kwargs: dict | None = None):
    """Decorator form of ``periodic_job_declare``, placed above ``@task()``."""

    def decorate(task: Task) -> Task:
        if not isinstance(task, Task):
            raise TypeError("@periodic_job goes above @task(): it needs a django-tasks Task")
        periodic_job_declare(name=name, task=task, cron=cron, description=description, enabled=enabled,
                             kwargs=kwargs)
        return task

    return decorate


def periodic_jobs_sync(*, using: str = "default", **_signal_kwargs) -> list[str]:
    """Register every declared job (post_migrate receiver); the names registered."""
    from django.db import connections

    from .models import ScheduledJob
    from .services import scheduled_job_register

    if ScheduledJob._meta.db_table not in connections[using].introspection.table_names():
        return []  # migrated backwards past the table
    for job in PERIODIC_JOBS.values():
        scheduled_job_register(name=job.name, task=job.task, cron=job.cron, description=job.description,
                               enabled=job.enabled, kwargs=job.kwargs)
    return list(PERIODIC_JOBS)
