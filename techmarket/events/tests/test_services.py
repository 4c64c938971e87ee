"""Event services: creation rules and scope, edits, notifications, and registration (deadline, start,
capacity counted in attendees, one active registration per user, cancelling one's own)."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements.tests import factories as achievement_factories
from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.events import services
from techmarket.events.models import EventRegistration
from techmarket.notifications.models import Notification

from . import factories as f


def errors_of(exc_info) -> dict:
    return {e.field: e.message for e in exc_info.value.errors}


class TestEventCreate:
    def test_staff_organise_as_the_bureau_in_their_region(self, officer_in):
        event = f.event(organizer=officer_in)
        assert event.status == "draft" and event.organizer_organization is None
        assert event.region.code == "410105" and event.created_by == officer_in
        assert [row.action for row in history_for(event)] == ["create"]

    def test_an_agency_organises_for_its_organization_in_its_region_by_default(self, agency, agency_org):
        data = f.event_data()
        del data["region"]
        event = services.event_create(by=agency, data=data)
        assert event.organizer_organization == agency_org and event.region == agency_org.region

    def test_an_enterprise_does_not_organise_events(self, enterprise):
        with pytest.raises(PermissionDenied, match="只有科技管理部门和技术转移机构可以组织对接活动"):
            f.event(organizer=enterprise)

    def test_an_officer_stays_in_its_district(self, officer_in):
        with pytest.raises(ApplicationError) as exc:
            f.event(organizer=officer_in, region="410102")
        assert errors_of(exc)["region"] == "所在区域“河南省郑州市中原区”不在您的管辖范围内"

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"title": ""}, "title", "请填写活动名称"),
        ({"venue": " "}, "venue", "请填写活动地点"),
        ({"kind": "party"}, "kind", "活动类型无效，可选："),
        ({"region": "4101"}, "region", "所在区域应为 6 位行政区划代码"),
        ({"capacity": 0}, "capacity", "名额应为正整数，不限名额请留空"),
        ({"starts_at": "next week"}, "starts_at", "开始时间格式应为 ISO 8601"),
        ({"ends_at": None}, "ends_at", "请填写结束时间"),
        ({"achievements": [999999]}, "achievements", "展示成果不存在：999999"),
    ])
    def test_bad_input_is_refused_in_chinese_naming_the_field(self, officer_in, overrides, field, message):
        with pytest.raises(ApplicationError) as exc:
            f.event(organizer=officer_in, **overrides)
        assert errors_of(exc)[field].startswith(message)

    def test_time_rules(self, officer_in):
        data = f.event_data()
        start = data["starts_at"]
        with pytest.raises(ApplicationError) as exc:
            f.event(organizer=officer_in, ends_at=start - datetime.timedelta(hours=1),
                    registration_deadline=start + datetime.timedelta(hours=1))
        assert errors_of(exc) == {"ends_at": "结束时间应晚于开始时间",
                                  "registration_deadline": "报名截止时间不能晚于活动开始时间"}
        with pytest.raises(ApplicationError) as exc:
            f.event(organizer=officer_in, starts_at=timezone.now() - datetime.timedelta(hours=1),
                    registration_deadline=None)
        assert errors_of(exc)["starts_at"] == "开始时间应晚于当前时间"

    def test_only_published_achievements_are_showcased(self, officer_in, enterprise, bureau):
        public = achievement_factories.achievement_in_state("published", owner=enterprise, reviewer=bureau)
        draft = achievement_factories.achievement(owner=enterprise, title="未发布的成果")
        with pytest.raises(ApplicationError) as exc:
            f.event(organizer=officer_in, kind="roadshow", achievements=[public.pk, draft.pk])
        assert errors_of(exc)["achievements"] == "成果“未发布的成果”未发布，不能参加活动展示"
        event = f.event(organizer=officer_in, kind="roadshow", achievements=[public.pk])
        assert list(event.achievements.all()) == [public]


class TestEventUpdate:
    def test_staff_edit_a_published_event(self, published, officer_in, bureau):
        services.event_update(event=published, by=bureau, data={"venue": "郑州国际会展中心 3 号馆"})
        published.refresh_from_db()
        assert published.venue == "郑州国际会展中心 3 号馆"
        assert history_for(published)[-1].actor == bureau

    def test_an_agency_edits_only_its_drafts(self, agency, officer_in):
        event = f.event_in_state("submitted", organizer=agency, publisher=officer_in)
        with pytest.raises(PermissionDenied, match="当前状态“待发布”的活动不能修改"):
            services.event_update(event=event, by=agency, data={"title": "改"})

    def test_strangers_cannot_edit(self, published, officer_out):
        with pytest.raises(PermissionDenied, match="只有主办单位和所在区域的科技管理部门可以修改活动"):
            services.event_update(event=published, by=officer_out, data={"title": "改"})

    def test_capacity_cannot_drop_below_the_places_taken(self, published, officer_in, enterprise, enterprise2):
        f.register(published, enterprise, attendee_count=3)
        f.register(published, enterprise2, attendee_count=2)
        with pytest.raises(ApplicationError) as exc:
            services.event_update(event=published, by=officer_in, data={"capacity": 4})
        assert errors_of(exc)["capacity"] == "名额不能少于已报名人数（5 人）"
        services.event_update(event=published, by=officer_in, data={"capacity": 5})

    def test_during_the_event_staff_may_edit_but_not_move_the_start_into_the_past(self, published, officer_in):
        with freeze_time(published.starts_at + datetime.timedelta(hours=1)):
            services.event_update(event=published, by=officer_in, data={"summary": "现场签到改在东门"})
            with pytest.raises(ApplicationError) as exc:
                services.event_update(event=published, by=officer_in,
                                      data={"starts_at": published.starts_at + datetime.timedelta(minutes=30)})
        assert errors_of(exc) == {"starts_at": "开始时间应晚于当前时间"}


class TestEventNotifications:
    def test_publishing_an_agency_event_tells_the_agency(self, agency, officer_in):
        event = f.event_in_state("published", organizer=agency, publisher=officer_in)
        note = Notification.objects.get(recipient=agency, topic="events")
        assert note.title == f"活动已发布：{event.title}" and event.published_at is not None

    def test_cancelling_tells_active_registrants_only(self, published, officer_in, enterprise, enterprise2):
        f.register(published, enterprise)
        f.register(published, enterprise2)
        services.event_registration_cancel(event=published, by=enterprise2)
        services.event_act(event=published, action="cancel", by=officer_in, comment="场地检修")
        notes = Notification.objects.filter(topic="events", title__startswith="活动已取消")
        assert [n.recipient for n in notes] == [enterprise]
        assert notes[0].body == "取消原因：场地检修"


class TestEventRegister:
    def test_a_logged_in_user_registers(self, published, enterprise):
        registration = f.register(published, enterprise, attendee_count=2)
        assert registration.status == "registered" and registration.organization == enterprise.organization
        assert services.registered_count(published) == 2

    def test_the_attendee_name_defaults_to_the_users_name(self, published, enterprise):
        registration = f.register(published, enterprise, attendee_name="")
        assert registration.attendee_name == "李华"

    def test_one_active_registration_per_user(self, published, enterprise):
        f.register(published, enterprise)
        with pytest.raises(ApplicationError) as exc:
            f.register(published, enterprise)
        assert exc.value.errors[0].message == "您已报名该活动"

    def test_after_cancelling_the_user_may_register_again(self, published, enterprise):
        f.register(published, enterprise)
        services.event_registration_cancel(event=published, by=enterprise)
        f.register(published, enterprise)
        assert EventRegistration.objects.filter(event=published, user=enterprise).count() == 2

    def test_only_published_events_take_registrations(self, officer_in, enterprise):
        event = f.event(organizer=officer_in)
        with pytest.raises(ApplicationError) as exc:
            f.register(event, enterprise)
        assert exc.value.errors[0].code == "not_open"

    def test_not_after_the_deadline(self, published, enterprise):
        with freeze_time(published.registration_deadline + datetime.timedelta(minutes=1)):
            with pytest.raises(ApplicationError) as exc:
                f.register(published, enterprise)
        deadline = timezone.localtime(published.registration_deadline).strftime("%Y-%m-%d %H:%M")
        assert exc.value.errors[0].message == f"报名已于 {deadline} 截止"

    def test_not_once_it_started(self, officer_in, enterprise):
        event = f.event_in_state("published", organizer=officer_in, publisher=officer_in, registration_deadline=None)
        with freeze_time(event.starts_at):
            with pytest.raises(ApplicationError) as exc:
                f.register(event, enterprise)
        assert exc.value.errors[0].message == "活动已开始，报名已结束"

    def test_capacity_counts_attendees(self, officer_in, enterprise, enterprise2, agency):
        event = f.event_in_state("published", organizer=officer_in, publisher=officer_in, capacity=3)
        f.register(event, enterprise, attendee_count=2)
        with pytest.raises(ApplicationError) as exc:
            f.register(event, enterprise2, attendee_count=2)
        assert errors_of(exc) == {"attendee_count": "名额不足：仅剩 1 个名额"}
        f.register(event, enterprise2, attendee_count=1)
        with pytest.raises(ApplicationError) as exc:
            f.register(event, agency)
        assert errors_of(exc) == {"attendee_count": "名额已满"}

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"phone": ""}, "phone", "请填写联系电话"),
        ({"phone": "12345"}, "phone", "联系电话应为 11 位手机号或带区号的固定电话"),
        ({"attendee_count": 0}, "attendee_count", "参会人数应在 1–20 人之间"),
        ({"attendee_count": 21}, "attendee_count", "参会人数应在 1–20 人之间"),
        ({"note": "很" * 501}, "note", "备注不能超过 500 个字"),
    ])
    def test_bad_input_names_the_field(self, published, enterprise, overrides, field, message):
        with pytest.raises(ApplicationError) as exc:
            f.register(published, enterprise, **overrides)
        assert errors_of(exc)[field] == message

    def test_a_landline_is_accepted(self, published, enterprise):
        assert f.register(published, enterprise, phone="0371-67890123").phone == "0371-67890123"

    def test_the_audit_row_holds_the_phone_masked(self, published, enterprise):
        registration = f.register(published, enterprise)
        assert history_for(registration)[0].after["phone"] == "139****5678"


class TestRegistrationCancel:
    def test_cancel_frees_the_places(self, published, enterprise):
        f.register(published, enterprise, attendee_count=4)
        registration = services.event_registration_cancel(event=published, by=enterprise)
        assert registration.status == "cancelled" and registration.cancelled_at is not None
        assert services.registered_count(published) == 0

    def test_nothing_to_cancel(self, published, enterprise):
        with pytest.raises(ApplicationError) as exc:
            services.event_registration_cancel(event=published, by=enterprise)
        assert exc.value.errors[0].message == "您没有报名该活动"

    def test_not_once_it_started(self, published, enterprise):
        f.register(published, enterprise)
        with freeze_time(published.starts_at + datetime.timedelta(minutes=5)):
            with pytest.raises(ApplicationError) as exc:
                services.event_registration_cancel(event=published, by=enterprise)
        assert exc.value.errors[0].message == "活动已开始，不能取消报名"

    def test_anonymous_cannot_register(self, published, anonymous):
        with pytest.raises(PermissionDenied):
            f.register(published, anonymous)
