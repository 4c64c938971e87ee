"""The close: the scheduler and the read path, reserve, deposits, the deal (deals.services.deal_create),
coded loser feedback, then the deal's consequences: applied, forfeited, offer to the next bidder, relist."""
from __future__ import annotations

import datetime

import pytest
from django.test import Client
from freezegun import freeze_time

from techmarket.auctions import services
from techmarket.auctions.choices import AuctionStatus, BidderStatus, DepositStatus
from techmarket.auctions.models import Auction
from techmarket.auctions.tasks import auctions_open_and_close
from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.deals import services as deals
from techmarket.deals.models import Deal
from techmarket.feedback.services import reason_statistics
from techmarket.listings.models import Listing
from techmarket.notifications.models import Notification
from techmarket.scheduling.registry import PERIODIC_JOBS

from . import factories
from .test_bidding import api

START, STEP = 10_000_000, 100_000


def deposits(auction) -> dict:
    return dict(auction.bidders.values_list("alias", "deposit_status"))


def results(auction) -> dict:
    return dict(auction.bidders.values_list("alias", "status"))


def bid_three(auction, buyers):
    """A01 100,000; A02 101,000; A01 103,000 — A01 holds the highest bid, A03 never bids."""
    with factories.during(auction):
        services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
        services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + STEP)
        services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START + 3 * STEP)


class TestScheduler:
    def test_the_job_runs_every_minute(self):
        job = PERIODIC_JOBS["auctions_tick"]
        assert job.cron == "* * * * *" and job.task.endswith("auctions_open_and_close")

    def test_the_job_opens_at_the_start_and_closes_at_the_end(self, auction, buyers):
        # when the job runs after the start
        with factories.during(auction):
            assert auctions_open_and_close.call() == {"opened": 1, "closed": 0}
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.OPEN
        bid_three(auction, buyers)
        # and after the end
        with factories.after_end(auction):
            assert auctions_open_and_close.call() == {"opened": 0, "closed": 1}
        # then the highest bid won
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.SUCCEEDED and auction.closed_at is not None

    def test_nothing_closes_before_the_end(self, auction, buyers):
        bid_three(auction, buyers)
        auction.refresh_from_db()
        with freeze_time(auction.ends_at - datetime.timedelta(milliseconds=1)):
            services.auctions_tick()
            services.auction_close(auction=auction)
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.OPEN


class TestReadPathClose:
    def test_reading_an_ended_auction_closes_it_when_the_job_has_not_run(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction, seconds=30):
            body = Client().get(f"/api/v1/auctions/{auction.pk}").json()
        assert body["status"] == "succeeded" and body["phase"] == "ended"
        assert body["result"]["winner"] == {"alias": "A01", "organization": buyers[0][0].name}
        assert body["result"]["price"] == "103000.00"
        assert Deal.objects.filter(auction=auction).count() == 1

    def test_the_page_closes_it_too_and_a_second_read_changes_nothing(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction):
            Client().get(f"/auctions/{auction.pk}/")
            Client().get(f"/auctions/{auction.pk}/live/")
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.SUCCEEDED
        assert Deal.objects.filter(auction=auction).count() == 1
        assert StatusChange.objects.filter(object_id=str(auction.pk), action="succeed").count() == 1


