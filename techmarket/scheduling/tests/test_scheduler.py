import datetime
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.scheduling.cron import cron_next, validate_cron
from techmarket.scheduling.models import ScheduledJob
from techmarket.scheduling.registry import PERIODIC_JOBS, periodic_job, periodic_job_declare, periodic_jobs_sync
from techmarket.scheduling.services import (
    scheduled_job_claim,
    scheduled_job_register,
    scheduled_job_run_now,
    scheduled_job_update,
    scheduled_jobs_run_due,
)

SH = ZoneInfo("Asia/Shanghai")
TASK = "techmarket.scheduling.tests.sample_tasks.record_call"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SH)


def register(name="sample", cron="10 3 * * *", **kwargs) -> ScheduledJob:
    return scheduled_job_register(name=name, task=TASK, cron=cron, **kwargs)


class TestValidateCron:
    @pytest.mark.parametrize("expr", ["10 3 * * *", "*/5 * * * *", "0 9 * * 1-5", "0 0 1 1,7 *", " 10 3 * * * "])
    def test_accepts_five_field_expressions(self, expr):
        # when / then: no exception
        validate_cron(expr)

    @pytest.mark.parametrize("expr", ["61 * * * *", "* * * *", "0 0 * * * 0", "every day", "", "@daily"])
    def test_rejects_malformed_expression_in_chinese(self, expr):
        # when
        with pytest.raises(ValidationError) as exc:
            validate_cron(expr)
        # then
        assert exc.value.code == "invalid_cron"
        assert "定时表达式" in exc.value.messages[0] and "五段式" in exc.value.messages[0]

    def test_rejects_expression_that_never_fires(self):
        # when
        with pytest.raises(ValidationError) as exc:
            validate_cron("0 0 31 2 *")
        # then
        assert exc.value.code == "cron_never_fires"
        assert "永远不会触发" in exc.value.messages[0]


class TestCronNext:
    def test_reads_the_expression_in_beijing_time(self):
        # given: 19:00 UTC on 1 May is 03:00 on 2 May in Beijing
        after = datetime.datetime(2025, 5, 1, 19, 0, tzinfo=datetime.timezone.utc)
        # when
        nxt = cron_next("10 3 * * *", after=after)
        # then
        assert nxt == at(2025, 5, 2, 3, 10)

    def test_is_strictly_after(self):
        # when / then
        assert cron_next("10 3 * * *", after=at(2025, 5, 2, 3, 10)) == at(2025, 5, 3, 3, 10)


@pytest.mark.django_db
class TestScheduledJobRegister:
    def test_creates_job_with_next_run(self):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            # when
            job = register(description="测试任务")
        # then
        assert job.enabled and job.kwargs == {}
        assert job.next_run_at == at(2025, 5, 2, 3, 10)

    def test_is_idempotent_and_keeps_administrators_schedule(self):
        # given: the job exists and an administrator moved it and switched it off
        job = register()
        scheduled_job_update(job=job, by=None, cron="0 4 * * *", enabled=False)
        # when: the code registers it again
        again = register(cron="10 3 * * *", description="新说明")
        # then
        assert ScheduledJob.objects.filter(name="sample").count() == 1
        assert again.pk == job.pk
        assert (again.cron, again.enabled, again.description) == ("0 4 * * *", False, "新说明")

    def test_rejects_bad_cron(self):
        # when
        with pytest.raises(ValidationError):
            register(cron="99 * * * *")
        # then
        assert not ScheduledJob.objects.filter(name="sample").exists()

    @pytest.mark.parametrize("path", ["techmarket.scheduling.tests.sample_tasks.not_a_task", "no.such.module.task"])
    def test_rejects_what_is_not_a_task(self, path):
        # when
        with pytest.raises(ValidationError) as exc:
            scheduled_job_register(name="x", task=path, cron="* * * * *")
        # then
        assert "不是 django-tasks 任务函数" in exc.value.messages[0]

    def test_prune_history_is_registered_by_migration(self):
        # when
        job = ScheduledJob.objects.get(name="prune_history")
        # then
        assert job.task == "techmarket.scheduling.tasks.prune_history"
        assert job.cron == "10 3 * * *" and job.enabled


