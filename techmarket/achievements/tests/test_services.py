from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements import selectors, services
from techmarket.achievements.choices import TRL_CHOICES, AchievementStatus
from techmarket.achievements.models import Achievement
from techmarket.achievements.records import add_months
from techmarket.achievements.representations import achievement_out
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.disclosure import services as disclosure
from techmarket.disclosure.models import DisclosureAccess
from techmarket.notifications.models import Notification
from techmarket.taxonomies.models import Term

from . import factories as f

START = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def public_ids():
    return set(selectors.achievement_list().values_list("pk", flat=True))


class TestAchievementCreate:
    def test_create_stores_money_in_fen_and_defaults_region_to_owner(self, owner, owner_org):
        # when
        a = f.achievement(owner=owner, price="1234.50")
        # then
        assert a.price_fen == 123450 and a.status == AchievementStatus.DRAFT
        assert a.region == owner_org.region and a.owner_organization == owner_org
        assert ObjectChange.objects.filter(object_id=str(a.pk), action="create").exists()

    def test_price_and_range_together_are_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.achievement(owner=owner, price="10.00", price_min="1.00", price_max="20.00")
        assert exc.value.errors[0].field == "price"

    def test_range_min_above_max_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.achievement(owner=owner, price=None, price_min="30.00", price_max="20.00")
        assert exc.value.errors[0].field == "price_min"

    def test_no_price_requires_negotiable(self, owner):
        with pytest.raises(ApplicationError):
            f.achievement(owner=owner, price=None)
        assert f.achievement(owner=owner, price=None, negotiable=True).negotiable

    def test_more_than_two_decimals_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.achievement(owner=owner, price="1.234")
        assert exc.value.errors[0].field == "price"

    def test_unknown_transfer_mode_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.achievement(owner=owner, transfer_modes=["sell"])
        assert exc.value.errors[0].field == "transfer_modes"

    def test_enterprise_users_may_create_but_unaffiliated_users_may_not(self, enterprise, officer_in):
        assert f.achievement(owner=enterprise).owner_organization_id == enterprise.organization_id
        with pytest.raises(PermissionDenied):
            f.achievement(owner=officer_in)

    def test_trl_choices_follow_the_taxonomy(self, db):
        labels = dict(Term.objects.filter(scheme__code="trl").values_list("code", "name"))
        assert {str(k): str(v) for k, v in TRL_CHOICES} == labels


class TestAchievementUpdate:
    def test_owner_edits_draft_and_change_is_audited_without_confidential_text(self, owner):
        # given
        a = f.achievement(owner=owner)
        # when
        services.achievement_update(achievement=a, by=owner, data={"title": "新名称", "confidential_detail": "秘密"})
        # then
        change = ObjectChange.objects.filter(object_id=str(a.pk), action="update").last()
        assert change.after["title"] == "新名称"
        assert "秘密" not in str(change.after) and "秘密" not in str(change.before)

    def test_published_achievement_cannot_be_edited(self, owner, officer_in):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        with pytest.raises(PermissionDenied):
            services.achievement_update(achievement=a, by=owner, data={"title": "改"})
        a.refresh_from_db()
        assert a.title != "改"

    def test_other_organization_cannot_edit(self, owner, enterprise):
        a = f.achievement(owner=owner)
        with pytest.raises(PermissionDenied):
            services.achievement_update(achievement=a, by=enterprise, data={"title": "改"})


class TestAchievementReview:
    def test_reject_needs_a_reason_code_and_owner_is_told(self, owner, colleague, officer_in,
                                                          django_capture_on_commit_callbacks):
        # given
        a = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        # when / then
        with pytest.raises(ApplicationError) as exc:
            services.achievement_act(achievement=a, action="reject", by=officer_in)
        assert exc.value.errors[0].field == "reason_code"
        with pytest.raises(ApplicationError):
            services.achievement_act(achievement=a, action="reject", by=officer_in, reason_code="no_such")
        with django_capture_on_commit_callbacks(execute=True):
            services.achievement_act(achievement=a, action="reject", by=officer_in, reason_code="ip_unclear",
                                     comment="专利权属待核实")
        a.refresh_from_db()
        assert a.status == AchievementStatus.REJECTED
        review = achievement_out(a, owner, detail=True)["review"]
        assert review["reason_code"] == "ip_unclear" and review["reason_label"] == "知识产权不清"
        assert review["comment"] == "专利权属待核实"
        assert Notification.objects.filter(recipient=colleague, topic="market", body__contains="知识产权不清").exists()

    def test_returned_achievement_is_edited_and_resubmitted(self, owner, officer_in):
        a = f.achievement_in_state("returned", owner=owner, reviewer=officer_in)
        services.achievement_update(achievement=a, by=owner, data={"abstract": "补充后的简介"})
        a = services.achievement_submit(achievement=a, by=owner)
        assert a.status == AchievementStatus.SUBMITTED


