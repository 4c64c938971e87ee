"""Background tasks of the scheduling app (django-tasks); thin wrappers around services."""
from __future__ import annotations

from django_tasks import task

from .services import history_prune


@task()
def prune_history() -> dict[str, int]:
    """Delete audit and workflow history past the retention period (≥ 180 days) and task results
    older than 30 days. Registered as the periodic job ``prune_history`` (daily at 03:10)."""
    return history_prune()
