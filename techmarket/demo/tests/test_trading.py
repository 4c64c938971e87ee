"""The demo's trading records (issue 3 item 8): listings in every state, an auction open while the demo
runs, closed ones, agreement deals under notice, and the draft contracts deals made."""
import pytest
from django.utils import timezone

from techmarket.auctions.models import Auction
from techmarket.auctions.services import auction_chain_verify
from techmarket.contracts.models import TechContract
from techmarket.deals.models import Deal
from techmarket.demo.loader import DemoLoader
from techmarket.demo.market import load_market
from techmarket.demo.trading import load_trading
from techmarket.listings.choices import ListingStatus
from techmarket.listings.models import Listing

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def trading(django_db_setup, django_db_blocker):
    """One load for the module (about 150 achievements go through the services first), inside a
    transaction rolled back at the end, so the other modules see the database as before."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        previous, settings.TECHMARKET_DEMO = settings.TECHMARKET_DEMO, True
        try:
            demo = DemoLoader(bulk=False)
            demo.load_accounts()
            load_market(demo, limit=150, demands=2)
            load_trading(demo)
            yield demo
        finally:
            settings.TECHMARKET_DEMO = previous
            transaction.set_rollback(True)


class TestDemoTrading:
    def test_listings_exist_in_every_state(self, trading):
        assert set(Listing.objects.values_list("status", flat=True)) == set(ListingStatus.values)

    def test_one_auction_per_city_is_open_now_with_bids_and_a_valid_chain(self, trading):
        now = timezone.now()
        live = Auction.objects.filter(status="open", starts_at__lte=now, ends_at__gt=now)
        assert {a.seller.region.code[:4] for a in live} == {"4101", "4106"}
        for auction in live:
            assert auction.bid_count >= 2
            assert auction_chain_verify(auction) == (True, [])

    def test_closed_auctions_show_a_winner_and_a_failure(self, trading):
        assert {"succeeded", "failed", "scheduled"} <= set(Auction.objects.values_list("status", flat=True))
        for auction in Auction.objects.filter(status__in=["succeeded", "failed"]):
            assert auction_chain_verify(auction)[0]

    def test_deals_cover_the_three_methods_and_closed_ones_have_draft_contracts(self, trading):
        assert set(Deal.objects.values_list("method", flat=True)) == {"listing", "agreement", "auction"}
        assert {"pending", "in_notice", "closed"} <= set(Deal.objects.values_list("status", flat=True))
        closed = Deal.objects.filter(status="closed")
        assert all(d.contract is not None and d.contract.status == "draft" for d in closed)
        assert TechContract.objects.filter(deal__isnull=False).count() == closed.count()

    def test_one_notice_has_an_open_objection(self, trading):
        assert Deal.objects.filter(status="in_notice", notice__objections__status="open").exists()

    def test_a_second_run_adds_nothing(self, trading):
        before = Listing.objects.count(), Deal.objects.count(), Auction.objects.count()
        load_trading(trading)
        assert (Listing.objects.count(), Deal.objects.count(), Auction.objects.count()) == before
