"""JSON shapes of auctions, bids and bidders (SPEC §3), shared by the API and the pages.

The reserve price itself is never public — only whether there is one; bidders are shown by alias
(竞买号) until the close, by name after it (staff in scope always see names).
"""
from __future__ import annotations

from django.db.models import Count, Max
from django.utils import timezone

from techmarket.core.api import iso, workflow_fields
from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_str

from .chain import bid_time_iso
from .choices import CLOSED_STATUSES, LIVE_STATUSES, AuctionPhase, AuctionStatus, DepositStatus
from .permissions import can_manage_deposits, can_see_bidder_names, can_view_managed, is_auction_staff
from .selectors import bidder_for_user

__all__ = ["auction_out", "bid_out", "bid_created_out", "bidder_out", "bidder_serializer", "bidders_out",
           "transfer_mode_label"]


def transfer_mode_label(code: str) -> str:
    from techmarket.achievements.choices import TransferMode

    return str(dict(TransferMode.choices).get(code, code))


def _high_bid_out(auction) -> dict | None:
    bid = auction.high_bid
    if bid is None:
        return None
    return {"amount": yuan_str(bid.amount_fen), "bidder_alias": bid.bidder.alias, "seq": bid.seq,
            "created_at": bid_time_iso(bid.created_at)}


def _bidder_count(auction) -> int:
    count = getattr(auction, "bidder_count", None)
    return auction.bidders.count() if count is None else count


def _seconds(delta) -> int:
    return max(0, int(delta.total_seconds()))


def auction_out(auction, user, *, detail: bool = False) -> dict:
    now = timezone.now()
    phase = auction.phase(now)
    high = auction.high_bid
    data = {
        "id": auction.pk,
        "achievement": {"id": auction.achievement_id, "title": auction.achievement.title},
        "seller": {"id": auction.seller_id, "name": auction.seller.name},
        "listing_id": auction.listing_id,
        "transfer_mode": auction.transfer_mode,
        "transfer_mode_display": transfer_mode_label(auction.transfer_mode),
        "starting_price": yuan_str(auction.starting_price_fen),
        "increment": yuan_str(auction.increment_fen),
        "deposit": yuan_str(auction.deposit_fen),
        "has_reserve": auction.reserve_price_fen is not None,
        "starts_at": iso(auction.starts_at),
        "ends_at": iso(auction.ends_at),
        "original_ends_at": iso(auction.original_ends_at),
        "extension_minutes": auction.extension_minutes,
        "signing_days": auction.signing_days,
        "closed_at": iso(auction.closed_at),
        "phase": phase,
        "phase_display": str(AuctionPhase(phase).label),
        "seconds_to_start": _seconds(auction.starts_at - now) if phase == AuctionPhase.UPCOMING else 0,
        "seconds_to_end": _seconds(auction.ends_at - now) if phase != AuctionPhase.ENDED else 0,
        "high_bid": _high_bid_out(auction),
        "next_min_amount": (yuan_str(auction.starting_price_fen if high is None
                                     else high.amount_fen + auction.increment_fen)
                            if auction.status in LIVE_STATUSES else None),
        "bid_count": auction.bid_count,
        "bidder_count": _bidder_count(auction),
        "last_hash": auction.last_hash,
        **workflow_fields(auction, user),
    }
    if not detail:
        return data
    data["me"] = me_out(auction, user)
    data["result"] = result_out(auction, user)
    data["managed"] = can_view_managed(user, auction)
    if data["managed"]:
        data["reserve_price"] = yuan_str(auction.reserve_price_fen)
    data["bids_url"] = f"/api/v1/auctions/{auction.pk}/bids"
    data["chain_url"] = f"/auctions/{auction.pk}/chain.txt"
    return data


def me_out(auction, user) -> dict | None:
    """The caller's own alias, deposit status and whether it may bid now (and if not, why)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from .services import bid_eligibility, bid_state_refusal

    bidder = bidder_for_user(auction, user)
    refusal = None
    try:
        bid_state_refusal(auction, bid_eligibility(auction=auction, user=user), timezone.now())
    except ApplicationError as exc:
        refusal = exc.errors[0].as_dict()
        refusal.pop("field", None)
    return {
        "alias": bidder.alias if bidder else None,
        "deposit_status": bidder.deposit_status if bidder else None,
        "deposit_status_display": bidder.get_deposit_status_display() if bidder else None,
        "bidder_status": bidder.status if bidder else None,
        "bidder_status_display": bidder.get_status_display() if bidder else None,
        "loss_reason": loss_reason_out(bidder) if bidder is not None and bidder.status == "lost" else None,
        "eligible": refusal is None,
        "refusal": refusal,
    }


def loss_reason_out(bidder) -> dict | None:
    """The coded reason a lost bid carries (B2), shown to the bidder's own users."""
    from techmarket.core.workflows import status_history
    from techmarket.feedback.services import reason_label

    from .workflows import BID_LOST_CONTEXT

    row = status_history(bidder).filter(action="lose").exclude(reason_code="").order_by("-created_at", "-pk").first()
    if row is None:
        return None
    return {"code": row.reason_code, "label": reason_label(BID_LOST_CONTEXT, row.reason_code), "comment": row.comment}


