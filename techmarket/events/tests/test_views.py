"""Pages of 对接活动: the public list and detail with registration, and the managed pages."""
from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time

from techmarket.events.models import Event, EventRegistration

from . import factories as f


def login(client, user):
    client.force_login(user)
    return client


def form_post(**overrides) -> dict:
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=7)).replace(hour=9, minute=0)
    data = {"title": "鹤壁市电子信息路演", "kind": "roadshow", "summary": "项目路演", "description": "",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "registration_deadline": "", "venue": "金水区科技大厦", "region": "410105", "capacity": "30"}
    data.update(overrides)
    return data


class TestPublicPages:
    def test_list_has_upcoming_and_past_sections_and_filters(self, client, published, officer_in):
        page = client.get("/events/").content.decode()
        assert "近期活动" in page and "往期活动" in page and published.title in page and "剩余 <strong>100</strong>" in page
        assert published.title not in client.get("/events/?kind=roadshow").content.decode()
        assert published.title in client.get("/events/?city=4101").content.decode()
        with freeze_time(published.ends_at + datetime.timedelta(days=1)):
            page = client.get("/events/").content.decode()
        assert page.index(published.title) > page.index("往期活动")

    def test_a_draft_is_404(self, client, officer_in):
        event = f.event(organizer=officer_in)
        assert client.get(f"/events/{event.pk}/").status_code == 404

    def test_anonymous_is_asked_to_log_in(self, client, published):
        page = client.get(f"/events/{published.pk}/").content.decode()
        assert "登录报名" in page and "提交报名" not in page

    def test_register_and_cancel_from_the_page(self, client, published, enterprise):
        login(client, enterprise)
        assert "提交报名" in client.get(f"/events/{published.pk}/").content.decode()
        response = client.post(f"/events/{published.pk}/register/", {
            "attendee_name": "李华", "phone": "13912345678", "attendee_count": "2", "note": ""})
        assert response.status_code == 302
        page = client.get(f"/events/{published.pk}/").content.decode()
        assert "已报名（2 人，李华）" in page and "剩余 <strong>98</strong>" in page
        assert client.post(f"/events/{published.pk}/unregister/").status_code == 302
        assert EventRegistration.objects.get().status == "cancelled"

    def test_a_bad_phone_is_shown_on_the_field(self, client, published, enterprise):
        response = login(client, enterprise).post(f"/events/{published.pk}/register/", {
            "attendee_name": "李华", "phone": "123", "attendee_count": "1"})
        assert response.status_code == 200
        assert response.context["form"].errors["phone"] == ["联系电话应为 11 位手机号或带区号的固定电话"]

    def test_showcased_achievements_are_listed(self, client, officer_in, enterprise, bureau):
        from techmarket.achievements.tests import factories as achievement_factories

        achievement = achievement_factories.achievement_in_state("published", owner=enterprise, reviewer=bureau)
        event = f.event_in_state("published", organizer=officer_in, publisher=officer_in, kind="roadshow",
                                 achievements=[achievement.pk])
        page = client.get(f"/events/{event.pk}/").content.decode()
        assert f"/achievements/{achievement.pk}/" in page


class TestManagedPages:
    def test_enterprises_have_no_managed_pages(self, client, enterprise, published):
        login(client, enterprise)
        assert client.get("/manage/events/").status_code == 404
        assert client.get("/manage/events/new/").status_code == 404
        assert client.get(f"/manage/events/{published.pk}/").status_code == 404

    def test_the_managed_list_and_the_empty_form(self, client, bureau, published, agency, officer_in):
        submitted = f.event_in_state("submitted", organizer=agency, publisher=officer_in, title="机构路演")
        page = login(client, bureau).get("/manage/events/").content.decode()
        assert published.title in page and submitted.title in page and "待发布" in page
        assert login(client, agency).get("/manage/events/?status=submitted").content.decode().count("机构路演") == 1
        form_page = client.get("/manage/events/new/")
        assert form_page.status_code == 200 and "展示成果" in form_page.content.decode()

    def test_staff_out_of_scope_get_404(self, client, officer_out, published):
        assert login(client, officer_out).get(f"/manage/events/{published.pk}/").status_code == 404

    def test_staff_create_publish_and_see_participants(self, client, officer_in, enterprise):
        response = login(client, officer_in).post("/manage/events/new/", form_post())
        event = Event.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/manage/events/{event.pk}/"
        assert client.post(f"/manage/events/{event.pk}/actions/publish/", {"publish-comment": ""}).status_code == 302
        event.refresh_from_db()
        assert event.status == "published"
        f.register(event, enterprise, phone="13912345678")
        page = client.get(f"/manage/events/{event.pk}/").content.decode()
        assert "报名名单（1 人）" in page and "139****5678" in page and "participants.xlsx" in page

    def test_form_errors_land_on_the_fields(self, client, officer_in):
        data = form_post()
        response = login(client, officer_in).post("/manage/events/new/", {**data, "ends_at": data["starts_at"]})
        assert response.status_code == 200
        assert response.context["form"].errors["ends_at"] == ["结束时间应晚于开始时间"]
        assert Event.objects.count() == 0
        # a district office only offers its own units
        response = client.post("/manage/events/new/", form_post(region="410102"))
        assert "region" in response.context["form"].errors and Event.objects.count() == 0

    def test_cancel_needs_a_reason(self, client, officer_in, published):
        response = login(client, officer_in).post(f"/manage/events/{published.pk}/actions/cancel/",
                                                  {"cancel-comment": ""})
        assert response.status_code == 200 and "请填写意见" in response.content.decode()
        published.refresh_from_db()
        assert published.status == "published"

    def test_an_agency_submits_its_event(self, client, agency):
        login(client, agency).post("/manage/events/new/", form_post())
        event = Event.objects.get()
        assert event.organizer_organization == agency.organization
        page = client.get(f"/manage/events/{event.pk}/").content.decode()
        assert "提交发布" in page and "/actions/publish/" not in page
