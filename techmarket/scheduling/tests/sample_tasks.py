"""Task functions the scheduling tests enqueue (module level, as django-tasks requires)."""
from django_tasks import task

CALLS: list[dict] = []


@task()
def record_call(**kwargs) -> int:
    CALLS.append(kwargs)
    return len(CALLS)


def not_a_task() -> None:
    """A plain function: the scheduler must refuse it as a job's task."""
