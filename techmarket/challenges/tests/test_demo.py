"""The demo's 揭榜挂帅 (issue 7 item 8): challenges in every state for 郑州, 鹤壁 and 周口, a collection round per
city with pool entries in every state, 周口's accepted project registered with its support computed, and a
pushed challenge in expert-4101-1's inbox (the issue's must-show)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from techmarket.accounts.roles import Role
from techmarket.challenges.choices import ApplicationStatus, ChallengeStatus, PoolEntryStatus
from techmarket.challenges.demo import PUSHED_EXPERT, challenges_demo_load
from techmarket.challenges.models import (
    AgreementAcceptance,
    Challenge,
    ChallengeApplication,
    CollectionRound,
    Milestone,
    PoolEntry,
    Review,
)
from techmarket.challenges.support import challenge_support
from techmarket.demo.loader import DemoLoader

pytestmark = pytest.mark.django_db


def _zhoukou_units(demo) -> None:
    """周口's demo enterprise and university (the full demo makes them from the generated 周口 registry)."""
    ent = demo.organization(name="周口豫农机械装备有限公司", kind="enterprise", region="411602", nature="45",
                            fields=["804"])
    demo.user("ent-4116-1", name="周口企业联系人", roles=[Role.ENTERPRISE], organization=ent, region=ent.region)
    univ = demo.organization(name="周口农业工程学院", kind="university", region="411602", nature="22", prefix="12",
                             fields=["207"])
    demo.user("univ-4116-1", name="周口高校联系人", roles=[Role.INSTITUTION], organization=univ, region=univ.region)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One small demo for the module (accounts, a dozen market demands, registration points), inside a
    transaction rolled back at the end."""
    from django.conf import settings
    from django.db import transaction

    from techmarket.contracts.demo_registration import registration_demo_load
    from techmarket.demo.market import load_market

    with django_db_blocker.unblock(), transaction.atomic():
        previous, settings.TECHMARKET_DEMO = settings.TECHMARKET_DEMO, True
        try:
            demo = DemoLoader(bulk=False)
            demo.load_accounts()
            load_market(demo, limit=0, demands=12)
            _zhoukou_units(demo)
            registration_demo_load(demo)
            summary = challenges_demo_load(demo)
            yield demo, summary
        finally:
            settings.TECHMARKET_DEMO = previous
            transaction.set_rollback(True)


def _city(challenge) -> str:
    return challenge.region.code[:4]


class TestChallengesDemo:
    def test_every_challenge_state_is_present(self, loaded):
        assert set(Challenge.objects.values_list("status", flat=True)) == set(ChallengeStatus.values)

    def test_the_three_cities_have_challenges_from_ent_demands(self, loaded):
        challenges = list(Challenge.objects.select_related("region", "demand", "created_by"))
        assert {_city(c) for c in challenges} == {"4101", "4106", "4116"}
        assert all(c.created_by.username.startswith("ent-") for c in challenges)
        assert all(c.demand.owner_organization_id == c.owner_organization_id for c in challenges)
        assert all(c.demand.published_at < c.created_at for c in challenges)

    def test_every_pool_state_and_a_round_per_city(self, loaded):
        assert set(PoolEntry.objects.values_list("status", flat=True)) == set(PoolEntryStatus.values)
        assert sorted(CollectionRound.objects.values_list("city__code", flat=True)) == ["410100", "410600", "411600"]
        raised = PoolEntry.objects.filter(status=PoolEntryStatus.RAISED)
        assert all(e.challenges.filter(published_at__isnull=False).exists() for e in raised)

    def test_applications_in_every_state_and_a_consortium(self, loaded):
        assert set(ChallengeApplication.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
        assert ChallengeApplication.objects.filter(members__role="member").exists()
        not_awarded = ChallengeApplication.objects.filter(status=ApplicationStatus.NOT_AWARDED)
        assert not_awarded and all(a.feedback_code for a in not_awarded)

    def test_the_review_in_progress_has_partial_scores(self, loaded):
        challenge = Challenge.objects.get(status=ChallengeStatus.REVIEWING)
        reviews = Review.objects.filter(application__challenge=challenge)
        statuses = set(reviews.values_list("status", flat=True))
        assert statuses == {"draft", "submitted"}
        panel = challenge.panel.filter(status="active").count()
        submitted_apps = challenge.applications.filter(status="submitted").count()
        assert panel == 3 and reviews.filter(status="submitted").count() < panel * submitted_apps

    def test_awarded_challenge_has_its_contract_draft(self, loaded):
        challenge = Challenge.objects.get(status=ChallengeStatus.AWARDED)
        assert challenge.contract.status == "draft" and challenge.contract.source == "challenge"
        assert challenge.contract.total_amount_fen == challenge.winner.price_fen

    def test_in_progress_milestones_are_partly_confirmed(self, loaded):
        challenge = Challenge.objects.get(status=ChallengeStatus.IN_PROGRESS)
        statuses = list(challenge.milestones.order_by("sort_order").values_list("status", flat=True))
        assert statuses == ["confirmed", "submitted", "pending"]
        assert Milestone.objects.filter(status="confirmed", attachments__isnull=False).exists()

    def test_zhoukou_accepted_project_is_registered_and_supported(self, loaded):
        from techmarket.subsidies.seed_rules import subsidy_policies_load

        challenge = Challenge.objects.get(status=ChallengeStatus.ACCEPTED)
        assert _city(challenge) == "4116"
        contract = challenge.contract
        assert contract.status == "registered"
        assert contract.registration_point.city.code == "411600"
        subsidy_policies_load(city="4116", year=contract.registered_on.year)
        support = challenge_support(challenge=challenge)
        assert support["policy"] is not None and support["policy"].code == "zk-challenge-share"
        assert all(row["reached"] for row in support["instalments"])
        assert 0 < support["total_fen"] <= contract.total_amount_fen * Decimal("0.30")

    def test_expert_4101_1_has_the_pushed_challenge_in_the_inbox(self, loaded):
        from techmarket.notifications.models import Notification

        ct = ContentType.objects.get_for_model(Challenge)
        rows = Notification.objects.filter(recipient__username=PUSHED_EXPERT, content_type=ct)
        assert rows.exists()
        pushed = Challenge.objects.get(pk=int(rows.first().object_id))
        assert pushed.status == ChallengeStatus.PUBLISHED and pushed.region.code.startswith("4101")
        assert "expert-4101-1" in loaded[1]

    def test_a_confidential_tier_was_opened_by_agreement(self, loaded):
        assert AgreementAcceptance.objects.filter(challenge__status=ChallengeStatus.WITHDRAWN).exists()

    def test_a_second_run_adds_nothing(self, loaded):
        demo, _summary = loaded
        before = (Challenge.objects.count(), PoolEntry.objects.count(), ChallengeApplication.objects.count())
        text = challenges_demo_load(demo)
        assert (Challenge.objects.count(), PoolEntry.objects.count(), ChallengeApplication.objects.count()) == before
        assert "郑州已有榜单" in text
