"""Reads of auctions: the public list and record, the managed view, bids, bidders and the chain file."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_region_staff, scope_filter
from techmarket.core.errors import ApplicationError

from .choices import LIVE_STATUSES, AuctionPhase, AuctionStatus
from .models import Auction, AuctionSetting, Bid, Bidder
from .permissions import can_view_managed

__all__ = ["auction_setting_current", "auction_list", "auction_list_managed", "auction_get_for_user",
           "auction_get_managed", "auction_bids", "bidder_for_user", "auction_chain_text", "auction_current_deal",
           "auction_phase_counts"]


def auction_setting_current() -> AuctionSetting:
    """The one AuctionSetting row (created with the defaults on first use)."""
    setting, _created = AuctionSetting.objects.get_or_create(pk=1)
    return setting


def _base() -> QuerySet:
    return Auction.objects.select_related("achievement", "seller", "seller__region", "broker", "high_bid",
                                          "high_bid__bidder", "listing")


def _phase_filter(queryset, phase: str | None, now) -> QuerySet:
    live = Q(status__in=LIVE_STATUSES)
    if phase in (None, ""):
        return queryset
    if phase == AuctionPhase.UPCOMING:
        return queryset.filter(live, starts_at__gt=now)
    if phase == AuctionPhase.OPEN:
        return queryset.filter(live, starts_at__lte=now, ends_at__gt=now)
    if phase == AuctionPhase.ENDED:
        return queryset.filter(~live | Q(ends_at__lte=now))
    raise ApplicationError(_("阶段取值无效：{p}（可选 upcoming、open、ended）").format(p=phase), field="phase",
                           code="invalid_choice")


def auction_list(*, phase: str | None = None, q: str | None = None) -> QuerySet:
    """Every auction is public (they come from public listings); ``phase`` by the clock."""
    now = timezone.now()
    qs = _phase_filter(_base(), phase, now).annotate(bidder_count=Count("bidders", distinct=True))
    if q:
        for word in str(q).split()[:5]:
            qs = qs.filter(Q(achievement__title__icontains=word) | Q(seller__name__icontains=word))
    if phase == AuctionPhase.UPCOMING:
        return qs.order_by("starts_at", "pk")
    if phase == AuctionPhase.OPEN:
        return qs.order_by("ends_at", "pk")
    return qs.order_by("-ends_at", "-pk")


def auction_phase_counts() -> dict[str, int]:
    now = timezone.now()
    return {phase: _phase_filter(Auction.objects.all(), phase, now).count() for phase in AuctionPhase.values}


def auction_list_managed(*, user, status: str | None = None) -> QuerySet:
    """Staff: auctions whose seller lies in their region subtree; organization users: their own sales."""
    qs = _base().annotate(bidder_count=Count("bidders", distinct=True))
    if is_region_staff(user):
        scope = scope_filter(user, "seller__region")
        if not user.is_superuser and user.region is None:
            return qs.none()
        qs = qs.filter(**scope)
    elif getattr(user, "organization_id", None):
        qs = qs.filter(seller_id=user.organization_id)
    else:
        return qs.none()
    if status:
        if status not in AuctionStatus.values:
            raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


def _get(pk) -> Auction:
    try:
        return _base().get(pk=int(pk))
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def auction_get_for_user(*, user, pk, refresh: bool = True) -> Auction:
    """The public record. Reading an auction whose time has come opens or closes it (if the scheduler
    has not yet), so nobody ever sees an ended auction as still running."""
    auction = _get(pk)
    if refresh:
        from .services import auction_refresh

        if auction_refresh(auction=auction):
            auction = _get(pk)
    return auction


def auction_get_managed(*, user, pk, refresh: bool = True) -> Auction:
    """The managed view: staff in scope and the seller's users; 404 for everyone else."""
    auction = auction_get_for_user(user=user, pk=pk, refresh=refresh)
    if not can_view_managed(user, auction):
        raise Http404
    return auction


def auction_bids(auction, *, newest_first: bool = False) -> QuerySet:
    qs = Bid.objects.filter(auction=auction).select_related("bidder", "bidder__organization")
    return qs.order_by("-seq") if newest_first else qs.order_by("seq")


def bidder_for_user(auction, user) -> Bidder | None:
    """The caller's organization's bidder in this auction, if any."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "organization_id", None):
        return None
    return Bidder.objects.filter(auction=auction, organization_id=user.organization_id).first()


def auction_chain_text(auction) -> str:
    """The published log: one line per bid, ``<hashed text> <hash>``, in seq order (see chain.py)."""
    from .chain import chain_line

    lines = [chain_line(bid, bid.bidder.alias) for bid in auction_bids(auction)]
    return "".join(line + "\n" for line in lines)


def auction_current_deal(auction):
    """The latest deal made from this auction (after an offer to the next bidder, that one)."""
    return auction.deals.select_related("buyer").order_by("-created_at", "-pk").first()
