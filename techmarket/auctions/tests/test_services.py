"""Creation from a listing, terms before the opening, cancellation and deposits."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techmarket.auctions import services
from techmarket.auctions.choices import AuctionStatus, DepositStatus
from techmarket.auctions.models import Auction, AuctionSetting
from techmarket.auctions.services import _increment_for
from techmarket.core.actors import SYSTEM
from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.notifications.models import Notification

from . import factories


class TestAuctionCreateFromListing:
    def test_terms_follow_the_listing_and_the_defaults(self, seller, bureau, buyers):
        # given a listing at 123,456 yuan with three interests
        listing = factories.listing_with_interests(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers],
                                                   price_fen=12_345_600)
        # when its period ends
        auction = factories.end_listing(listing)
        # then the auction starts at the listing price, +1 % rounded to 100 yuan, 10 % deposit, N = 5
        assert auction.status == AuctionStatus.SCHEDULED
        assert auction.starting_price_fen == 12_345_600
        assert auction.increment_fen == 120_000
        assert auction.deposit_fen == 1_234_560
        assert auction.extension_minutes == 5
        assert auction.reserve_price_fen is None
        # and it opens 3 days after the listing's end and lasts 2 hours
        assert auction.starts_at == listing.ends_at + datetime.timedelta(days=3)
        assert auction.ends_at - auction.starts_at == datetime.timedelta(hours=2)
        assert auction.original_ends_at == auction.ends_at
        assert auction.signing_days == AuctionSetting.objects.get(pk=1).signing_days

    def test_bidders_get_aliases_in_interest_order_with_pending_deposits(self, seller, bureau, buyers):
        # given interests registered by 丙, 甲, 乙 in that order
        order = [buyers[2], buyers[0], buyers[1]]
        listing = factories.listing_with_interests(seller=seller, bureau=bureau, buyers=[u for _o, u in order])
        # when the listing ends
        auction = factories.end_listing(listing)
        # then A01 is 丙, A02 甲, A03 乙, every deposit pending
        rows = list(auction.bidders.order_by("alias").values_list("alias", "organization_id", "deposit_status"))
        assert rows == [("A01", order[0][0].pk, "pending"), ("A02", order[1][0].pk, "pending"),
                        ("A03", order[2][0].pk, "pending")]

    def test_bidders_and_seller_are_notified(self, seller, bureau, buyers, django_capture_on_commit_callbacks):
        # when an auction is created from a listing
        listing = factories.listing_with_interests(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers[:2]],
                                                   price_fen=10_000_000)
        with django_capture_on_commit_callbacks(execute=True):
            auction = factories.end_listing(listing)
        # then each bidder's user learns its alias, the deposit and the start time
        note = Notification.objects.get(recipient=buyers[0][1], topic="auctions")
        assert "A01" in note.title
        assert "10000.00" in note.body and timezone.localtime(auction.starts_at).strftime("%Y-%m-%d %H:%M") in note.body
        # and the seller is told too
        assert Notification.objects.filter(recipient=seller, topic="auctions").exists()

    def test_small_price_gets_the_minimum_increment(self):
        # given the default setting (1 %, rounded to 100 yuan)
        setting = AuctionSetting()
        # then 5,000 yuan gets 100 yuan, 14,950 yuan 100 (149.5 → 100), 15,000 yuan 200
        assert _increment_for(500_000, setting) == 10_000
        assert _increment_for(1_495_000, setting) == 10_000
        assert _increment_for(1_500_000, setting) == 20_000

    def test_an_enterprise_user_may_not_create_an_auction(self, seller, bureau, buyers):
        # given an open listing
        listing = factories.listing_with_interests(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers])
        # when an enterprise user tries to turn it into an auction
        with pytest.raises(PermissionDenied):
            services.auction_create_from_listing(listing=listing, by=buyers[0][1])
        # then nothing was created
        assert not Auction.objects.filter(listing=listing).exists()

    def test_a_listing_becomes_an_auction_only_once(self, auction):
        with pytest.raises(ApplicationError) as exc:
            services.auction_create_from_listing(listing=auction.listing, by=SYSTEM)
        assert exc.value.errors[0].code == "duplicate"


class TestAuctionUpdateTerms:
    def test_bureau_changes_terms_before_the_opening_with_history(self, auction, bureau):
        # given an auction that has not opened
        starts = auction.starts_at + datetime.timedelta(days=1)
        # when the bureau changes the terms
        services.auction_update_terms(auction=auction, by=bureau, data={
            "starting_price": "120000.00", "increment": "2000.00", "reserve_price": "150000.00",
            "starts_at": starts, "ends_at": starts + datetime.timedelta(hours=3), "extension_minutes": 10,
            "signing_days": 15}, comment="按委托方申请调整")
        # then they are saved
        auction.refresh_from_db()
        assert (auction.starting_price_fen, auction.increment_fen, auction.reserve_price_fen) == (
            12_000_000, 200_000, 15_000_000)
        assert auction.original_ends_at == auction.ends_at == starts + datetime.timedelta(hours=3)
        assert (auction.extension_minutes, auction.signing_days) == (10, 15)
        # and the history keeps before and after
        change = [r for r in history_for(auction) if isinstance(r, ObjectChange) and r.action == "update"][-1]
        assert change.before["starting_price_fen"] == 10_000_000 and change.after["starting_price_fen"] == 12_000_000
        assert change.comment == "按委托方申请调整" and change.actor == bureau

    def test_district_officer_and_other_city_may_not_change_terms(self, auction, officer, other_bureau):
        for user in (officer, other_bureau):
            with pytest.raises(PermissionDenied):
                services.auction_update_terms(auction=auction, by=user, data={"increment": "500.00"})

    def test_terms_are_frozen_once_the_auction_has_opened(self, auction, bureau):
        with factories.during(auction):
            with pytest.raises(ApplicationError) as exc:
                services.auction_update_terms(auction=auction, by=bureau, data={"increment": "500.00"})
        assert exc.value.errors[0].code == "invalid_state"

    @pytest.mark.parametrize("data, field", [
        ({"reserve_price": "50000.00"}, "reserve_price"),
        ({"increment": "0"}, "increment"),
        ({"increment": "12.345"}, "increment"),
        ({"starts_at": "2020-01-01T10:00:00+08:00"}, "starts_at"),
        ({"extension_minutes": 0}, "extension_minutes"),
        ({"colour": "red"}, "colour"),
    ])
    def test_bad_terms_name_the_field(self, auction, bureau, data, field):
        with pytest.raises(ApplicationError) as exc:
            services.auction_update_terms(auction=auction, by=bureau, data=data)
        assert exc.value.errors[0].field == field

    def test_end_before_start_is_refused(self, auction, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.auction_update_terms(auction=auction, by=bureau,
                                          data={"ends_at": auction.starts_at - datetime.timedelta(minutes=1)})
        assert exc.value.errors[0].field == "ends_at"

    def test_deposit_is_locked_once_a_deposit_was_confirmed(self, auction, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.auction_update_terms(auction=auction, by=bureau, data={"deposit": "1.00"})
        assert exc.value.errors[0].code == "locked"


class TestAuctionCancel:
    def test_cancel_before_opening_releases_confirmed_deposits(self, auction, bureau):
        # when the bureau cancels before the opening
        services.auction_act(auction=auction, action="cancel", by=bureau, comment="委托方撤回委托")
        # then the auction is cancelled and every confirmed deposit is due for refund
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.CANCELLED
        assert set(auction.bidders.values_list("deposit_status", flat=True)) == {DepositStatus.REFUND_DUE}

    def test_cancel_needs_a_comment(self, auction, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.auction_act(auction=auction, action="cancel", by=bureau, comment="")
        assert exc.value.errors[0].field == "comment"

    def test_cancel_after_the_opening_is_refused(self, auction, bureau):
        with factories.during(auction):
            with pytest.raises(PermissionDenied):
                services.auction_act(auction=auction, action="cancel", by=bureau, comment="太晚了")

    def test_clock_actions_are_not_user_actions(self, auction, bureau):
        with pytest.raises(ApplicationError) as exc:
            services.auction_act(auction=auction, action="succeed", by=bureau)
        assert exc.value.errors[0].code == "not_allowed"


class TestDeposits:
    def test_confirm_needs_a_reference_and_the_bureau(self, seller, bureau, buyers, officer):
        # given an auction whose deposits are all pending
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers], confirm=[])
        bidder = auction.bidders.get(alias="A01")
        # then a district officer may not confirm, nor may the bureau without a reference
        with pytest.raises(PermissionDenied):
            services.bidder_deposit_confirm(bidder=bidder, by=officer, reference="HD1")
        with pytest.raises(ApplicationError) as exc:
            services.bidder_deposit_confirm(bidder=bidder, by=bureau, reference=" ")
        assert exc.value.errors[0].field == "reference"
        # when the bureau confirms with the payment's reference
        bidder = services.bidder_deposit_confirm(bidder=bidder, by=bureau, reference="HD20261122-01")
        # then the deposit is confirmed, by whom and when, with a history row
        assert (bidder.deposit_status, bidder.deposit_reference, bidder.deposit_confirmed_by) == (
            "confirmed", "HD20261122-01", bureau)
        row = ObjectChange.objects.filter(object_id=str(bidder.pk), content_type__model="bidder").get()
        assert (row.before["deposit_status"], row.after["deposit_status"], row.actor) == ("pending", "confirmed",
                                                                                          bureau)

    def test_confirm_after_the_opening_is_refused(self, seller, bureau, buyers):
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers], confirm=[])
        with factories.during(auction):
            with pytest.raises(ApplicationError) as exc:
                services.bidder_deposit_confirm(bidder=auction.bidders.first(), by=bureau, reference="HD1")
        assert exc.value.errors[0].code == "invalid_state"

    def test_only_the_listed_moves_exist(self, auction, bureau):
        bidder = auction.bidders.get(alias="A01")
        # a confirmed deposit cannot be marked refunded before it is due
        with pytest.raises(ApplicationError) as exc:
            services.bidder_deposit_refund(bidder=bidder, by=bureau)
        assert exc.value.errors[0].code == "invalid_state"
        # and nothing turns a refunded deposit back
        services.bidder_deposit_move(bidder=bidder, to=DepositStatus.REFUND_DUE, by=bureau)
        services.bidder_deposit_refund(bidder=bidder, by=bureau, reference="TK001")
        with pytest.raises(ApplicationError):
            services.bidder_deposit_move(bidder=bidder, to=DepositStatus.CONFIRMED, by=bureau)
        bidder.refresh_from_db()
        assert bidder.deposit_status == DepositStatus.REFUNDED and bidder.deposit_reference == "TK001"
