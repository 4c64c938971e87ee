"""Push (X3): top matched experts and institutions and field subscribers are notified once; topic switches;
one digest a day; the owner sees who was notified and who opened it; per-field subscriptions."""
from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from techmarket.achievements.tests.factories import term
from techmarket.core.tests import factories
from techmarket.demands.tests.factories import demand_in_state
from techmarket.matching.models import FieldSubscription
from techmarket.matching.push import PUSH_TOPIC, push_log, push_matches, push_on_publish
from techmarket.matching.tests.test_matching import (  # noqa: F401  (fixtures)
    URLCONF,
    battery_demand,
    expert,
    jinshui_enterprise,
)
from techmarket.notifications.models import Notification
from techmarket.notifications.services import digest_send_daily, notification_open, subscription_set


@pytest.fixture
def solvers(owner_org, owner, regions, settings):
    """An expert with an account, the institute he works at (user ``owner``), an expert without account."""
    settings.TECHMARKET_PUSH_TOP_N = 10
    owner.email = "inst@example.com"
    owner.save()
    owner_org.description = "锂离子电池正极材料研究"
    owner_org.save()
    account = factories.user("expert-li", email="li@example.com", name="李研究员")
    li = expert("李研究员", organization=owner_org, region=regions["jinshui"], expertise="锂离子电池正极材料包覆改性",
                user=account, fields=["40"])
    expert("王教授", organization=None, region=regions["city"], expertise="锂离子电池正极材料")
    return {"expert_user": account, "expert": li, "institute_user": owner}


@pytest.fixture
def subscriber(regions):
    user = factories.user("follower", email="follower@example.com")
    FieldSubscription.objects.create(user=user, tech_field=term("hitech_domains", "40"))
    return user


class TestPushMatches:
    def test_notifies_matched_experts_institutions_and_subscribers_once(self, battery_demand, solvers, subscriber,
                                                                         jinshui_enterprise, reindex):
        reindex()
        created = push_matches(battery_demand)
        recipients = {n.recipient_id for n in created}
        assert recipients == {solvers["expert_user"].pk, solvers["institute_user"].pk, subscriber.pk}
        assert jinshui_enterprise.pk not in recipients
        note = next(n for n in created if n.recipient_id == solvers["expert_user"].pk)
        assert note.topic == PUSH_TOPIC and note.about == battery_demand
        assert note.link == battery_demand.get_absolute_url() and "锂离子电池" in note.body
        # again (a retried task, a renewal): nobody twice
        assert push_matches(battery_demand) == []
        assert Notification.objects.filter(topic=PUSH_TOPIC).count() == 3

    def test_top_n_limits_matched_targets(self, battery_demand, solvers, reindex, settings):
        reindex()
        settings.TECHMARKET_PUSH_TOP_N = 1
        created = push_matches(battery_demand)
        assert len({n.recipient_id for n in created}) == 1

    def test_unsubscribed_topic_gets_nothing(self, battery_demand, solvers, subscriber, reindex):
        reindex()
        subscription_set(user=subscriber, topic=PUSH_TOPIC, in_app=False, email=False)
        subscription_set(user=solvers["expert_user"], topic=PUSH_TOPIC, in_app=False, email=False)
        recipients = {n.recipient_id for n in push_matches(battery_demand)}
        assert recipients == {solvers["institute_user"].pk}

    def test_unpublished_demand_is_not_pushed(self, jinshui_enterprise, bureau, solvers, subscriber, reindex):
        draft = demand_in_state("submitted", owner=jinshui_enterprise, reviewer=bureau, title="锂离子电池正极材料",
                                tech_field=term("hitech_domains", "40"))
        reindex()
        assert push_matches(draft) == []

    def test_push_on_publish_runs_after_commit(self, battery_demand, solvers, subscriber, reindex,
                                               django_capture_on_commit_callbacks):
        reindex()
        with django_capture_on_commit_callbacks(execute=True):
            push_on_publish(battery_demand)
        assert Notification.objects.filter(topic=PUSH_TOPIC, recipient=subscriber).count() == 1


class TestDigestAndLog:
    def test_two_pushes_one_day_one_digest(self, battery_demand, jinshui_enterprise, bureau, subscriber, reindex):
        second = demand_in_state("published", owner=jinshui_enterprise, reviewer=bureau, title="高镍正极材料",
                                 tech_field=term("hitech_domains", "40101"))
        reindex()
        push_matches(battery_demand)
        push_matches(second)
        mail.outbox.clear()
        digest_send_daily()
        digest_send_daily()
        to_follower = [m for m in mail.outbox if m.to == [subscriber.email]]
        assert len(to_follower) == 1
        text = to_follower[0].body
        assert battery_demand.title in text and second.title in text
        assert "/unsubscribe/" in text and "精准推送" in text

    def test_owner_sees_notified_and_opened(self, battery_demand, solvers, jinshui_enterprise, reindex):
        reindex()
        push_matches(battery_demand)
        note = Notification.objects.get(recipient=solvers["expert_user"], topic=PUSH_TOPIC)
        notification_open(notification=note, by=solvers["expert_user"])
        rows = {r.name: r for r in push_log(battery_demand)}
        assert rows["李研究员"].opened_at is not None and rows["李研究员"].organization == "郑州材料研究院"
        assert rows[solvers["institute_user"].display_name].opened_at is None

    @pytest.mark.urls(URLCONF)
    def test_push_log_on_the_matches_page_is_masked(self, battery_demand, solvers, jinshui_enterprise, reindex):
        reindex()
        push_matches(battery_demand)
        client = Client()
        client.force_login(jinshui_enterprise)
        html = client.get(f"/manage/demands/{battery_demand.pk}/matches/").content.decode()
        assert "推送记录" in html and "李研究员" in html and "未打开" in html
        assert "li@example.com" not in html and "13812345678" not in html


@pytest.mark.urls(URLCONF)
class TestFieldSubscriptionsPage:
    def test_pick_fields(self, regions):
        user = factories.user("someone")
        client = Client()
        assert client.get("/subscriptions/fields/").status_code == 302  # login first
        client.force_login(user)
        page = client.get("/subscriptions/fields/")
        assert page.status_code == 200 and "修改消息订阅设置" in page.content.decode()
        materials, software = term("hitech_domains", "40"), term("hitech_domains", "101")
        client.post("/subscriptions/fields/", {"tech_fields": [materials.pk, software.pk]})
        assert set(FieldSubscription.objects.filter(user=user).values_list("tech_field_id", flat=True)) == {
            materials.pk, software.pk}
        client.post("/subscriptions/fields/", {"tech_fields": [software.pk]})
        assert list(FieldSubscription.objects.filter(user=user).values_list("tech_field_id", flat=True)) == [
            software.pk]
