"""Builders for listing and deal tests: everything goes through the services, as users would take it."""
from __future__ import annotations

import datetime

from freezegun import freeze_time

from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.listings import services
from techmarket.listings.models import Listing

PRICE_FEN = 50_000_000  # 50 万元


def published(*, owner, reviewer, **overrides):
    overrides.setdefault("transfer_modes", ["transfer", "licence_exclusive", "licence_non_exclusive"])
    return achievement_in_state("published", owner=owner, reviewer=reviewer, **overrides)


def draft_listing(*, owner, reviewer, achievement=None, transfer_mode: str = "transfer", price_fen: int = PRICE_FEN,
                  period_days: int = 20, broker=None, conditions: str = "") -> Listing:
    achievement = achievement or published(owner=owner, reviewer=reviewer)
    return services.listing_create(by=owner, achievement=achievement, transfer_mode=transfer_mode,
                                   price_fen=price_fen, period_days=period_days, broker=broker,
                                   conditions=conditions)


def open_listing(*, owner, reviewer, interested=(), **kwargs) -> Listing:
    listing = draft_listing(owner=owner, reviewer=reviewer, **kwargs)
    services.listing_submit(listing=listing, by=owner)
    listing = services.listing_approve(listing=listing, by=reviewer)
    for user in interested:
        services.listing_register_interest(listing=listing, by=user)
    return Listing.objects.get(pk=listing.pk)


def after_end(listing, seconds: float = 1):
    """A frozen clock just after the listing's exact end."""
    return freeze_time(listing.ends_at + datetime.timedelta(seconds=seconds))


def ended_listing(*, owner, reviewer, interested=(), **kwargs) -> Listing:
    listing = open_listing(owner=owner, reviewer=reviewer, interested=interested, **kwargs)
    with after_end(listing):
        services.listing_close_if_due(listing=listing)
    return Listing.objects.get(pk=listing.pk)


def listing_in_state(state: str, *, owner, reviewer, buyers=(), **kwargs) -> Listing:
    """A listing brought to ``state``; ``buyers``: users whose organizations register interest
    (dealt needs one, to_auction two)."""
    if state == "draft":
        return draft_listing(owner=owner, reviewer=reviewer, **kwargs)
    if state == "withdrawn":
        listing = draft_listing(owner=owner, reviewer=reviewer, **kwargs)
        return services.listing_withdraw(listing=listing, by=owner)
    if state in ("submitted", "returned"):
        listing = draft_listing(owner=owner, reviewer=reviewer, **kwargs)
        listing = services.listing_submit(listing=listing, by=owner)
        if state == "returned":
            listing = services.listing_return(listing=listing, by=reviewer, reason_code="other", comment="请补充")
        return listing
    if state == "open":
        return open_listing(owner=owner, reviewer=reviewer, **kwargs)
    if state == "unsold":
        return ended_listing(owner=owner, reviewer=reviewer, **kwargs)
    if state == "dealt":
        return ended_listing(owner=owner, reviewer=reviewer, interested=buyers[:1], **kwargs)
    if state == "to_auction":
        return ended_listing(owner=owner, reviewer=reviewer, interested=buyers[:2], **kwargs)
    raise ValueError(state)


# --- API and page tests ------------------------------------------------------------------------------

def as_user(client, user):
    client.force_login(user)
    return client


def api_error(response) -> dict:
    """The first item of a SPEC §3 error body, after checking the body's shape."""
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    item = body["errors"][0]
    assert set(item) == {"field", "code", "message"}
    return item
