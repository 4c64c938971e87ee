import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django_tasks import TaskResultStatus
from freezegun import freeze_time

from techmarket.core.models import ObjectChange, StatusChange
from techmarket.scheduling.models import CalendarDay
from techmarket.scheduling.services import audit_retention_days, history_prune
from techmarket.scheduling.tasks import prune_history
from techmarket.scheduling.tests.sample_tasks import record_call

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 6, 30, 3, 10, tzinfo=SH)
pytestmark = pytest.mark.django_db


def history_row(days_old: int) -> tuple[ObjectChange, StatusChange]:
    ct = ContentType.objects.get_for_model(CalendarDay)
    when = NOW - datetime.timedelta(days=days_old)
    oc = ObjectChange.objects.create(content_type=ct, object_id="1", object_repr="x", action="update")
    sc = StatusChange.objects.create(content_type=ct, object_id="1", action="submit", from_status="draft",
                                     to_status="submitted")
    ObjectChange.objects.filter(pk=oc.pk).update(created_at=when)
    StatusChange.objects.filter(pk=sc.pk).update(created_at=when)
    return oc, sc


class TestAuditRetentionDays:
    def test_uses_setting_above_floor(self, settings):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 400
        # when / then
        assert audit_retention_days() == 400

    @pytest.mark.parametrize("configured", [0, 30, 179])
    def test_never_below_180_days(self, settings, configured):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = configured
        # when / then
        assert audit_retention_days() == 180

    def test_system_check_warns_below_floor(self, settings):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 90
        # when
        messages = checks.run_checks()
        # then
        assert "scheduling.W001" in [m.id for m in messages]


class TestHistoryPrune:
    def test_deletes_history_older_than_retention(self, settings):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 365
        old = history_row(366)
        kept = history_row(364)
        # when
        with freeze_time(NOW):
            counts = history_prune()
        # then
        assert counts["object_changes"] == 1 and counts["status_changes"] == 1
        assert not ObjectChange.objects.filter(pk=old[0].pk).exists()
        assert not StatusChange.objects.filter(pk=old[1].pk).exists()
        assert ObjectChange.objects.filter(pk=kept[0].pk).exists()
        assert StatusChange.objects.filter(pk=kept[1].pk).exists()

    def test_floor_keeps_six_months_even_if_setting_is_shorter(self, settings):
        # given: a misconfigured retention of 30 days
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 30
        recent = history_row(179)
        expired = history_row(181)
        # when
        with freeze_time(NOW):
            history_prune()
        # then: 179 days is kept despite the setting; 181 days goes
        assert ObjectChange.objects.filter(pk=recent[0].pk).exists()
        assert StatusChange.objects.filter(pk=recent[1].pk).exists()
        assert not ObjectChange.objects.filter(pk=expired[0].pk).exists()

    def test_deletes_in_batches(self, settings):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 180
        for _ in range(7):
            history_row(200)
        # when
        with freeze_time(NOW):
            counts = history_prune(batch_size=3)
        # then
        assert counts["object_changes"] == 7 and counts["status_changes"] == 7

    def test_deletes_finished_task_results_older_than_30_days(self, db_task_backend):
        # given: three finished results of different ages and one still waiting
        rows = {}
        for name, days, status in [("old_ok", 31, TaskResultStatus.SUCCESSFUL), ("old_failed", 40, TaskResultStatus.FAILED),
                                   ("recent", 29, TaskResultStatus.SUCCESSFUL), ("waiting", 90, TaskResultStatus.READY)]:
            result = record_call.enqueue(tag=name)
            finished = NOW - datetime.timedelta(days=days) if status != TaskResultStatus.READY else None
            db_task_backend.filter(id=result.id).update(status=status, finished_at=finished)
            rows[name] = result.id
        # when
        with freeze_time(NOW):
            counts = history_prune()
        # then
        assert counts["task_results"] == 2
        remaining = {str(pk) for pk in db_task_backend.values_list("id", flat=True)}
        assert remaining == {rows["recent"], rows["waiting"]}


class TestPruneHistoryTask:
    def test_task_prunes_and_returns_counts(self, settings):
        # given
        settings.TECHMARKET_AUDIT_RETENTION_DAYS = 200
        history_row(250)
        # when: the immediate backend of the test settings runs it at once
        with freeze_time(NOW):
            result = prune_history.enqueue()
        # then
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == {"object_changes": 1, "status_changes": 1, "task_results": 0}
