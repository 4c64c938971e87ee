"""Builders for auction tests: the whole path goes through the services, as users would take it.

published achievement → listing (created, submitted, approved by the bureau) → interests of the buyers
(in order) → the listing's end (clock moved past it) → an auction with bidders A01, A02 … → deposits
confirmed by the bureau.
"""
from __future__ import annotations

import datetime
import itertools

from django.utils import timezone
from freezegun import freeze_time

from techmarket.accounts.roles import Role
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.auctions import services
from techmarket.auctions.models import Auction
from techmarket.core.tests import factories

_serial = itertools.count(1)


def enterprise(regions, name: str | None = None, *, region_key: str = "zhongyuan"):
    """An enterprise organization with one enterprise user."""
    n = next(_serial)
    org = factories.organization(name or f"竞买测试企业{n}有限公司", region_obj=regions[region_key])
    user = factories.user(f"ent-auction-{n}", organization_obj=org, roles=[Role.ENTERPRISE])
    return org, user


def colleague(org, role=Role.ENTERPRISE):
    """Another user of the same organization."""
    return factories.user(f"colleague-{next(_serial)}", organization_obj=org, roles=[role])


def listing_with_interests(*, seller, bureau, buyers, price_fen: int = 10_000_000, broker=None, **achievement):
    """An open listing of a newly published achievement, with the buyers' interests in the given order."""
    from techmarket.listings import services as listings

    achievement = achievement_in_state("published", owner=seller, reviewer=bureau,
                                       title=achievement.pop("title", f"竞价测试成果{next(_serial)}"), **achievement)
    listing = listings.listing_create(by=seller, achievement=achievement, transfer_mode="transfer",
                                      price_fen=price_fen, broker=broker)
    listings.listing_submit(listing=listing, by=seller)
    listing = listings.listing_approve(listing=listing, by=bureau)
    for buyer in buyers:
        listings.listing_register_interest(listing=listing, by=buyer)
    listing.refresh_from_db()
    return listing


def end_listing(listing) -> Auction:
    """Move the clock past the listing's end and let it close: two or more interests make an auction."""
    from techmarket.listings.services import listing_close_if_due

    with freeze_time(listing.ends_at + datetime.timedelta(seconds=1)):
        listing_close_if_due(listing=listing)
    return Auction.objects.get(listing=listing)


def auction_for(*, seller, bureau, buyers, price_fen: int = 10_000_000, confirm=None, broker=None) -> Auction:
    """An auction created from a listing; ``confirm``: the buyers whose deposits the bureau confirms
    (all by default)."""
    auction = end_listing(listing_with_interests(seller=seller, bureau=bureau, buyers=buyers, price_fen=price_fen,
                                                 broker=broker))
    confirm = buyers if confirm is None else confirm
    for user in confirm:
        bidder = auction.bidders.get(organization_id=user.organization_id)
        services.bidder_deposit_confirm(bidder=bidder, by=bureau, reference=f"HD{bidder.pk:06d}")
    return Auction.objects.get(pk=auction.pk)


def during(auction, minutes: float = 1):
    """A frozen clock ``minutes`` after the auction's start."""
    return freeze_time(auction.starts_at + datetime.timedelta(minutes=minutes))


def after_end(auction, seconds: float = 1):
    auction.refresh_from_db()
    return freeze_time(auction.ends_at + datetime.timedelta(seconds=seconds))


def open_now(auction, *, bureau, seconds: float = 1.5, minutes: int = 30) -> Auction:
    """Real time (for the live server and PostgreSQL threads): the bureau moves the start to a moment
    from now and the end ``minutes`` later, then waits for the start."""
    import time

    starts = timezone.now() + datetime.timedelta(seconds=seconds)
    services.auction_update_terms(auction=auction, by=bureau, data={
        "starts_at": starts, "ends_at": starts + datetime.timedelta(minutes=minutes)})
    time.sleep(max(0.0, (starts - timezone.now()).total_seconds()) + 0.05)
    return Auction.objects.get(pk=auction.pk)
