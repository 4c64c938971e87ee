"""/api/v1/events: public lists and detail, create, actions, registrations (201/204), the participant list
(organizer and staff; 403 for others who see the event, 404 for those who do not) with masked phones."""
from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time

from . import factories as f

BASE = "/api/v1/events"


def as_user(client, user):
    client.force_login(user)
    return client


def iso(value) -> str:
    return timezone.localtime(value).isoformat()


class TestEventApiPublic:
    def test_the_public_list_holds_published_events_only(self, client, published, officer_in, agency):
        f.event(organizer=officer_in, title="尚未发布的活动")
        f.event_in_state("submitted", organizer=agency, publisher=officer_in, title="待发布的活动")
        body = client.get(BASE).json()
        assert body["count"] == 1 and body["page_size"] == 20
        item = body["items"][0]
        assert item["id"] == published.pk and item["status"] == "published" and item["kind_display"] == "对接会"
        assert item["starts_at"].endswith("+08:00") and item["region"]["code"] == "410105"
        assert item["capacity"] == 100 and item["places_left"] == 100 and item["registration_open"] is True
        assert item["organizer"]["id"] is None and item["available_actions"] == []

    def test_filters_kind_city_and_when(self, client, published, officer_in):
        assert client.get(BASE, {"kind": "roadshow"}).json()["count"] == 0
        assert client.get(BASE, {"city": "4101"}).json()["count"] == 1
        assert client.get(BASE, {"city": "4106"}).json()["count"] == 0
        assert client.get(BASE, {"when": "upcoming"}).json()["count"] == 1
        assert client.get(BASE, {"when": "past"}).json()["count"] == 0
        with freeze_time(published.ends_at + datetime.timedelta(minutes=1)):
            assert client.get(BASE, {"when": "past"}).json()["items"][0]["phase_display"] == "已结束"
        response = client.get(BASE, {"kind": "party"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"

    def test_a_draft_is_404_to_the_public_and_visible_to_its_organizer(self, client, officer_in):
        event = f.event(organizer=officer_in)
        assert client.get(f"{BASE}/{event.pk}").status_code == 404
        body = as_user(client, officer_in).get(f"{BASE}/{event.pk}").json()
        assert body["managed"] is True and body["available_actions"] == ["publish", "cancel"]
        assert body["description"].startswith("议程")


class TestEventApiWrite:
    def test_create_is_201_for_staff_403_for_enterprises_401_for_anonymous(self, client, officer_in, enterprise):
        data = f.event_data()
        payload = {**data, "starts_at": iso(data["starts_at"]), "ends_at": iso(data["ends_at"]),
                   "registration_deadline": iso(data["registration_deadline"])}
        assert client.post(BASE, payload, content_type="application/json").status_code == 401
        assert as_user(client, enterprise).post(BASE, payload, content_type="application/json").status_code == 403
        response = as_user(client, officer_in).post(BASE, payload, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "draft"

    def test_create_with_bad_times_is_422_naming_the_field(self, client, officer_in):
        data = f.event_data()
        payload = {**data, "starts_at": iso(data["starts_at"]), "ends_at": iso(data["starts_at"]),
                   "registration_deadline": None}
        response = as_user(client, officer_in).post(BASE, payload, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "ends_at", "code": "invalid_range",
                                              "message": "结束时间应晚于开始时间"}]

    def test_patch_and_actions(self, client, agency, officer_in, officer_out):
        event = f.event(organizer=agency)
        response = as_user(client, agency).patch(f"{BASE}/{event.pk}", {"capacity": 50},
                                                 content_type="application/json")
        assert response.status_code == 200 and response.json()["capacity"] == 50
        response = client.post(f"{BASE}/{event.pk}/actions/submit", {"comment": ""}, content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "submitted"
        assert response.json()["status_display"] == "待发布"
        # a district officer of another district does not see the submitted event at all
        response = as_user(client, officer_out).post(f"{BASE}/{event.pk}/actions/publish", {"comment": ""},
                                                     content_type="application/json")
        assert response.status_code == 404
        response = as_user(client, officer_in).post(f"{BASE}/{event.pk}/actions/publish", {"comment": ""},
                                                    content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "published"
        # the agency may no longer edit content once submitted: 403 on a record it can see
        response = as_user(client, agency).patch(f"{BASE}/{event.pk}", {"title": "改"},
                                                 content_type="application/json")
        assert response.status_code == 403


class TestRegistrationApi:
    def test_register_is_201_and_the_registrant_sees_the_phone(self, client, published, enterprise):
        response = as_user(client, enterprise).post(f"{BASE}/{published.pk}/registrations", {
            "attendee_name": "李华", "phone": "13912345678", "attendee_count": 2, "note": "两人参会"},
            content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["phone"] == "13912345678" and body["attendee_count"] == 2 and body["status"] == "registered"
        detail = client.get(f"{BASE}/{published.pk}").json()
        assert detail["my_registration"]["id"] == body["id"] and detail["places_left"] == 98

    def test_register_needs_a_login_and_valid_input(self, client, published, enterprise):
        url = f"{BASE}/{published.pk}/registrations"
        assert client.post(url, {"phone": "13912345678"}, content_type="application/json").status_code == 401
        response = as_user(client, enterprise).post(url, {"phone": "1"}, content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "phone"

    def test_full_capacity_is_422(self, client, officer_in, enterprise, enterprise2):
        event = f.event_in_state("published", organizer=officer_in, publisher=officer_in, capacity=1)
        f.register(event, enterprise)
        response = as_user(client, enterprise2).post(f"{BASE}/{event.pk}/registrations", {"phone": "13912345678"},
                                                     content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0] == {"field": "attendee_count", "code": "capacity_full",
                                                "message": "名额已满"}

    def test_delete_mine_is_204_then_404(self, client, published, enterprise):
        f.register(published, enterprise)
        url = f"{BASE}/{published.pk}/registrations/mine"
        assert as_user(client, enterprise).delete(url).status_code == 204
        assert client.delete(url).status_code == 404

    def test_the_participant_list_masks_phones_for_organizers(self, client, agency, officer_in, bureau, enterprise):
        event = f.event_in_state("published", organizer=agency, publisher=officer_in)
        f.register(event, enterprise, phone="13912345678")
        url = f"{BASE}/{event.pk}/registrations"
        body = as_user(client, agency).get(url).json()
        assert body["count"] == 1 and body["items"][0]["phone"] == "139****5678"
        assert as_user(client, officer_in).get(url).json()["items"][0]["phone"] == "139****5678"
        assert as_user(client, bureau).get(url).json()["items"][0]["phone"] == "13912345678"
        assert as_user(client, enterprise).get(url).status_code == 403

    def test_the_participant_list_of_an_unseen_event_is_404(self, client, officer_in, officer_out):
        event = f.event(organizer=officer_in)
        assert as_user(client, officer_out).get(f"{BASE}/{event.pk}/registrations").status_code == 404
        client.logout()
        assert client.get(f"{BASE}/{event.pk}/registrations").status_code == 401
