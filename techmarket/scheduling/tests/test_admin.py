import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from freezegun import freeze_time

from techmarket.accounts.roles import Role
from techmarket.accounts.services import user_set_roles
from techmarket.core.models import ObjectChange
from techmarket.scheduling.models import CalendarDay, ScheduledJob

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_admin():
    user = get_user_model().objects.create_user(username="bureau", password="x-pass-12345", is_staff=True)
    user_set_roles(user=user, roles=[Role.BUREAU_ADMIN])
    return user


@pytest.fixture
def plain_staff():
    return get_user_model().objects.create_user(username="staff", password="x-pass-12345", is_staff=True)


def job_form(job: ScheduledJob, **changes) -> dict:
    data = {"cron": job.cron, "enabled": "on" if job.enabled else "", "kwargs": "{}"}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


class TestScheduledJobAdmin:
    def test_bureau_admin_changes_cron_and_job_is_rescheduled(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        url = reverse("admin:scheduling_scheduledjob_change", args=[job.pk])
        # when
        with freeze_time(datetime.datetime(2025, 5, 2, 12, 0, tzinfo=SH)):
            response = client.post(url, job_form(job, cron="30 2 * * *"))
        # then
        assert response.status_code == 302, response.content.decode()[:2000]
        job.refresh_from_db()
        assert job.cron == "30 2 * * *"
        assert job.next_run_at == datetime.datetime(2025, 5, 3, 2, 30, tzinfo=SH)
        change = ObjectChange.objects.filter(object_id=str(job.pk)).latest("pk")
        assert change.actor == bureau_admin and change.after["cron"] == "30 2 * * *"

    def test_change_form_shows_upcoming_runs(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        # when
        with freeze_time(datetime.datetime(2025, 5, 2, 12, 0, tzinfo=SH)):
            response = client.get(reverse("admin:scheduling_scheduledjob_change", args=[job.pk]))
        # then
        assert response.status_code == 200
        assert "2025-05-03 03:10（周六）" in response.content.decode()

    def test_bad_cron_is_shown_in_chinese(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        # when
        response = client.post(reverse("admin:scheduling_scheduledjob_change", args=[job.pk]),
                               job_form(job, cron="70 3 * * *"))
        # then
        assert response.status_code == 200
        assert "定时表达式“70 3 * * *”无效" in response.content.decode()
        job.refresh_from_db()
        assert job.cron == "10 3 * * *"

    def test_bureau_admin_disables_job(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        # when
        response = client.post(reverse("admin:scheduling_scheduledjob_changelist"),
                               {"action": "disable_jobs", "_selected_action": [job.pk]})
        # then
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.enabled is False and job.next_run_at is None

    def test_task_path_is_read_only_for_bureau_admin(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        # when
        client.post(reverse("admin:scheduling_scheduledjob_change", args=[job.pk]),
                    job_form(job, task="techmarket.scheduling.tests.sample_tasks.record_call"))
        # then
        job.refresh_from_db()
        assert job.task == "techmarket.scheduling.tasks.prune_history"

    def test_bureau_admin_cannot_add_or_delete_jobs(self, client, bureau_admin):
        # given
        job = ScheduledJob.objects.get(name="prune_history")
        client.force_login(bureau_admin)
        # when
        add = client.get(reverse("admin:scheduling_scheduledjob_add"))
        delete = client.get(reverse("admin:scheduling_scheduledjob_delete", args=[job.pk]))
        # then
        assert add.status_code == 403 and delete.status_code == 403

    def test_staff_without_role_is_refused(self, client, plain_staff):
        # given
        client.force_login(plain_staff)
        # when
        response = client.get(reverse("admin:scheduling_scheduledjob_changelist"))
        # then
        assert response.status_code == 403


class TestCalendarDayAdmin:
    def test_bureau_admin_adds_a_day(self, client, bureau_admin):
        # given
        client.force_login(bureau_admin)
        # when
        response = client.post(reverse("admin:scheduling_calendarday_add"),
                               {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "source": "国办发明电"})
        # then
        assert response.status_code == 302
        day = CalendarDay.objects.get(date=datetime.date(2027, 1, 1))
        assert ObjectChange.objects.filter(object_id=str(day.pk), action="create", actor=bureau_admin).exists()

    def test_weekday_workday_is_refused(self, client, bureau_admin):
        # given
        client.force_login(bureau_admin)
        # when
        response = client.post(reverse("admin:scheduling_calendarday_add"),
                               {"date": "2027-01-06", "kind": "workday", "name": "春节", "source": ""})
        # then
        assert response.status_code == 200
        assert "调休上班日应为周六或周日" in response.content.decode()
        assert not CalendarDay.objects.filter(date=datetime.date(2027, 1, 6)).exists()

    def test_changelist_lists_shipped_days(self, client, bureau_admin):
        # given
        client.force_login(bureau_admin)
        # when
        response = client.get(reverse("admin:scheduling_calendarday_changelist") + "?date__year=2025")
        # then
        assert response.status_code == 200
        assert "国庆节、中秋节" in response.content.decode()
