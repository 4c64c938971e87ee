from __future__ import annotations

import pytest

from techmarket.notifications import services
from techmarket.notifications.models import Subscription

from .factories import make_user

pytestmark = pytest.mark.django_db


class TestNotificationListApi:
    def test_anonymous_gets_401(self, client):
        for url in ("/api/v1/notifications", "/api/v1/notification-subscriptions"):
            response = client.get(url)
            assert response.status_code == 401
            assert response.json()["errors"][0]["code"] == "not_authenticated"

    def test_lists_own_notifications_in_envelope(self, client):
        # given
        alice, bob = make_user(), make_user()
        [read] = services.notify(recipients=[alice], topic="account", title="已读")
        services.notification_mark_read(notification=read, by=alice)
        services.notify(recipients=[alice], topic="announcement", title="未读")
        services.notify(recipients=[bob], topic="announcement", title="别人的")
        client.force_login(alice)
        # when
        body = client.get("/api/v1/notifications").json()
        unread = client.get("/api/v1/notifications?unread=true").json()
        # then
        assert body["count"] == 2 and body["page"] == 1 and body["page_size"] == 20
        assert [i["title"] for i in body["items"]] == ["未读", "已读"]
        assert body["items"][0]["topic_display"] == "通知公告"
        assert body["items"][0]["created_at"].endswith("+08:00")
        assert [i["title"] for i in unread["items"]] == ["未读"]


class TestNotificationReadApi:
    def test_marks_own_notification_read(self, client):
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="一")
        client.force_login(alice)
        response = client.post(f"/api/v1/notifications/{n.pk}/read")
        assert response.status_code == 200 and response.json()["is_read"] is True

    def test_other_users_notification_is_404(self, client):
        alice, bob = make_user(), make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="一")
        client.force_login(bob)
        response = client.post(f"/api/v1/notifications/{n.pk}/read")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"

    def test_anonymous_gets_401(self, client):
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="一")
        assert client.post(f"/api/v1/notifications/{n.pk}/read").status_code == 401


class TestSubscriptionApi:
    def test_get_shows_defaults_for_every_topic(self, client):
        client.force_login(make_user())
        body = client.get("/api/v1/notification-subscriptions").json()
        topics = {i["topic"]: i for i in body["items"]}
        assert topics["account"]["in_app"] is True and topics["account"]["email"] is True
        assert body["count"] == len(body["items"])

    def test_put_changes_listed_topics(self, client):
        alice = make_user()
        client.force_login(alice)
        response = client.put("/api/v1/notification-subscriptions",
                              {"items": [{"topic": "announcement", "in_app": True, "email": False}]},
                              content_type="application/json")
        assert response.status_code == 200
        assert {i["topic"]: i["email"] for i in response.json()["items"]}["announcement"] is False
        assert Subscription.objects.get(user=alice).topic == "announcement"

    def test_put_unknown_topic_is_422_and_writes_nothing(self, client):
        client.force_login(make_user())
        response = client.put("/api/v1/notification-subscriptions",
                              {"items": [{"topic": "account", "in_app": True, "email": False},
                                         {"topic": "nope", "in_app": True, "email": False}]},
                              content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "items.1.topic"
        assert not Subscription.objects.exists()
