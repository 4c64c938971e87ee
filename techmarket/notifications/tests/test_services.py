from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.notifications import services
from techmarket.notifications.models import DigestLog, Notification, Subscription
from techmarket.notifications.selectors import notification_list_for, notifications_about, unread_count
from techmarket.notifications.topics import UnknownTopic, all_topics, get_topic, register_topic

from .factories import make_user

pytestmark = pytest.mark.django_db


class TestTopics:
    def test_foundation_topics_are_registered(self):
        # given / when
        codes = [t.code for t in all_topics()]
        # then
        assert {"account", "registry", "announcement", "disclosure"} <= set(codes)
        assert str(get_topic("disclosure").label) == "保密信息披露"

    def test_registering_a_code_again_with_other_values_is_refused(self):
        with pytest.raises(ValueError):
            register_topic("account", "别的名称")

    def test_registering_the_same_topic_again_is_harmless(self):
        topic = get_topic("account")
        assert register_topic("account", topic.label, topic.default_email, topic.description) == topic


class TestNotify:
    def test_notify_creates_one_row_per_recipient(self):
        # given
        alice, bob = make_user(), make_user()
        # when
        created = services.notify(recipients=[alice, bob, alice], topic="announcement", title="关于开展申报的通知",
                                  body="请于月底前提交。", link="/notices/1/")
        # then
        assert {n.recipient_id for n in created} == {alice.pk, bob.pk}
        assert Notification.objects.count() == 2
        assert unread_count(user=alice) == 1

    def test_notify_skips_recipient_who_switched_topic_off(self):
        # given
        alice, bob = make_user(), make_user()
        services.subscription_set(user=bob, topic="announcement", in_app=False, email=False)
        # when
        created = services.notify(recipients=[alice, bob], topic="announcement", title="通知")
        # then
        assert [n.recipient_id for n in created] == [alice.pk]
        assert not Notification.objects.filter(recipient=bob).exists()

    def test_email_only_subscription_keeps_row_out_of_inbox(self):
        # given
        alice = make_user()
        services.subscription_set(user=alice, topic="announcement", in_app=False, email=True)
        # when
        services.notify(recipients=[alice], topic="announcement", title="通知")
        # then
        assert Notification.objects.get(recipient=alice).in_app is False
        assert notification_list_for(user=alice).count() == 0
        assert unread_count(user=alice) == 0

    def test_inactive_users_get_nothing(self):
        ghost = make_user(is_active=False)
        assert services.notify(recipients=[ghost], topic="account", title="通知") == []

    def test_unknown_topic_is_refused(self):
        with pytest.raises(UnknownTopic):
            services.notify(recipients=[make_user()], topic="no-such-topic", title="通知")

    def test_javascript_link_is_refused(self):
        with pytest.raises(ValueError):
            services.notify(recipients=[make_user()], topic="account", title="通知", link="javascript:alert(1)")

    def test_about_records_the_related_record_for_its_owner(self):
        # given
        alice, bob, about = make_user(), make_user(), make_user(username="about-record")
        # when
        services.notify(recipients=[alice, bob], topic="registry", title="记录已审核", about=about)
        # then
        assert {n.recipient_id for n in notifications_about(about)} == {alice.pk, bob.pk}

    def test_signal_is_sent_only_after_commit(self, django_capture_on_commit_callbacks):
        # given
        alice = make_user()
        received = []

        def receiver(sender, notifications, topic, **kwargs):
            received.append((topic, len(notifications)))

        services.notifications_created.connect(receiver)
        try:
            # when
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.notify(recipients=[alice], topic="account", title="通知")
            # then
            assert received == []
            assert len(callbacks) == 1
            callbacks[0]()
            assert received == [("account", 1)]
        finally:
            services.notifications_created.disconnect(receiver)

    def test_rollback_of_caller_discards_notifications_and_signal(self, django_capture_on_commit_callbacks):
        alice = make_user()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError):
                with transaction.atomic():
                    services.notify(recipients=[alice], topic="account", title="通知")
                    raise RuntimeError
        assert callbacks == []
        assert not Notification.objects.exists()


