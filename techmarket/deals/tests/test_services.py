"""Deal services: agreement proposals, the public notice's 15 days, objections, closing (issue 3, M5/M6)."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.accounts.roles import Role
from techmarket.achievements.choices import AchievementStatus
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories
from techmarket.deals import services
from techmarket.deals.choices import DealStatus, ObjectionStatus
from techmarket.deals.models import Deal
from techmarket.notifications.models import Notification
from techmarket.taxonomies.models import Term

from . import factories as f

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def codes(exc_info) -> list[str]:
    return [e.code for e in exc_info.value.errors]


@pytest.fixture
def private_seller(regions):
    """A private enterprise selling its own achievement: no public notice for its agreed prices."""
    org = factories.organization("郑州民营科技有限公司", region_obj=regions["jinshui"])
    org.party_nature = Term.objects.get(scheme__code="party_nature", code="47")
    org.save(update_fields=["party_nature"])
    return factories.user("ent-seller", organization_obj=org, roles=[Role.ENTERPRISE])


class TestNoticeRequired:
    @pytest.mark.parametrize(("code", "method", "expected"), [
        ("21", "agreement", True), ("22", "agreement", True), ("23", "agreement", False),
        ("47", "agreement", False), (None, "agreement", False), ("22", "listing", False), ("21", "auction", False),
    ])
    def test_by_party_nature_and_method(self, code, method, expected, regions):
        seller = factories.organization(region_obj=regions["jinshui"], kind="university")
        seller.party_nature = Term.objects.get(scheme__code="party_nature", code=code) if code else None
        assert services.notice_required(Deal(seller=seller, method=method)) is expected


class TestAgreementProposal:
    def test_seller_proposes_and_both_sides_are_told(self, owner, bureau, buyer, buyer_org,
                                                       django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org, price_fen=123_456)
        assert (deal.status, deal.method, deal.price_fen) == ("pending", "agreement", 123_456)
        assert Notification.objects.filter(topic="deal", recipient__in=[owner, buyer]).count() == 2

    def test_only_the_owner_organization_may_propose(self, owner, bureau, buyer, buyer_org, other_org):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        for user in (buyer, bureau):
            with pytest.raises(PermissionDenied):
                services.deal_propose_agreement(by=user, achievement=achievement, buyer=other_org, price_fen=100,
                                                transfer_mode="transfer")

    @pytest.mark.parametrize(("kwargs", "field", "code"), [
        ({"price_fen": 0}, "price", "not_positive"),
        ({"transfer_mode": "equity"}, "transfer_mode", "invalid_choice"),
        ({"buyer": "self"}, "buyer", "same_party"),
        ({"buyer": None}, "buyer", "required"),
    ])
    def test_invalid_proposals_are_refused(self, owner, owner_org, bureau, buyer_org, kwargs, field, code):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        data = {"buyer": buyer_org, "price_fen": 100, "transfer_mode": "transfer", **kwargs}
        if data["buyer"] == "self":
            data["buyer"] = owner_org
        with pytest.raises(ApplicationError) as exc:
            services.deal_propose_agreement(by=owner, achievement=achievement, **data)
        assert [e.field for e in exc.value.errors] == [field] and codes(exc) == [code]
        assert not Deal.objects.exists()

    def test_unpublished_achievement_is_refused(self, owner, bureau, buyer_org):
        achievement = achievement_in_state("draft", owner=owner, reviewer=bureau)
        with pytest.raises(ApplicationError) as exc:
            services.deal_propose_agreement(by=owner, achievement=achievement, buyer=buyer_org, price_fen=100,
                                            transfer_mode="transfer")
        assert codes(exc) == ["not_public"]

    def test_exclusive_proposal_refused_while_a_listing_is_live(self, owner, bureau, buyer_org):
        listing = f.listing_factories.open_listing(owner=owner, reviewer=bureau)
        with pytest.raises(ApplicationError) as exc:
            f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org, achievement=listing.achievement)
        assert codes(exc) == ["listing_in_progress"]
        # a non-exclusive licence may still be agreed beside the listing
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org, achievement=listing.achievement,
                                transfer_mode="licence_non_exclusive")
        assert deal.status == DealStatus.PENDING


class TestNoticeCounting:
    def test_notice_runs_15_days_after_the_publication_day(self, owner, bureau, buyer):
        # given an agreement of the state institute signed on 3 March at 10:00
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer.organization)
        with freeze_time(datetime.datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)):
            deal = services.deal_sign(deal=deal, by=buyer)
        # then
        notice = deal.notice
        assert deal.status == DealStatus.IN_NOTICE
        assert notice.ends_on == datetime.date(2025, 3, 18)
        assert notice.closes_from == datetime.datetime(2025, 3, 19, 0, 0, tzinfo=SHANGHAI)
        assert deal.achievement.title in notice.title

    def test_cannot_close_on_day_15_can_at_midnight_of_day_16(self, owner, bureau, buyer):
        # given
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer.organization)
        with freeze_time(datetime.datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)):
            deal = services.deal_sign(deal=deal, by=buyer)
        # when: the 15th day, 23:59
        with freeze_time(datetime.datetime(2025, 3, 18, 23, 59, tzinfo=SHANGHAI)):
            with pytest.raises(ApplicationError) as exc:
                services.deal_close(deal=deal, by=owner)
        # then: refused with the date
        assert codes(exc) == ["notice_running"] and "2025-03-19 00:00" in exc.value.errors[0].message
        deal.refresh_from_db()
        assert deal.status == DealStatus.IN_NOTICE
        # when: 00:00 of the 16th day
        with freeze_time(datetime.datetime(2025, 3, 19, 0, 0, tzinfo=SHANGHAI)):
            deal = services.deal_close(deal=deal, by=owner)
        assert deal.status == DealStatus.CLOSED and deal.closed_at is not None
        assert deal.contract is not None and deal.contract.status == "draft"

    def test_publication_just_before_midnight_counts_from_the_next_day(self, owner, bureau, buyer):
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer.organization)
        with freeze_time(datetime.datetime(2025, 2, 28, 23, 59, 30, tzinfo=SHANGHAI)):
            deal = services.deal_sign(deal=deal, by=buyer)
        assert deal.notice.ends_on == datetime.date(2025, 3, 15)
        assert deal.notice.closes_from == datetime.datetime(2025, 3, 16, 0, 0, tzinfo=SHANGHAI)


class TestObjections:
    def test_objection_is_recorded_and_the_bureau_and_seller_are_told(
            self, owner, bureau, buyer, other_enterprise, django_capture_on_commit_callbacks):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        with django_capture_on_commit_callbacks(execute=True):
            objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="  价格偏低  ")
        assert (objection.user_id, objection.organization_id, objection.text) == (
            other_enterprise.pk, other_enterprise.organization_id, "价格偏低")
        told = set(Notification.objects.filter(topic="deal", title__contains="异议").values_list("recipient_id",
                                                                                                flat=True))
        assert {bureau.pk, owner.pk} <= told and buyer.pk not in told

    def test_objection_needs_text_and_a_running_notice(self, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        with pytest.raises(ApplicationError) as exc:
            services.objection_create(notice=deal.notice, by=other_enterprise, text="   ")
        assert codes(exc) == ["required"] and exc.value.errors[0].field == "text"
        with f.after_notice(deal):
            with pytest.raises(ApplicationError) as exc:
                services.objection_create(notice=deal.notice, by=other_enterprise, text="逾期异议")
        assert codes(exc) == ["notice_ended"]

    def test_open_objection_blocks_and_dismissal_unblocks(self, owner, bureau, buyer, other_enterprise):
        # given an objection raised during the notice
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="权属存疑")
        # when the notice is over, closing is refused while it is open
        with f.after_notice(deal):
            with pytest.raises(ApplicationError) as exc:
                services.deal_close(deal=deal, by=owner)
            assert codes(exc) == ["objection_open"]
            # then the bureau dismisses it, and the deal closes
            objection = services.objection_resolve(objection=objection, action="dismiss", by=bureau,
                                                   comment="权属清晰，异议不成立")
            deal = services.deal_close(deal=deal, by=bureau)
        assert objection.status == ObjectionStatus.DISMISSED and objection.resolution == "权属清晰，异议不成立"
        assert objection.resolved_by_id == bureau.pk and objection.resolved_at is not None
        assert deal.status == DealStatus.CLOSED

    def test_upheld_objection_cancels_the_deal(self, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="存在职务发明纠纷")
        services.objection_resolve(objection=objection, action="uphold", by=bureau, comment="异议成立")
        deal.refresh_from_db()
        assert deal.status == DealStatus.CANCELLED
        from techmarket.core.workflows import status_history

        assert status_history(deal).filter(action="void").exists()
        assert deal.achievement.status == AchievementStatus.PUBLISHED

    def test_resolution_needs_a_text(self, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="异议")
        with pytest.raises(ApplicationError) as exc:
            services.objection_resolve(objection=objection, action="dismiss", by=bureau, comment=" ")
        assert exc.value.errors[0].field == "comment"

    def test_bureau_of_another_city_may_not_resolve(self, owner, bureau, buyer, other_enterprise, regions):
        other_bureau = factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="异议")
        with pytest.raises(PermissionDenied):
            services.objection_resolve(objection=objection, action="uphold", by=other_bureau, comment="成立")


class TestClosing:
    def test_private_sellers_agreement_closes_at_signing_without_notice(self, private_seller, bureau, buyer):
        # given
        deal = f.agreement_deal(owner=private_seller, reviewer=bureau, buyer_org=buyer.organization)
        # when
        deal = services.deal_sign(deal=deal, by=buyer)
        # then
        assert deal.status == DealStatus.CLOSED and not hasattr(deal, "notice")

    def test_closing_a_transfer_creates_the_draft_contract_and_trades_the_achievement(self, owner, bureau, buyer):
        deal = f.listing_deal(owner=owner, reviewer=bureau, buyer=buyer)
        deal = services.deal_sign(deal=deal, by=buyer)
        deal.refresh_from_db()
        assert deal.status == DealStatus.CLOSED
        contract = deal.contract
        assert contract is not None and contract.status == "draft" and contract.source == "deal"
        assert contract.achievement_id == deal.achievement_id and contract.total_amount_fen == deal.price_fen
        assert contract.buyer_organization_id == buyer.organization_id
        deal.achievement.refresh_from_db()
        assert deal.achievement.status == AchievementStatus.TRADED

    def test_non_exclusive_licence_keeps_the_achievement_published(self, private_seller, bureau, buyer):
        deal = f.agreement_deal(owner=private_seller, reviewer=bureau, buyer_org=buyer.organization,
                                transfer_mode="licence_non_exclusive")
        deal = services.deal_sign(deal=deal, by=buyer)
        deal.achievement.refresh_from_db()
        assert deal.contract_id is not None
        assert deal.achievement.status == AchievementStatus.PUBLISHED and deal.achievement.licence_count == 1

    def test_closing_rolls_back_entirely_when_a_step_fails(self, owner, bureau, buyer):
        # given: the achievement expired meanwhile, so it cannot be marked traded
        deal = f.listing_deal(owner=owner, reviewer=bureau, buyer=buyer)
        from techmarket.achievements.services import achievements_freshness_run

        with freeze_time(timezone.now() + datetime.timedelta(days=400)):
            achievements_freshness_run()
            # when
            with pytest.raises(ApplicationError):
                services.deal_sign(deal=deal, by=buyer)
        # then nothing is half-saved
        deal.refresh_from_db()
        assert deal.status == DealStatus.PENDING and deal.contract_id is None and deal.closed_at is None

    def test_cancel_needs_a_comment_and_tells_both_sides(self, owner, bureau, buyer, buyer_org,
                                                         django_capture_on_commit_callbacks):
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org)
        with pytest.raises(ApplicationError):
            services.deal_cancel(deal=deal, by=buyer, comment="")
        with django_capture_on_commit_callbacks(execute=True):
            deal = services.deal_cancel(deal=deal, by=buyer, comment="预算调整")
        assert deal.status == DealStatus.CANCELLED
        assert Notification.objects.filter(title__contains="已取消", recipient=owner).exists()


class TestAuctionDeals:
    def test_winner_cannot_sign_after_sign_by(self, owner, bureau, buyer, other_enterprise):
        deal = f.auction_deal(owner=owner, bureau=bureau, buyer=buyer, other=other_enterprise)
        with f.past_sign_by(deal):
            with pytest.raises(ApplicationError) as exc:
                services.deal_sign(deal=deal, by=buyer)
        assert codes(exc) == ["sign_deadline_passed"]

    def test_forfeit_cancels_and_forfeits_the_deposit(self, owner, bureau, buyer, other_enterprise):
        from techmarket.auctions.models import Bidder

        deal = f.auction_deal(owner=owner, bureau=bureau, buyer=buyer, other=other_enterprise)
        with pytest.raises(PermissionDenied):  # not before sign_by
            services.deal_forfeit(deal=deal, by=bureau, comment="逾期")
        with f.past_sign_by(deal):
            deal = services.deal_forfeit(deal=deal, by=bureau, comment="逾期未签约")
        assert deal.status == DealStatus.CANCELLED
        winner = Bidder.objects.get(auction=deal.auction, organization=buyer.organization)
        assert winner.deposit_status == "forfeited"

    def test_signing_an_auction_deal_applies_the_deposit(self, owner, bureau, buyer, other_enterprise):
        from techmarket.auctions.models import Bidder

        deal = f.auction_deal(owner=owner, bureau=bureau, buyer=buyer, other=other_enterprise)
        deal = services.deal_sign(deal=deal, by=buyer)
        assert deal.status == DealStatus.CLOSED and deal.contract_id is not None
        winner = Bidder.objects.get(auction=deal.auction, organization=buyer.organization)
        assert winner.deposit_status == "applied"