class TestScheduledPublication:
    def test_approval_with_future_date_waits_then_the_job_publishes(self, owner, officer_in):
        # given
        with freeze_time(START):
            a = f.achievement(owner=owner, publish_at=START + datetime.timedelta(days=2))
            services.achievement_act(achievement=a, action="submit", by=owner)
            a = services.achievement_approve(achievement=a, by=officer_in)
            assert a.status == AchievementStatus.SCHEDULED
            assert a.pk not in public_ids()
            # the job before the date publishes nothing
            assert services.achievements_publish_due() == []
        # when
        with freeze_time(START + datetime.timedelta(days=2, minutes=5)):
            published = services.achievements_publish_due()
            # then
            a.refresh_from_db()
            assert [p.pk for p in published] == [a.pk]
            assert a.status == AchievementStatus.PUBLISHED and a.pk in public_ids()
            assert a.expires_at == add_months(timezone.now(), 12)

    def test_publish_at_in_the_past_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.achievement(owner=owner, publish_at=timezone.now() - datetime.timedelta(hours=1))
        assert exc.value.errors[0].field == "publish_at"

    def test_periodic_jobs_are_declared(self):
        from techmarket.scheduling.registry import PERIODIC_JOBS

        assert {"achievements_publish_due", "achievements_freshness"} <= set(PERIODIC_JOBS)


class TestFreshness:
    def test_reminder_once_at_thirty_days_expiry_and_renewal(self, owner, colleague, officer_in,
                                                             django_capture_on_commit_callbacks):
        def run():
            with django_capture_on_commit_callbacks(execute=True):
                services.achievements_freshness_run()

        # given: published on START, valid 12 months
        with freeze_time(START):
            a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        expires = add_months(START, 12)
        assert a.expires_at == expires and a.last_confirmed_at == START
        reminders = Notification.objects.filter(recipient=colleague, title__contains="即将到期")
        # 31 days before: no reminder yet
        with freeze_time(expires - datetime.timedelta(days=31)):
            run()
        assert reminders.count() == 0
        # 30 days before: one reminder; the next daily runs send no second one
        with freeze_time(expires - datetime.timedelta(days=30)):
            run()
        with freeze_time(expires - datetime.timedelta(days=29)):
            run()
        assert reminders.count() == 1
        # at expiry the record leaves the public list by itself, before the job runs
        with freeze_time(expires + datetime.timedelta(minutes=1)):
            assert a.pk not in public_ids()
            run()
            a.refresh_from_db()
            assert a.status == AchievementStatus.EXPIRED
        # when: the owner renews in one click
        renewed_at = expires + datetime.timedelta(days=3)
        with freeze_time(renewed_at):
            a = services.achievement_renew(achievement=a, by=owner)
            # then
            assert a.status == AchievementStatus.PUBLISHED and a.pk in public_ids()
            assert a.expires_at == add_months(renewed_at, 12) and a.last_confirmed_at == renewed_at
        # the next period gets its own reminder
        with freeze_time(a.expires_at - datetime.timedelta(days=10)):
            run()
        assert reminders.count() == 2

    def test_renewing_a_published_record_moves_its_dates(self, owner, officer_in):
        with freeze_time(START):
            a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        with freeze_time(START + datetime.timedelta(days=100)):
            a = services.achievement_renew(achievement=a, by=owner)
        assert a.expires_at == add_months(START + datetime.timedelta(days=100), 12)

    def test_publication_period_is_data(self, owner, officer_in):
        setting = selectors.market_setting_current()
        setting.publication_months = 6
        setting.save()
        with freeze_time(START):
            a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        assert a.expires_at == add_months(START, 6)

    def test_only_owner_renews(self, owner, enterprise, bureau, officer_in):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        for user in (enterprise, bureau):
            with pytest.raises(PermissionDenied):
                services.achievement_renew(achievement=a, by=user)

    def test_add_months_clamps_to_month_end(self):
        assert add_months(datetime.datetime(2024, 1, 31), 1) == datetime.datetime(2024, 2, 29)
        assert add_months(datetime.datetime(2024, 2, 29), 12) == datetime.datetime(2025, 2, 28)