class TestNotificationOpen:
    @freeze_time("2025-03-03 09:00:00+08:00")
    def test_open_records_first_click_and_returns_link(self):
        # given
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知", link="/accounts/profile/")
        # when
        target = services.notification_open(notification=n, by=alice)
        # then
        n.refresh_from_db()
        assert target == "/accounts/profile/"
        assert n.opened_at is not None and n.read_at is not None

    def test_second_open_keeps_first_time(self):
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知")
        with freeze_time("2025-03-03 09:00:00+08:00"):
            services.notification_open(notification=n, by=alice)
        with freeze_time("2025-03-04 09:00:00+08:00"):
            services.notification_open(notification=Notification.objects.get(pk=n.pk), by=alice)
        n.refresh_from_db()
        assert n.opened_at.isoformat() == "2025-03-03T01:00:00+00:00"

    def test_other_user_cannot_open(self):
        alice, bob = make_user(), make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知")
        with pytest.raises(PermissionDenied):
            services.notification_open(notification=n, by=bob)


class TestNotificationMarkRead:
    def test_mark_read_sets_read_at(self):
        alice = make_user()
        [n] = services.notify(recipients=[alice], topic="account", title="通知")
        services.notification_mark_read(notification=n, by=alice)
        assert Notification.objects.get(pk=n.pk).read_at is not None
        assert unread_count(user=alice) == 0

    def test_inbox_lists_unread_first(self):
        # given
        alice = make_user()
        with freeze_time("2025-03-01 09:00:00+08:00"):
            [old] = services.notify(recipients=[alice], topic="account", title="较早")
        with freeze_time("2025-03-02 09:00:00+08:00"):
            [new] = services.notify(recipients=[alice], topic="account", title="较新")
        services.notification_mark_read(notification=new, by=alice)
        # when
        titles = [n.title for n in notification_list_for(user=alice)]
        # then
        assert titles == ["较早", "较新"]


class TestSubscriptionSet:
    def test_unknown_topic_is_a_chinese_error(self):
        with pytest.raises(ApplicationError) as exc:
            services.subscription_set(user=make_user(), topic="nope", in_app=True, email=True)
        assert exc.value.errors[0].field == "topic"

    def test_setting_twice_updates_the_one_row(self):
        alice = make_user()
        services.subscription_set(user=alice, topic="account", in_app=True, email=True)
        services.subscription_set(user=alice, topic="account", in_app=True, email=False)
        assert Subscription.objects.get(user=alice, topic="account").email is False


class TestUnsubscribeByToken:
    def test_token_turns_email_off_and_keeps_in_app(self):
        # given
        alice = make_user()
        token = services.unsubscribe_token(alice, "announcement")
        # when
        sub = services.unsubscribe_by_token(token)
        # then
        assert (sub.user_id, sub.topic, sub.in_app, sub.email) == (alice.pk, "announcement", True, False)

    def test_tampered_token_is_rejected(self):
        # given
        alice, bob = make_user(), make_user()
        token = services.unsubscribe_token(alice, "announcement")
        payload, sig = token.rsplit(":", 1)
        forged = services.unsubscribe_token(bob, "announcement").rsplit(":", 1)[0] + ":" + sig
        # when / then
        for bad in (forged, payload + ":" + sig[:-1] + ("A" if sig[-1] != "A" else "B"), "garbage"):
            with pytest.raises(ApplicationError) as exc:
                services.unsubscribe_by_token(bad)
            assert exc.value.errors[0].code == "invalid_token"
        assert not Subscription.objects.exists()


@pytest.fixture
def digest_day():
    with freeze_time("2025-03-03 20:00:00+08:00"):
        yield datetime.date(2025, 3, 3)


