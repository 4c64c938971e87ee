"""Listing services: creation rules, the period's exact end, interests and the three outcomes (issue 3, M3)."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.accounts.roles import Role
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories
from techmarket.deals.models import Deal
from techmarket.directory.tests.factories import make_person
from techmarket.listings import selectors, services
from techmarket.listings.choices import InterestStatus, ListingStatus
from techmarket.listings.models import Interest, Listing
from techmarket.notifications.models import Notification

from . import factories as f

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def codes(exc_info) -> list[str]:
    return [e.code for e in exc_info.value.errors]


def fields(exc_info) -> list[str | None]:
    return [e.field for e in exc_info.value.errors]


@pytest.fixture
def agency_broker(regions):
    agency = factories.organization("中原技术转移中心", region_obj=regions["zhongyuan"], kind="agency")
    person = make_person("李经纪", region_code="410102", kind="broker", organization=agency)
    agent = factories.user("agency-1", organization_obj=agency, roles=[Role.BROKER])
    return agency, person, agent


class TestListingCreate:
    def test_owner_creates_a_draft_of_a_published_achievement(self, owner, officer_in):
        # given
        achievement = f.published(owner=owner, reviewer=officer_in)
        # when
        listing = services.listing_create(by=owner, achievement=achievement, transfer_mode="licence_non_exclusive",
                                          price_fen=12_345, period_days=30, conditions="一次性付款")
        # then
        assert listing.status == ListingStatus.DRAFT and listing.seller_id == owner.organization_id
        assert listing.price_fen == 12_345 and listing.period_days == 30 and listing.starts_at is None

    @pytest.mark.parametrize(("kwargs", "field", "code"), [
        ({"transfer_mode": "equity"}, "transfer_mode", "invalid_choice"),
        ({"price_fen": 0}, "price", "not_positive"),
        ({"price_fen": -5}, "price", "not_positive"),
        ({"period_days": 4}, "period_days", "out_of_range"),
        ({"period_days": 91}, "period_days", "out_of_range"),
    ])
    def test_invalid_terms_are_refused_naming_the_field(self, owner, officer_in, kwargs, field, code):
        # given
        achievement = f.published(owner=owner, reviewer=officer_in)
        data = {"transfer_mode": "transfer", "price_fen": 100, "period_days": 20, **kwargs}
        # when
        with pytest.raises(ApplicationError) as exc:
            services.listing_create(by=owner, achievement=achievement, **data)
        # then
        assert fields(exc) == [field] and codes(exc) == [code]
        assert exc.value.errors[0].message  # Chinese text
        assert not Listing.objects.exists()

    def test_mode_not_offered_by_the_achievement_is_refused(self, owner, officer_in):
        achievement = f.published(owner=owner, reviewer=officer_in, transfer_modes=["licence_non_exclusive"])
        with pytest.raises(ApplicationError) as exc:
            services.listing_create(by=owner, achievement=achievement, transfer_mode="transfer", price_fen=100)
        assert codes(exc) == ["mode_not_offered"] and "转让" in exc.value.errors[0].message

    def test_unpublished_achievement_is_refused(self, owner, officer_in):
        from techmarket.achievements.tests.factories import achievement_in_state

        achievement = achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        with pytest.raises(ApplicationError) as exc:
            services.listing_create(by=owner, achievement=achievement, transfer_mode="transfer", price_fen=100)
        assert codes(exc) == ["not_public"] and fields(exc) == ["achievement"]

    def test_other_organization_may_not_list(self, owner, officer_in, buyer, officer_out):
        achievement = f.published(owner=owner, reviewer=officer_in)
        for user in (buyer, officer_in, officer_out):
            with pytest.raises(PermissionDenied):
                services.listing_create(by=user, achievement=achievement, transfer_mode="transfer", price_fen=100)

    def test_bureau_in_scope_may_create_on_the_sellers_behalf_and_sellers_are_told(
            self, owner, officer_in, bureau, django_capture_on_commit_callbacks):
        achievement = f.published(owner=owner, reviewer=officer_in)
        with django_capture_on_commit_callbacks(execute=True):
            listing = services.listing_create(by=bureau, achievement=achievement, transfer_mode="transfer",
                                              price_fen=100)
        assert listing.seller_id == owner.organization_id
        assert Notification.objects.filter(recipient=owner, topic="listing").exists()

    def test_second_live_listing_is_refused(self, owner, officer_in):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        with pytest.raises(ApplicationError) as exc:
            f.draft_listing(owner=owner, reviewer=officer_in, achievement=listing.achievement)
        assert codes(exc) == ["already_listed"]

    def test_achievement_in_an_exclusive_deal_is_refused(self, owner, officer_in, buyer_org):
        from techmarket.deals.services import deal_propose_agreement

        achievement = f.published(owner=owner, reviewer=officer_in)
        deal_propose_agreement(by=owner, achievement=achievement, buyer=buyer_org, price_fen=100,
                               transfer_mode="licence_exclusive")
        with pytest.raises(ApplicationError) as exc:
            f.draft_listing(owner=owner, reviewer=officer_in, achievement=achievement)
        assert codes(exc) == ["deal_in_progress"]

    def test_broker_must_be_a_registered_broker(self, owner, officer_in, regions):
        expert = make_person("王专家", kind="expert")
        with pytest.raises(ApplicationError) as exc:
            f.draft_listing(owner=owner, reviewer=officer_in, broker=expert)
        assert fields(exc) == ["broker"] and codes(exc) == ["not_broker"]


class TestListingUpdate:
    def test_seller_edits_a_draft_and_the_change_is_audited(self, owner, officer_in):
        from techmarket.core.audit import history_for

        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        services.listing_update(listing=listing, by=owner, data={"price_fen": 777, "period_days": 10})
        listing.refresh_from_db()
        assert (listing.price_fen, listing.period_days) == (777, 10)
        assert len(list(history_for(listing))) == 2

    def test_open_listing_may_not_be_edited(self, owner, officer_in):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with pytest.raises(PermissionDenied):
            services.listing_update(listing=listing, by=owner, data={"price_fen": 1})


class TestListingPeriod:
    def test_approval_day_does_not_count_and_the_listing_ends_at_midnight(self, owner, officer_in):
        # given a listing of 20 days approved on 3 March at 10:00 (Asia/Shanghai)
        listing = f.draft_listing(owner=owner, reviewer=officer_in, period_days=20)
        services.listing_submit(listing=listing, by=owner)
        # when
        with freeze_time(datetime.datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)):
            listing = services.listing_approve(listing=listing, by=officer_in)
        # then: 4 March … 23 March are the 20 days; it ends at 24 March 00:00 exactly
        assert timezone.localtime(listing.starts_at) == datetime.datetime(2025, 3, 3, 10, 0, tzinfo=SHANGHAI)
        assert listing.ends_at == datetime.datetime(2025, 3, 24, 0, 0, tzinfo=SHANGHAI)

    def test_approval_just_before_midnight_still_uses_that_day(self, owner, officer_in):
        listing = f.draft_listing(owner=owner, reviewer=officer_in, period_days=5)
        services.listing_submit(listing=listing, by=owner)
        with freeze_time(datetime.datetime(2025, 3, 3, 23, 59, 59, tzinfo=SHANGHAI)):
            listing = services.listing_approve(listing=listing, by=officer_in)
        assert listing.ends_at == datetime.datetime(2025, 3, 9, 0, 0, tzinfo=SHANGHAI)

    def test_approval_refused_when_the_achievement_expired_meanwhile(self, owner, officer_in):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        services.listing_submit(listing=listing, by=owner)
        with freeze_time(timezone.now() + datetime.timedelta(days=400)):
            with pytest.raises(ApplicationError) as exc:
                services.listing_approve(listing=listing, by=officer_in)
        assert codes(exc) == ["not_public"]

    def test_approval_notifies_the_sellers_users(self, owner, colleague, officer_in,
                                                 django_capture_on_commit_callbacks):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        services.listing_submit(listing=listing, by=owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.listing_approve(listing=listing, by=officer_in)
        assert Notification.objects.filter(recipient__in=[owner, colleague], topic="listing").count() == 2


class TestInterest:
    def test_eligible_organization_registers_and_the_seller_is_told(
            self, owner, officer_in, buyer, django_capture_on_commit_callbacks):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with django_capture_on_commit_callbacks(execute=True):
            interest = services.listing_register_interest(listing=listing, by=buyer, note="用于新产品")
        assert interest.organization_id == buyer.organization_id and interest.status == InterestStatus.ACTIVE
        assert Notification.objects.filter(recipient=owner, topic="listing", title__contains="受让意向").exists()

    @pytest.mark.parametrize("who", ["seller_colleague", "officer_in", "officer_out", "bureau", "no_org",
                                     "broker_agency"])
    def test_ineligible_callers_are_refused_with_not_eligible(self, who, owner, colleague, officer_in, officer_out,
                                                               bureau, agency_broker):
        # given
        _agency, broker, agent = agency_broker
        listing = f.open_listing(owner=owner, reviewer=officer_in, broker=broker)
        users = {"seller_colleague": colleague, "officer_in": officer_in, "officer_out": officer_out,
                 "bureau": bureau, "no_org": factories.user("lonely"), "broker_agency": agent}
        # when
        with pytest.raises(ApplicationError) as exc:
            services.listing_register_interest(listing=listing, by=users[who])
        # then
        assert codes(exc) == ["not_eligible"]
        assert not Interest.objects.exists()

    def test_one_interest_per_organization(self, owner, officer_in, buyer, buyer_org):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        colleague_of_buyer = factories.user("ent-1b", organization_obj=buyer_org, roles=[Role.ENTERPRISE])
        with pytest.raises(ApplicationError) as exc:
            services.listing_register_interest(listing=listing, by=colleague_of_buyer)
        assert codes(exc) == ["already_registered"] and "已登记" in exc.value.errors[0].message
        assert Interest.objects.count() == 1

    def test_interest_at_the_exact_end_is_refused(self, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with freeze_time(listing.ends_at - datetime.timedelta(seconds=1)):
            services.listing_register_interest(listing=listing, by=buyer)
            services.listing_withdraw_interest(listing=listing, by=buyer)
        with freeze_time(listing.ends_at):
            with pytest.raises(ApplicationError) as exc:
                services.listing_register_interest(listing=listing, by=buyer)
        assert codes(exc) == ["listing_ended"]

    def test_not_open_listing_is_refused(self, owner, officer_in, buyer):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        with pytest.raises(ApplicationError) as exc:
            services.listing_register_interest(listing=listing, by=buyer)
        assert codes(exc) == ["listing_not_open"]

    def test_withdraw_then_register_again_reactivates_the_same_row(self, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        withdrawn = services.listing_withdraw_interest(listing=listing, by=buyer)
        assert withdrawn.status == InterestStatus.WITHDRAWN
        again = services.listing_register_interest(listing=listing, by=buyer, note="再次登记")
        assert again.pk == withdrawn.pk and again.status == InterestStatus.ACTIVE and again.note == "再次登记"

    def test_withdraw_after_the_end_is_refused(self, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        with f.after_end(listing):
            with pytest.raises(ApplicationError) as exc:
                services.listing_withdraw_interest(listing=listing, by=buyer)
        assert codes(exc) == ["listing_ended"]


class TestListingEnd:
    def test_no_interest_ends_unsold_and_the_seller_is_told(self, owner, officer_in,
                                                            django_capture_on_commit_callbacks):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with f.after_end(listing), django_capture_on_commit_callbacks(execute=True):
            services.listing_close_if_due(listing=listing)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.UNSOLD and not Deal.objects.exists()
        note = Notification.objects.get(recipient=owner, title__contains="期满")
        assert "重新挂牌" in note.body

    def test_one_interest_makes_a_deal_at_the_listing_price(self, owner, officer_in, buyer, other_enterprise):
        # given: two registered, one withdrew
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer, other_enterprise],
                                 transfer_mode="licence_exclusive", price_fen=3_000_000)
        services.listing_withdraw_interest(listing=listing, by=other_enterprise)
        # when
        with f.after_end(listing):
            services.listing_close_if_due(listing=listing)
        # then
        listing.refresh_from_db()
        assert listing.status == ListingStatus.DEALT
        deal = Deal.objects.get(listing=listing)
        assert (deal.method, deal.status, deal.price_fen, deal.buyer_id, deal.seller_id, deal.transfer_mode) == (
            "listing", "pending", 3_000_000, buyer.organization_id, owner.organization_id, "licence_exclusive")

    def test_two_or_more_interests_go_to_auction(self, owner, officer_in, buyer, other_enterprise):
        from techmarket.auctions.models import Auction

        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer, other_enterprise])
        with f.after_end(listing):
            services.listing_close_if_due(listing=listing)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.TO_AUCTION
        auction = Auction.objects.get(listing=listing)
        assert auction.starting_price_fen == listing.price_fen
        assert set(auction.bidders.values_list("organization_id", flat=True)) == {buyer.organization_id,
                                                                                  other_enterprise.organization_id}
        assert not Deal.objects.exists()

    def test_closing_before_the_end_does_nothing(self, owner, officer_in):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with freeze_time(listing.ends_at - datetime.timedelta(seconds=1)):
            services.listing_close_if_due(listing=listing)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.OPEN

    def test_reading_an_ended_listing_closes_it(self, owner, officer_in, anonymous):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        with f.after_end(listing):
            seen = selectors.listing_get_for_user(user=anonymous, pk=listing.pk)
            assert not selectors.listing_list(user=anonymous).filter(pk=listing.pk).exists()
        assert seen.status == ListingStatus.UNSOLD

    def test_scheduler_job_closes_every_due_listing(self, owner, officer_in, buyer):
        from techmarket.listings.tasks import close_due_listings

        first = f.open_listing(owner=owner, reviewer=officer_in, period_days=5)
        second = f.open_listing(owner=owner, reviewer=officer_in, period_days=30, interested=[buyer])
        with freeze_time(first.ends_at + datetime.timedelta(minutes=1)):
            assert close_due_listings.call() == 1
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == (ListingStatus.UNSOLD, ListingStatus.OPEN)


class TestRelist:
    def test_relist_opens_a_new_round_with_a_new_period(self, owner, officer_in):
        listing = f.ended_listing(owner=owner, reviewer=officer_in, period_days=10)
        day = timezone.localdate() + datetime.timedelta(days=40)
        with freeze_time(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=SHANGHAI)):
            listing = services.listing_relist(listing=listing, by=owner, price_fen=4_000_000, period_days=15)
        assert listing.status == ListingStatus.OPEN and listing.round == 2
        assert listing.price_fen == 4_000_000 and listing.period_days == 15
        assert listing.ends_at == datetime.datetime.combine(day + datetime.timedelta(days=16), datetime.time(0, 0),
                                                            tzinfo=SHANGHAI)

    def test_relist_refused_when_another_listing_is_live(self, owner, officer_in):
        listing = f.ended_listing(owner=owner, reviewer=officer_in)
        f.draft_listing(owner=owner, reviewer=officer_in, achievement=listing.achievement)
        with pytest.raises(ApplicationError) as exc:
            services.listing_relist(listing=listing, by=owner)
        assert codes(exc) == ["already_listed"]