class TestCloseSucceeded:
    def test_deal_is_created_with_the_winning_bid(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction):
            closed = services.auction_close(auction=auction)
        deal = Deal.objects.get(auction=auction)
        assert (deal.method, deal.buyer, deal.seller_id, deal.price_fen) == ("auction", buyers[0][0],
                                                                             auction.seller_id, START + 3 * STEP)
        assert deal.winning_bid_id == closed.high_bid_id and deal.listing_id == auction.listing_id
        assert deal.sign_by == closed.closed_at + datetime.timedelta(days=auction.signing_days)
        assert deal.status == "pending"

    def test_losers_deposits_become_refund_due_and_the_winners_stays_held(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        assert deposits(auction) == {"A01": "confirmed", "A02": "refund_due", "A03": "refund_due"}
        assert results(auction) == {"A01": "won", "A02": "lost", "A03": "lost"}

    def test_losers_get_a_coded_reason_counted_for_their_organization(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        stats = reason_statistics(context="bid_lost", organization=buyers[1][0])
        assert [(r["code"], r["count"]) for r in stats] == [("outbid", 1)]
        # and the loser sees it on the auction
        own = api(buyers[1][1]).get(f"/api/v1/auctions/{auction.pk}").json()["me"]
        assert own["bidder_status"] == "lost" and own["loss_reason"]["label"] == "被更高出价超过"

    def test_everybody_is_told(self, auction, buyers, seller, bureau, django_capture_on_commit_callbacks):
        bid_three(auction, buyers)
        with factories.after_end(auction), django_capture_on_commit_callbacks(execute=True):
            services.auction_close(auction=auction)
        titles = {user.username: list(Notification.objects.filter(recipient=user, topic="auctions")
                                      .values_list("title", flat=True)) for user in
                  (buyers[0][1], buyers[1][1], seller, bureau)}
        assert any("恭喜竞得" in t for t in titles[buyers[0][1].username])
        assert any("未竞得" in t for t in titles[buyers[1][1].username])
        loser = Notification.objects.filter(recipient=buyers[1][1], topic="auctions", title__contains="未竞得").get()
        assert "原因：被更高出价超过" in loser.body and "保证金将予退还" in loser.body
        assert any("竞价成交" in t for t in titles[seller.username])
        assert any("竞价成交" in t for t in titles[bureau.username])


class TestCloseFailed:
    def test_no_bid_fails_and_every_deposit_is_due_for_refund(self, auction):
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.FAILED
        assert set(deposits(auction).values()) == {"refund_due"}
        assert not Deal.objects.filter(auction=auction).exists()

    def test_high_bid_below_reserve_fails_with_below_reserve(self, auction, buyers, bureau):
        services.auction_update_terms(auction=auction, by=bureau, data={"reserve_price": "110000.00"})
        bid_three(auction, buyers)
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.FAILED
        assert set(deposits(auction).values()) == {"refund_due"}
        codes = set(StatusChange.objects.filter(content_type__model="bidder", action="lose")
                    .values_list("reason_code", flat=True))
        assert codes == {"below_reserve"}
        body = Client().get(f"/api/v1/auctions/{auction.pk}").json()
        assert body["result"]["reserve_met"] is False and body["result"]["winner"] is None

    def test_reserve_met_succeeds(self, auction, buyers, bureau):
        services.auction_update_terms(auction=auction, by=bureau, data={"reserve_price": "103000.00"})
        bid_three(auction, buyers)
        with factories.after_end(auction):
            assert services.auction_close(auction=auction).status == AuctionStatus.SUCCEEDED

    def test_an_unconfirmed_deposit_stays_pending_with_its_own_reason(self, seller, bureau, buyers):
        users = [u for _o, u in buyers]
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=users, confirm=users[:2])
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        assert deposits(auction)["A03"] == "pending"
        row = StatusChange.objects.get(content_type__model="bidder", action="lose",
                                       object_id=str(auction.bidders.get(alias="A03").pk))
        assert row.reason_code == "deposit_unconfirmed"


class TestAfterTheDeal:
    @pytest.fixture
    def closed(self, auction, buyers):
        bid_three(auction, buyers)
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        return Auction.objects.get(pk=auction.pk), Deal.objects.get(auction=auction)

    def test_signing_applies_the_winners_deposit(self, closed, buyers):
        auction, deal = closed
        deals.deal_sign(deal=deal, by=buyers[0][1])
        assert deposits(auction)["A01"] == DepositStatus.APPLIED
        # and the chain goes on to the draft technology contract (deals → contracts)
        deal.refresh_from_db()
        assert deal.status == "closed" and deal.contract is not None

    def test_forfeit_keeps_the_deposit_and_marks_the_auction_defaulted(self, closed, bureau):
        auction, deal = closed
        with freeze_time(deal.sign_by + datetime.timedelta(minutes=1)):
            deals.deal_forfeit(deal=deal, by=bureau, comment="逾期未签约")
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.DEFAULTED
        assert deposits(auction)["A01"] == DepositStatus.FORFEITED
        assert results(auction)["A01"] == BidderStatus.DEFAULTED

    def test_offer_next_gives_the_deal_to_the_next_highest_bid(self, closed, bureau, buyers):
        auction, deal = closed
        with freeze_time(deal.sign_by + datetime.timedelta(minutes=1)):
            deals.deal_forfeit(deal=deal, by=bureau, comment="逾期未签约")
            offered = services.auction_offer_next(auction=auction, by=bureau)
        # A02's highest accepted bid was 101,000 (A03 never bid; A01 forfeited)
        assert (offered.buyer, offered.price_fen, offered.method) == (buyers[1][0], START + STEP, "auction")
        assert offered.winning_bid.bidder.alias == "A02"
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.SUCCEEDED
        assert results(auction)["A02"] == BidderStatus.WON
        # A02's deposit, due for refund, is held again and applied when it signs
        assert deposits(auction)["A02"] == DepositStatus.CONFIRMED
        deals.deal_sign(deal=offered, by=buyers[1][1])
        assert deposits(auction)["A02"] == DepositStatus.APPLIED

    def test_offer_next_without_another_bidder_is_refused(self, seller, bureau, buyers):
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers])
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
        with factories.after_end(auction):
            services.auction_close(auction=auction)
        deal = Deal.objects.get(auction=auction)
        with freeze_time(deal.sign_by + datetime.timedelta(minutes=1)):
            deals.deal_forfeit(deal=deal, by=bureau, comment="逾期未签约")
            with pytest.raises(ApplicationError) as exc:
                services.auction_offer_next(auction=auction, by=bureau)
        assert exc.value.errors[0].code == "no_next_bidder"

    def test_relist_creates_a_draft_listing_at_the_starting_price(self, closed, bureau):
        auction, deal = closed
        with freeze_time(deal.sign_by + datetime.timedelta(minutes=1)):
            deals.deal_forfeit(deal=deal, by=bureau, comment="逾期未签约")
            listing = services.auction_relist(auction=auction, by=bureau, comment="重新挂牌")
        assert isinstance(listing, Listing) and listing.pk != auction.listing_id
        assert (listing.achievement_id, listing.price_fen, listing.status) == (auction.achievement_id, START, "draft")
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.RELISTED

    def test_failed_auction_may_be_relisted(self, auction, bureau):
        with factories.after_end(auction):
            services.auction_close(auction=auction)
            services.auction_act(auction=auction, action="relist", by=bureau)
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.RELISTED

    def test_refund_due_deposits_are_marked_refunded_by_the_bureau(self, closed, bureau):
        auction, _deal = closed
        bidder = auction.bidders.get(alias="A02")
        services.bidder_deposit_act(bidder=bidder, action="refund_deposit", by=bureau, reference="TK-01")
        assert deposits(auction)["A02"] == DepositStatus.REFUNDED
