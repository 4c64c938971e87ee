"""Who may do what with an auction; the workflow policies are registered here (apps.ready).

* managers: bureau administrators (市科技局) whose region holds the seller's region — they set the
  terms, confirm and refund deposits, cancel before the opening, offer the deal to the next bidder
  or relist; district officers in scope see the managed view;
* the seller's users see the managed view (bidders by alias until the close, no actions);
* bidders: organizations that registered interest, one per organization; who may place a bid is
  decided by services.bid_eligibility (the five refusal codes);
* the platform (core.actors.SYSTEM) opens and closes auctions by the clock.
"""
from __future__ import annotations

from django.utils import timezone

from techmarket.accounts.permissions import (
    is_authenticated,
    is_bureau_admin,
    is_region_staff,
    region_in_staff_scope,
)
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import CLOSED_STATUSES

__all__ = ["is_auction_manager", "is_auction_staff", "is_seller_user", "can_view_managed",
           "can_see_bidder_names", "can_create_auction", "can_manage_deposits"]


def _person(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def is_auction_manager(user, auction) -> bool:
    """Bureau administrators whose scope holds the seller's region."""
    return _person(user) and is_bureau_admin(user) and region_in_staff_scope(user, auction.seller.region)


def is_auction_staff(user, auction) -> bool:
    """Bureau administrators and district officers whose scope holds the seller's region."""
    return _person(user) and is_region_staff(user) and region_in_staff_scope(user, auction.seller.region)


def is_seller_user(user, auction) -> bool:
    return _person(user) and user.organization_id is not None and user.organization_id == auction.seller_id


def can_view_managed(user, auction) -> bool:
    """The managed page and the bidder list: staff in scope and the seller's users."""
    return is_auction_staff(user, auction) or is_seller_user(user, auction)


def can_see_bidder_names(user, auction) -> bool:
    """Names behind the aliases: everyone after the close; before it only staff in scope."""
    return auction.status in CLOSED_STATUSES or is_auction_staff(user, auction)


def can_create_auction(user, listing) -> bool:
    """The platform (a listing ended with two or more interests) or a bureau administrator in scope."""
    return is_system(user) or (_person(user) and is_bureau_admin(user)
                               and region_in_staff_scope(user, listing.seller.region))


def can_manage_deposits(user, auction) -> bool:
    return is_auction_manager(user, auction)


@register_policy(workflows.MANAGE)
def _may_manage(user, auction) -> bool:
    return is_auction_manager(user, auction)


@register_policy(workflows.CANCEL)
def _may_cancel(user, auction) -> bool:
    """Before the opening only (the status may still say 待开拍 for up to a minute after it)."""
    return is_auction_manager(user, auction) and timezone.now() < auction.starts_at


@register_policy(workflows.CLOSE)
def _may_close(user, auction) -> bool:
    return is_system(user)


@register_policy(workflows.DECIDE_BIDDER)
def _may_decide_bidder(user, bidder) -> bool:
    return is_system(user) or is_auction_manager(user, bidder.auction)
