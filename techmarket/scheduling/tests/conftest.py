import pytest
from django_tasks_db.models import DBTaskResult


@pytest.fixture
def db_task_backend(settings):
    """Run against the production task backend: enqueue writes a DBTaskResult row, nothing executes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    yield DBTaskResult.objects


@pytest.fixture
def calls():
    from .sample_tasks import CALLS

    CALLS.clear()
    yield CALLS
    CALLS.clear()
