from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from techmarket.notifications import services
from techmarket.notifications.context_processors import notifications as notifications_context
from techmarket.notifications.models import Notification, Subscription

from .factories import make_user

pytestmark = pytest.mark.django_db


class TestInboxPage:
    def test_anonymous_is_sent_to_login(self, client, settings):
        settings.LOGIN_URL = "/accounts/login/"  # independent of the accounts app's URL names
        response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/inbox/"

    def test_lists_only_own_notifications_unread_first(self, client):
        # given
        alice, bob = make_user(), make_user()
        [first] = services.notify(recipients=[alice], topic="account", title="已读的消息")
        services.notification_mark_read(notification=first, by=alice)
        services.notify(recipients=[alice], topic="announcement", title="未读的消息")
        services.notify(recipients=[bob], topic="announcement", title="别人的消息")
        client.force_login(alice)
        # when
        response = client.get(reverse("notifications:inbox"))
        # then
        page = response.content.decode()
        assert response.status_code == 200
        assert page.index("未读的消息") < page.index("已读的消息")
        assert "别人的消息" not in page

    def test_paginates_twenty_per_page(self, client):
        alice = make_user()
        for i in range(25):
            services.notify(recipients=[alice], topic="account", title=f"消息{i}")
        client.force_login(alice)
        response = client.get(reverse("notifications:inbox") + "?page=2")
        assert len(response.context["page_obj"].object_list) == 5


class TestOpenView:
    def test_open_records_and_redirects(self, client):
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知", link="/accounts/profile/")
        client.force_login(alice)
        response = client.get(reverse("notifications:open", args=[n.pk]))
        assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
        assert Notification.objects.get(pk=n.pk).opened_at is not None

    def test_other_users_notification_is_404(self, client):
        alice, bob = make_user(), make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知")
        client.force_login(bob)
        assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[n.pk])).status_code == 404
        assert Notification.objects.get(pk=n.pk).opened_at is None


class TestReadViews:
    def test_mark_read_and_read_all(self, client):
        alice = make_user()
        [a] = services.notify(recipients=[alice], topic="account", title="一")
        services.notify(recipients=[alice], topic="account", title="二")
        client.force_login(alice)
        assert client.post(reverse("notifications:read", args=[a.pk])).status_code == 302
        assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1
        client.post(reverse("notifications:read_all"))
        assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0

    def test_next_to_another_host_is_ignored(self, client):
        alice = make_user()
        [a] = services.notify(recipients=[alice], topic="account", title="一")
        client.force_login(alice)
        response = client.post(reverse("notifications:read", args=[a.pk]), {"next": "https://evil.example/"})
        assert response["Location"] == reverse("notifications:inbox")


class TestSettingsPage:
    def test_saves_choices_per_topic(self, client):
        # given
        alice = make_user()
        client.force_login(alice)
        data = {"account__in_app": "on", "account__email": "on", "registry__in_app": "on",
                "announcement__email": "on"}
        # when
        response = client.post(reverse("notifications:settings"), data)
        # then
        assert response.status_code == 302
        saved = {s.topic: (s.in_app, s.email) for s in Subscription.objects.filter(user=alice)}
        assert saved["account"] == (True, True)
        assert saved["registry"] == (True, False)
        assert saved["announcement"] == (False, True)
        assert saved["disclosure"] == (False, False)

    def test_shows_defaults(self, client):
        client.force_login(make_user())
        response = client.get(reverse("notifications:settings"))
        assert response.status_code == 200
        assert "保密信息披露" in response.content.decode()


class TestUnsubscribePage:
    def test_get_confirms_without_changing_and_post_unsubscribes_without_login(self, client):
        # given
        alice = make_user(email="alice@example.cn")
        url = reverse("notifications:unsubscribe", args=[services.unsubscribe_token(alice, "announcement")])
        # when
        shown = client.get(url)
        # then
        assert shown.status_code == 200 and "通知公告" in shown.content.decode()
        assert "al***@example.cn" in shown.content.decode()
        assert not Subscription.objects.exists()
        # when
        done = client.post(url)
        # then
        assert done.status_code == 200 and "已退订" in done.content.decode()
        assert Subscription.objects.get(user=alice, topic="announcement").email is False

    def test_tampered_token_shows_error(self, client):
        alice = make_user()
        token = services.unsubscribe_token(alice, "announcement")
        url = reverse("notifications:unsubscribe", args=[token[:-2] + "xx"])
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
        assert not Subscription.objects.exists()


class TestContextProcessor:
    def test_counts_unread_for_user_and_zero_for_anonymous(self):
        from django.contrib.auth.models import AnonymousUser

        alice = make_user()
        services.notify(recipients=[alice], topic="account", title="一")
        request = RequestFactory().get("/")
        request.user = alice
        assert notifications_context(request) == {"unread_notifications": 1}
        request.user = AnonymousUser()
        assert notifications_context(request) == {"unread_notifications": 0}