class TestDigestSendDaily:
    def test_one_email_per_recipient_with_every_item(self, digest_day):
        # given
        alice, bob = make_user(), make_user()
        services.notify(recipients=[alice, bob], topic="announcement", title="关于开展技术合同登记的通知",
                        link="/notices/7/")
        services.notify(recipients=[alice], topic="account", title="您的注册申请已通过")
        # when
        logs = services.digest_send_daily(day=digest_day)
        # then
        assert sorted(log.user_id for log in logs) == sorted([alice.pk, bob.pk])
        assert len(mail.outbox) == 2
        to_alice = next(m for m in mail.outbox if m.to == [alice.email])
        assert to_alice.subject == "科技大市场 每日消息摘要（2 条）"
        assert "关于开展技术合同登记的通知" in to_alice.body and "您的注册申请已通过" in to_alice.body
        html, mimetype = to_alice.alternatives[0]
        assert mimetype == "text/html" and "/inbox/" in html and "/unsubscribe/" in html
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()
        assert DigestLog.objects.get(user=alice, date=digest_day).count == 2

    def test_second_run_on_same_day_sends_nothing(self, digest_day):
        # given
        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="第一条")
        services.digest_send_daily(day=digest_day)
        services.notify(recipients=[alice], topic="announcement", title="第二条")
        # when
        again = services.digest_send_daily(day=digest_day)
        # then
        assert again == []
        assert len(mail.outbox) == 1
        assert Notification.objects.get(title="第二条").emailed_at is None

    def test_next_day_sends_what_is_left(self, digest_day):
        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="第一条")
        services.digest_send_daily(day=digest_day)
        services.notify(recipients=[alice], topic="announcement", title="第二条")
        with freeze_time("2025-03-04 20:00:00+08:00"):
            services.digest_send_daily()
        assert len(mail.outbox) == 2
        assert "第二条" in mail.outbox[1].body and "第一条" not in mail.outbox[1].body

    def test_database_refuses_a_second_digest_log(self, digest_day):
        alice = make_user()
        DigestLog.objects.create(user=alice, date=digest_day, count=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            DigestLog.objects.create(user=alice, date=digest_day, count=1)

    def test_topics_with_email_off_are_left_out(self, digest_day):
        # given
        alice = make_user()
        services.subscription_set(user=alice, topic="account", in_app=True, email=False)
        services.notify(recipients=[alice], topic="account", title="账号消息")
        services.notify(recipients=[alice], topic="announcement", title="公告消息")
        # when
        services.digest_send_daily(day=digest_day)
        # then
        [message] = mail.outbox
        assert "公告消息" in message.body and "账号消息" not in message.body
        assert Notification.objects.get(title="账号消息").emailed_at is None

    def test_unsubscribed_user_gets_no_email(self, digest_day):
        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="公告消息")
        services.unsubscribe_by_token(services.unsubscribe_token(alice, "announcement"))
        assert services.digest_send_daily(day=digest_day) == []
        assert mail.outbox == []

    def test_read_notifications_and_users_without_email_are_skipped(self, digest_day):
        alice, nomail = make_user(), make_user(email="")
        [n] = services.notify(recipients=[alice], topic="announcement", title="已读")
        services.notification_mark_read(notification=n, by=alice)
        services.notify(recipients=[nomail], topic="announcement", title="无邮箱")
        assert services.digest_send_daily(day=digest_day) == []
        assert mail.outbox == []

    def test_failed_send_is_rolled_back_and_retried(self, digest_day, monkeypatch):
        # given
        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="公告消息")

        def boom(self, fail_silently=False):
            raise OSError("smtp down")

        monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
        # when
        assert services.digest_send_daily(day=digest_day) == []
        # then
        assert not DigestLog.objects.exists()
        assert Notification.objects.get().emailed_at is None
        monkeypatch.undo()
        assert len(services.digest_send_daily(day=digest_day)) == 1

    def test_unsubscribe_link_in_email_works(self, digest_day):
        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="公告消息")
        services.digest_send_daily(day=digest_day)
        token = mail.outbox[0].body.split("/unsubscribe/")[1].split("/")[0]
        assert services.unsubscribe_by_token(token).email is False


class TestSendDailyDigestTask:
    def test_task_sends_the_digest(self, digest_day):
        from techmarket.notifications.tasks import send_daily_digest

        alice = make_user()
        services.notify(recipients=[alice], topic="announcement", title="公告消息")
        result = send_daily_digest.enqueue(day=digest_day.isoformat())
        assert result.return_value == 1
        assert len(mail.outbox) == 1

    def test_task_is_registered_as_daily_periodic_job(self):
        from techmarket.scheduling.models import ScheduledJob

        # the post_migrate sync ran when the test database was created
        job = ScheduledJob.objects.get(name="notifications_daily_digest")
        assert job.task == "techmarket.notifications.tasks.send_daily_digest"
        assert job.cron == "0 8 * * *" and job.enabled