class TestAchievementMarkTransferred:
    def test_transfer_or_exclusive_licence_ends_availability(self, owner, officer_in):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        a = services.achievement_mark_transferred(achievement=a, by=owner, exclusive=True)
        assert a.status == AchievementStatus.TRADED and a.pk not in public_ids()

    def test_non_exclusive_licence_keeps_it_published_and_counts(self, owner, officer_in):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        a = services.achievement_mark_transferred(achievement=a, by=owner, exclusive=False)
        a = services.achievement_mark_transferred(achievement=a, by=owner, exclusive=False)
        assert a.status == AchievementStatus.PUBLISHED and a.licence_count == 2 and a.pk in public_ids()

    def test_non_exclusive_licence_of_unpublished_is_refused(self, owner, enterprise, officer_in):
        a = f.achievement_in_state("draft", owner=owner, reviewer=officer_in)
        with pytest.raises(ApplicationError):
            services.achievement_mark_transferred(achievement=a, by=owner, exclusive=False)
        b = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        with pytest.raises(PermissionDenied):
            services.achievement_mark_transferred(achievement=b, by=enterprise, exclusive=False)
        assert Achievement.objects.get(pk=b.pk).licence_count == 0


class TestConfidentialDetail:
    def test_hidden_until_disclosure_approved_and_terms_accepted_then_logged(self, owner, enterprise, bureau,
                                                                             officer_in):
        # given
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        disclosure.disclosure_terms_publish(title="保密协议", version="v1", body="……", by=bureau)
        out = achievement_out(a, enterprise, detail=True)
        assert out["has_confidential_detail"] and out["confidential_detail"] is None
        assert out["summary"] == a.abstract
        # when
        request = disclosure.disclosure_request(record=a, by=enterprise, message="拟受让")
        disclosure.disclosure_approve(request=request, by=owner)
        assert achievement_out(a, enterprise, detail=True)["confidential_detail"] is None  # terms not yet signed
        disclosure.disclosure_accept_terms(request=request, by=enterprise)
        # then
        out = achievement_out(a, enterprise, detail=True, ip="127.0.0.1")
        assert out["confidential_detail"] == a.confidential_detail
        log = DisclosureAccess.objects.filter(object_id=str(a.pk), user=enterprise)
        assert log.count() == 1 and log.get().request_id == request.pk

    def test_district_officer_reviews_without_seeing_confidential_detail(self, owner, officer_in):
        a = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        out = achievement_out(a, officer_in, detail=True)
        assert out["managed"] and out["confidential_detail"] is None
        assert "approve" in out["available_actions"]

    def test_unpublished_achievement_is_not_open_to_requests(self, owner, enterprise, officer_in):
        a = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        with pytest.raises(ApplicationError):
            disclosure.disclosure_request(record=a, by=enterprise)


class TestPublicList:
    def test_filters(self, owner, officer_in, regions):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in, trl=7, price=None,
                                   price_min="100000.00", price_max="300000.00")
        b = f.achievement_in_state("published", owner=owner, reviewer=officer_in, trl=3, price="50000.00",
                                   tech_field=f.term("hitech_domains", "101"), title="嵌入式软件平台",
                                   keywords=["嵌入式"], abstract="实时操作系统")
        f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)

        def ids(**kw):
            return set(selectors.achievement_list(**kw).values_list("pk", flat=True))

        assert ids() == {a.pk, b.pk}
        assert ids(trl_min=5) == {a.pk}
        assert ids(price_min="200000.00") == {a.pk}
        assert ids(price_max="60000") == {b.pk}
        assert ids(field="10") == {a.pk, b.pk} and ids(field="101") == {b.pk}
        assert ids(region="410100") == {a.pk, b.pk} and ids(region="410102") == set()
        assert ids(q="嵌入式") == {b.pk} and ids(q="铝合金") == {a.pk}