@pytest.mark.django_db
class TestScheduledJobsRunDue:
    def test_enqueues_due_job_once_for_two_ticks_at_same_time(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register(kwargs={"day": "2025-05-02"})
        # when: two ticks at the same (frozen) moment after the due time
        with freeze_time(at(2025, 5, 2, 3, 10, 5)):
            first = scheduled_jobs_run_due()
            second = scheduled_jobs_run_due()
        # then
        assert [j.name for j in first] == ["sample"] and second == []
        row = db_task_backend.get()
        assert row.task_path == TASK and row.args_kwargs == {"args": [], "kwargs": {"day": "2025-05-02"}}
        job.refresh_from_db()
        assert job.last_enqueued_at == at(2025, 5, 2, 3, 10, 5)
        assert job.last_task_result_id == str(row.id)
        assert job.next_run_at == at(2025, 5, 3, 3, 10)

    def test_does_not_enqueue_before_due_time(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            register()
        # when
        with freeze_time(at(2025, 5, 2, 3, 9, 59)):
            enqueued = scheduled_jobs_run_due()
        # then
        assert enqueued == [] and not db_task_backend.exists()

    def test_missed_runs_are_enqueued_once(self, db_task_backend):
        # given: the scheduler was down for three days
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register()
        # when
        with freeze_time(at(2025, 5, 5, 12, 0)):
            scheduled_jobs_run_due()
            scheduled_jobs_run_due()
        # then
        assert db_task_backend.count() == 1
        job.refresh_from_db()
        assert job.next_run_at == at(2025, 5, 6, 3, 10)

    def test_disabled_job_is_not_enqueued(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register()
            scheduled_job_update(job=job, by=None, enabled=False)
        # when
        with freeze_time(at(2025, 5, 2, 4, 0)):
            scheduled_jobs_run_due()
        # then
        assert not db_task_backend.exists()

    def test_runs_task_with_kwargs(self, calls):
        # given: the immediate backend of the test settings runs the task at once
        with freeze_time(at(2025, 5, 2, 1, 0)):
            register(kwargs={"n": 3})
        # when
        with freeze_time(at(2025, 5, 2, 3, 11)):
            scheduled_jobs_run_due()
        # then
        assert calls == [{"n": 3}]

    def test_job_whose_task_disappeared_is_skipped_without_blocking_others(self, db_task_backend):
        # given: one job's task path was renamed in code, another job is fine
        with freeze_time(at(2025, 5, 2, 1, 0)):
            broken = register(name="broken")
            ScheduledJob.objects.filter(pk=broken.pk).update(task="techmarket.scheduling.tasks.gone")
            register(name="fine")
        # when
        with freeze_time(at(2025, 5, 2, 3, 10, 30)):
            enqueued = scheduled_jobs_run_due()
        # then: the good job ran, the broken one moved to its next run instead of retrying every tick
        assert [j.name for j in enqueued] == ["fine"]
        broken.refresh_from_db()
        assert broken.next_run_at == at(2025, 5, 3, 3, 10) and broken.last_enqueued_at is None


@pytest.mark.django_db
class TestScheduledJobClaim:
    def test_of_two_racing_claims_one_wins(self):
        # given: two schedulers read the same due job
        with freeze_time(at(2025, 5, 2, 1, 0)):
            register()
        mine = ScheduledJob.objects.get(name="sample")
        theirs = ScheduledJob.objects.get(name="sample")
        now = at(2025, 5, 2, 3, 10, 1)
        # when
        won = scheduled_job_claim(job=mine, now=now)
        lost = scheduled_job_claim(job=theirs, now=now)
        # then
        assert (won, lost) == (True, False)
        assert ScheduledJob.objects.get(name="sample").next_run_at == at(2025, 5, 3, 3, 10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentSchedulers:
    def test_two_threads_ticking_together_enqueue_once(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            register()
        barrier = threading.Barrier(4)
        results = []

        def tick():
            try:
                barrier.wait()
                results.append(len(scheduled_jobs_run_due(now=at(2025, 5, 2, 3, 10, 1))))
            finally:
                connection.close()

        # when
        threads = [threading.Thread(target=tick) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # then
        assert sorted(results) == [0, 0, 0, 1]
        assert db_task_backend.count() == 1


@pytest.mark.django_db
class TestScheduledJobUpdate:
    def test_changing_cron_reschedules_and_is_audited(self):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register()
            # when
            job = scheduled_job_update(job=job, by=None, cron="30 2 * * 1")
        # then: next Monday 02:30
        assert job.next_run_at == at(2025, 5, 5, 2, 30)
        change = ObjectChange.objects.filter(object_id=str(job.pk), action="update").latest("pk")
        assert change.before["cron"] == "10 3 * * *" and change.after["cron"] == "30 2 * * 1"

    def test_bad_cron_is_refused_naming_the_field(self):
        # given
        job = register()
        # when
        with pytest.raises(ApplicationError) as exc:
            scheduled_job_update(job=job, by=None, cron="*/0 * * * *")
        # then
        assert exc.value.errors[0].field == "cron"
        job.refresh_from_db()
        assert job.cron == "10 3 * * *"

    def test_kwargs_must_be_an_object(self):
        # given
        job = register()
        # when / then
        with pytest.raises(ApplicationError) as exc:
            scheduled_job_update(job=job, by=None, kwargs=[1, 2])
        assert exc.value.errors[0].field == "kwargs"

    def test_disable_clears_next_run_and_enable_starts_from_now(self):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register()
            job = scheduled_job_update(job=job, by=None, enabled=False)
            assert job.next_run_at is None
        # when: switched on again days later
        with freeze_time(at(2025, 5, 9, 12, 0)):
            job = scheduled_job_update(job=job, by=None, enabled=True)
        # then: no make-up run for the days it was off
        assert job.next_run_at == at(2025, 5, 10, 3, 10)


@pytest.mark.django_db
class TestScheduledJobRunNow:
    def test_enqueues_without_touching_schedule(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            job = register()
            # when
            result = scheduled_job_run_now(job=job, by=None)
        # then
        assert db_task_backend.get().id.hex == result.id.replace("-", "")
        job.refresh_from_db()
        assert job.next_run_at == at(2025, 5, 2, 3, 10)
        assert job.last_task_result_id == str(result.id)


class TestPeriodicJobRegistry:
    def test_decorator_declares_job_and_keeps_the_task(self):
        # given
        from techmarket.scheduling.tests.sample_tasks import record_call

        try:
            # when
            decorated = periodic_job(name="test_declared", cron="0 8 * * *", description="测试")(record_call)
            # then
            assert decorated is record_call
            assert PERIODIC_JOBS["test_declared"].task == TASK
        finally:
            PERIODIC_JOBS.pop("test_declared", None)

    def test_declaring_bad_cron_fails_at_import_time(self):
        # when / then
        with pytest.raises(ValidationError):
            periodic_job_declare(name="test_bad", task=TASK, cron="0 25 * * *")
        assert "test_bad" not in PERIODIC_JOBS

    @pytest.mark.django_db
    def test_sync_writes_declared_jobs(self):
        # given
        periodic_job_declare(name="test_synced", task=TASK, cron="0 8 * * *", kwargs={"a": 1})
        try:
            # when
            periodic_jobs_sync(using="default")
            periodic_jobs_sync(using="default")
        finally:
            PERIODIC_JOBS.pop("test_synced", None)
        # then
        job = ScheduledJob.objects.get(name="test_synced")
        assert (job.task, job.cron, job.kwargs) == (TASK, "0 8 * * *", {"a": 1})


@pytest.mark.django_db
class TestSchedulerCommand:
    def test_once_enqueues_due_jobs_and_exits(self, db_task_backend):
        # given
        with freeze_time(at(2025, 5, 2, 1, 0)):
            register()
        out = StringIO()
        # when
        with freeze_time(at(2025, 5, 2, 3, 10, 20)):
            call_command("scheduler", "--once", stdout=out)
            call_command("scheduler", "--once", stdout=out)
        # then
        assert db_task_backend.count() == 1
        assert "已入队：sample" in out.getvalue() and "2025-05-03 03:10" in out.getvalue()
