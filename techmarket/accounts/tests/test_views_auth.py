"""Login lockout, idle sessions, demo accounts, logout and password reset through the web pages."""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from .factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


class TestLoginLockout:
    def test_five_failures_lock_for_fifteen_minutes(self, client):
        # given
        make_user("alice")
        with freeze_time("2025-03-03 10:00:00+08:00") as frozen:
            for _ in range(4):
                assert "用户名或密码错误" in _login(client, "alice", "wrong-password").content.decode()
            fifth = _login(client, "alice", "wrong-password")
            # when: the right password at minute 14
            frozen.move_to("2025-03-03 10:14:00+08:00")
            at_14 = _login(client, "alice", PASSWORD)
            # then
            assert "账号已锁定，请于 10:15 后再试" in fifth.content.decode()
            assert at_14.status_code == 200
            assert "账号已锁定，请于 10:15 后再试" in at_14.content.decode()
            assert SESSION_KEY not in client.session
            # when: the right password at minute 16
            frozen.move_to("2025-03-03 10:16:00+08:00")
            at_16 = _login(client, "alice", PASSWORD)
            # then
            assert at_16.status_code == 302
            assert client.session[SESSION_KEY] == str(_user_pk("alice"))

    def test_success_resets_the_failure_count(self, client):
        # given
        user = make_user("bob")
        for _ in range(4):
            _login(client, "bob", "wrong-password")
        # when
        _login(client, "bob", PASSWORD)
        # then
        user.refresh_from_db()
        assert user.failed_logins == 0
        assert user.locked_until is None

    def test_unknown_user_gets_the_same_generic_error(self, client):
        # given
        make_user("carol")
        # when
        unknown = _login(client, "nobody-here", "wrong-password").content.decode()
        wrong = _login(client, "carol", "wrong-password").content.decode()
        # then
        assert "用户名或密码错误" in unknown
        assert "用户名或密码错误" in wrong

    def test_inactive_user_gets_the_generic_error(self, client):
        make_user("dave", is_active=False)
        assert "用户名或密码错误" in _login(client, "dave", PASSWORD).content.decode()
        assert SESSION_KEY not in client.session


def _user_pk(username):
    from techmarket.accounts.models import User

    return User.objects.get(username=username).pk


class TestDemoAccounts:
    def test_demo_user_cannot_log_in_when_demo_mode_is_off(self, client, settings):
        # given
        settings.TECHMARKET_DEMO = False
        make_user("ent-4101-1", is_demo=True)
        # when
        response = _login(client, "ent-4101-1", PASSWORD)
        # then
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_demo_user_logs_in_when_demo_mode_is_on(self, client, settings):
        settings.TECHMARKET_DEMO = True
        make_user("ent-4101-2", is_demo=True)
        assert _login(client, "ent-4101-2", PASSWORD).status_code == 302

    def test_existing_demo_session_ends_when_demo_mode_is_switched_off(self, client, settings):
        # given
        settings.TECHMARKET_DEMO = True
        client.force_login(make_user("ent-4101-3", is_demo=True))
        # when
        settings.TECHMARKET_DEMO = False
        response = client.get("/accounts/profile/")
        # then
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)


class TestIdleSession:
    def test_session_expires_after_thirty_idle_minutes(self, client):
        # given
        client.force_login(make_user("erin"))
        with freeze_time("2025-03-03 09:00:00+08:00") as frozen:
            assert client.get("/accounts/profile/").status_code == 200
            frozen.move_to("2025-03-03 09:29:00+08:00")
            assert client.get("/accounts/profile/").status_code == 200
            # when: 31 minutes after the last request
            frozen.move_to("2025-03-03 10:00:00+08:00")
            response = client.get("/accounts/profile/")
            # then
            assert response.status_code == 302
            assert response.url.startswith(LOGIN)
            page = client.get(response.url).content.decode()
            assert "登录已超时" in page

    def test_middleware_logs_out_before_the_session_store_does(self, client, settings):
        # given: a shorter idle limit than the session lifetime
        settings.TECHMARKET_IDLE_TIMEOUT_SECONDS = 10 * 60
        client.force_login(make_user("frank"))
        with freeze_time("2025-03-03 09:00:00+08:00") as frozen:
            client.get("/accounts/profile/")
            # when
            frozen.move_to("2025-03-03 09:11:00+08:00")
            response = client.get("/accounts/profile/")
            # then
            assert response.status_code == 302
            assert SESSION_KEY not in client.session
            assert "登录已超时" in client.get(LOGIN).content.decode()

    def test_explicit_logout_shows_no_timeout_notice(self, client):
        # given
        client.force_login(make_user("gina"))
        client.get("/accounts/profile/")
        # when
        response = client.post("/accounts/logout/")
        # then
        assert response.status_code == 302
        assert SESSION_KEY not in client.session
        assert "登录已超时" not in client.get(LOGIN).content.decode()

    def test_logout_by_get_is_refused(self, client):
        client.force_login(make_user("hank"))
        assert client.get("/accounts/logout/").status_code == 405
        assert SESSION_KEY in client.session

    def test_notice_is_shown_once(self, client):
        client.force_login(make_user("ivy"))
        with freeze_time("2025-03-03 09:00:00+08:00") as frozen:
            client.get("/accounts/profile/")
            frozen.move_to("2025-03-03 09:45:00+08:00")
            client.get("/accounts/profile/")
            assert "登录已超时" in client.get(LOGIN).content.decode()
            assert "登录已超时" not in client.get(LOGIN).content.decode()


class TestPasswordReset:
    def test_reset_mail_is_sent_in_chinese_with_a_working_link(self, client):
        # given
        make_user("jack", email="jack@example.cn")
        # when
        response = client.post("/accounts/password/reset/", {"email": "jack@example.cn"})
        # then
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["jack@example.cn"]
        assert "重设密码" in message.subject
        link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
        form_page = client.get(link, follow=True)
        assert "设置新密码" in form_page.content.decode()
        done = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "Brand-new-pass-2025", "new_password2": "Brand-new-pass-2025"})
        assert done.status_code == 302
        assert "密码已重设" in client.get(done.url).content.decode()
        assert _login(client, "jack", "Brand-new-pass-2025").status_code == 302

    def test_unknown_address_sends_nothing_and_says_the_same(self, client):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
        assert response.status_code == 302
        assert response.url == reverse("accounts:password_reset_done")
        assert mail.outbox == []

    def test_demo_accounts_get_no_reset_mail_when_demo_mode_is_off(self, client, settings):
        settings.TECHMARKET_DEMO = False
        make_user("expert-4101-1", email="demo@example.cn", is_demo=True)
        client.post("/accounts/password/reset/", {"email": "demo@example.cn"})
        assert mail.outbox == []


class TestPasswordChange:
    def test_change_keeps_the_user_signed_in(self, client):
        user = make_user("kate")
        client.force_login(user)
        response = client.post("/accounts/password/change/", {
            "old_password": PASSWORD, "new_password1": "Another-pass-2025", "new_password2": "Another-pass-2025"})
        assert response.status_code == 302
        assert client.get("/accounts/profile/").status_code == 200
        user.refresh_from_db()
        assert user.check_password("Another-pass-2025")