def result_out(auction, user) -> dict | None:
    """After the close: the outcome, the winner (name and alias), the price and the deal."""
    if auction.status not in CLOSED_STATUSES:
        return None
    from .selectors import auction_current_deal

    deal = auction_current_deal(auction)
    high = auction.high_bid
    reserve_met = None if auction.reserve_price_fen is None or high is None else \
        high.amount_fen >= auction.reserve_price_fen
    data = {"outcome": "failed" if auction.status == AuctionStatus.FAILED else "succeeded",
            "final_hash": auction.last_hash, "reserve_met": reserve_met, "winner": None, "price": None,
            "deal_id": None}
    if deal is not None:
        bidder = auction.bidders.filter(organization_id=deal.buyer_id).first()
        data.update(winner={"alias": bidder.alias if bidder else None, "organization": deal.buyer.name},
                    price=yuan_str(deal.price_fen), deal_id=deal.pk, deal_status=deal.status,
                    deal_status_display=deal.get_status_display(), sign_by=iso(deal.sign_by))
    return data


def bid_out(bid, *, show_names: bool) -> dict:
    return {
        "id": bid.pk,
        "seq": bid.seq,
        "amount": yuan_str(bid.amount_fen),
        "bidder_alias": bid.bidder.alias,
        "organization": bid.bidder.organization.name if show_names else None,
        "created_at": bid_time_iso(bid.created_at),
        "prev_hash": bid.prev_hash,
        "hash": bid.hash,
    }


def bid_created_out(bid) -> dict:
    """The 201 body of ``POST /auctions/{id}/bids`` (exactly these keys)."""
    return {
        "id": bid.pk,
        "seq": bid.seq,
        "amount": yuan_str(bid.amount_fen),
        "bidder_alias": bid.bidder.alias,
        "created_at": bid_time_iso(bid.created_at),
        "prev_hash": bid.prev_hash,
        "hash": bid.hash,
        "ends_at": iso(bid.auction_ends_at),
    }


def bidder_serializer(auction, user):
    """A function turning each bidder of ``auction`` into its managed-view dict for ``user`` (names for
    staff in scope and for everyone after the close; deposit references for staff; deposit actions for
    the bureau)."""
    show_names = can_see_bidder_names(user, auction)
    staff = is_auction_staff(user, auction)
    may_act = can_manage_deposits(user, auction)
    stats = {row["bidder_id"]: row for row in
             auction.bids.order_by().values("bidder_id").annotate(top=Max("amount_fen"), n=Count("pk"))}
    before_start = auction.status == AuctionStatus.SCHEDULED and timezone.now() < auction.starts_at

    def serialize(bidder) -> dict:
        actions = []
        if may_act and bidder.deposit_status == DepositStatus.PENDING and before_start:
            actions.append("confirm_deposit")
        if may_act and bidder.deposit_status == DepositStatus.REFUND_DUE:
            actions.append("refund_deposit")
        row = stats.get(bidder.pk, {})
        return bidder_out(bidder, show_names=show_names, staff=staff, top=row.get("top"), bids=row.get("n", 0),
                          actions=actions)

    return serialize


def bidders_out(auction, user) -> list[dict]:
    serialize = bidder_serializer(auction, user)
    return [serialize(b) for b in auction.bidders.select_related("organization").order_by("pk")]


def bidder_out(bidder, *, show_names: bool, staff: bool, top=None, bids: int = 0, actions=()) -> dict:
    return {
        "id": bidder.pk,
        "alias": bidder.alias,
        "organization": {"id": bidder.organization_id, "name": bidder.organization.name} if show_names else None,
        "deposit_status": bidder.deposit_status,
        "deposit_status_display": bidder.get_deposit_status_display(),
        "deposit_reference": bidder.deposit_reference if staff else None,
        "deposit_confirmed_at": iso(bidder.deposit_confirmed_at),
        "status": bidder.status,
        "status_display": bidder.get_status_display(),
        "bid_count": bids,
        "highest_bid": yuan_str(top),
        "available_actions": list(actions),
    }
