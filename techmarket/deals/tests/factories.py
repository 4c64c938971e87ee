"""Builders for deal tests: deals come from the three ways to sell, through the services.

* a listing deal: a listing that ended with one interest;
* an agreement deal: proposed by the seller (a state research institute: its price goes to notice);
* an auction deal: a listing with two interests → auction → deposits → one bid → close (auctions app).
"""
from __future__ import annotations

import datetime

from freezegun import freeze_time

from techmarket.deals import services
from techmarket.deals.models import Deal
from techmarket.listings.tests import factories as listing_factories

PRICE_FEN = 30_000_000  # 30 万元


def listing_deal(*, owner, reviewer, buyer, **kwargs) -> Deal:
    listing = listing_factories.ended_listing(owner=owner, reviewer=reviewer, interested=[buyer], **kwargs)
    return Deal.objects.get(listing=listing)


def agreement_deal(*, owner, reviewer, buyer_org, transfer_mode: str = "transfer", price_fen: int = PRICE_FEN,
                   achievement=None, **achievement_overrides) -> Deal:
    achievement = achievement or listing_factories.published(owner=owner, reviewer=reviewer, **achievement_overrides)
    return services.deal_propose_agreement(by=owner, achievement=achievement, buyer=buyer_org, price_fen=price_fen,
                                           transfer_mode=transfer_mode)


def noticed_deal(*, owner, reviewer, buyer, **kwargs) -> Deal:
    """An agreement deal of the state institute, signed by the buyer: in notice."""
    deal = agreement_deal(owner=owner, reviewer=reviewer, buyer_org=buyer.organization, **kwargs)
    return services.deal_sign(deal=deal, by=buyer)


def after_notice(deal, seconds: float = 0):
    """A frozen clock at the notice's ``closes_from`` (00:00 of the 16th day) plus ``seconds``."""
    deal.refresh_from_db()
    return freeze_time(deal.notice.closes_from + datetime.timedelta(seconds=seconds))


def auction_deal(*, owner, bureau, buyer, other) -> Deal:
    """A pending auction deal won by ``buyer`` (``other`` registered too but did not bid)."""
    from techmarket.auctions import services as auctions
    from techmarket.auctions.models import Auction

    listing = listing_factories.ended_listing(owner=owner, reviewer=bureau, interested=[buyer, other])
    auction = Auction.objects.get(listing=listing)
    for bidder in auction.bidders.all():
        auctions.bidder_deposit_confirm(bidder=bidder, by=bureau, reference=f"BZJ{bidder.pk:06d}")
    with freeze_time(auction.starts_at + datetime.timedelta(minutes=1)):
        auctions.bid_place(auction=auction, by=buyer, amount_fen=auction.starting_price_fen)
    auction.refresh_from_db()
    with freeze_time(auction.ends_at + datetime.timedelta(seconds=1)):
        auctions.auction_close(auction=auction)
    return Deal.objects.get(auction=auction)


def past_sign_by(deal, seconds: float = 1):
    deal.refresh_from_db()
    return freeze_time(deal.sign_by + datetime.timedelta(seconds=seconds))
