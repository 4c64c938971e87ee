"""Every write of auctions (拍卖/竞价, SPEC §2 M4; tamper-evident log, B4).

* ``auction_create_from_listing``: a listing ended with two or more interests;
* ``auction_update_terms`` / cancel (before the opening), ``bidder_deposit_confirm`` / ``_refund``
  (every deposit change goes through ``bidder_deposit_move``);
* ``bid_place``: the hot path — eligibility, the auction row locked, the price rule, anti-sniping,
  the hash chain;
* ``auction_close`` (scheduler every minute, and the first read after the end), ``auctions_tick``;
* the deal's consequences: ``auction_deal_closed``, ``auction_winner_forfeited``, then
  ``auction_offer_next`` or ``auction_relist``;
* ``auction_chain_verify``.
"""
from __future__ import annotations

import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated
from techmarket.accounts.roles import STAFF_ROLES
from techmarket.core.actors import SYSTEM, is_system
from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_str, yuan_to_fen
from techmarket.core.workflows import transition

from . import chain
from .choices import (
    CLOSED_STATUSES,
    HELD_DEPOSITS,
    LIVE_STATUSES,
    AuctionStatus,
    BidderStatus,
    BidRefusal,
    DepositStatus,
)
from .models import Auction, Bid, Bidder
from .permissions import can_create_auction, can_manage_deposits, is_auction_manager
from .selectors import auction_setting_current

logger = logging.getLogger(__name__)

__all__ = [
    "auction_create_from_listing", "auction_update_terms", "auction_cancel", "auction_act",
    "bidder_deposit_move", "bidder_deposit_confirm", "bidder_deposit_refund", "bidder_deposit_act",
    "bid_eligibility", "bid_state_refusal", "bid_price_refusal", "bid_place", "auction_open", "auction_close", "auction_refresh", "auctions_tick",
    "auction_deal_closed", "auction_winner_forfeited", "auction_offer_next", "auction_relist",
    "auction_chain_verify",
]

TOPIC = "auctions"
# A typing guard, not a business rule: no bid above 100 亿元.
MAX_BID_FEN = 10_000_000_000 * 100
TERMS_FIELDS = ("starting_price_fen", "increment_fen", "reserve_price_fen", "deposit_fen", "starts_at", "ends_at",
                "original_ends_at", "extension_minutes", "signing_days")


def alias_for(n: int) -> str:
    """竞买号 A01, A02 … A99, A100 …"""
    return f"A{n:02d}"


# --- notifications ----------------------------------------------------------------------------------------

def _org_users(organization_ids) -> list:
    from techmarket.deals.selectors import organization_users

    return organization_users(*organization_ids)


def _bureau_users(auction) -> list:
    """Bureau administrators whose scope holds the seller's region."""
    from techmarket.deals.selectors import bureau_admins_for

    return bureau_admins_for(auction.seller.region)


def _notify_later(recipients, *, title: str, body: str, auction, link: str | None = None) -> None:
    recipients = [u for u in recipients if u is not None]
    if not recipients:
        return
    link = link or auction.get_absolute_url()

    def send() -> None:
        from techmarket.notifications.services import notify

        notify(recipients=recipients, topic=TOPIC, title=title, body=body, link=link, about=auction)

    transaction.on_commit(send)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _terms(auction) -> dict:
    return {name: getattr(auction, name) for name in TERMS_FIELDS}


def _plain_terms(terms: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in terms.items()}


# --- creation ---------------------------------------------------------------------------------------------

def _increment_for(price_fen: int, setting) -> int:
    """``increment_per_mille`` of the price rounded to ``increment_round_yuan`` (at least one step)."""
    step = setting.increment_round_yuan * 100
    raw = Decimal(price_fen) * setting.increment_per_mille / 1000
    steps = int((raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(steps, 1) * step


def _deposit_for(price_fen: int, setting) -> int:
    return int((Decimal(price_fen) * setting.deposit_per_mille / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def auction_create_from_listing(*, listing, by) -> Auction:
    """An auction of a listing that ended with two or more active interests (SPEC M3/M4).

    Terms from AuctionSetting: starting price = listing price, increment 1 % rounded to 100 yuan
    (at least 100), deposit 10 %, anti-sniping N = 5 minutes, opens 3 days after the listing's end
    and lasts 2 hours. One bidder per interested organization, in registration order, A01, A02 …,
    deposits pending. Bidders and the seller are notified.
    """
    from techmarket.listings.models import Listing

    listing = Listing.objects.select_related("seller", "seller__region", "broker", "achievement").get(pk=listing.pk)
    if not can_create_auction(by, listing):
        raise PermissionDenied(_("只有市科技局管理员或系统可以发起竞价"))
    if Auction.objects.filter(listing=listing).exists():
        raise ApplicationError(_("该挂牌已转入竞价"), code="duplicate")
    setting = auction_setting_current()
    price = listing.price_fen
    base = listing.ends_at or timezone.now()
    starts_at = base + datetime.timedelta(days=setting.opens_after_days)
    ends_at = starts_at + datetime.timedelta(minutes=setting.duration_minutes)
    auction = Auction.objects.create(
        achievement=listing.achievement, seller=listing.seller, listing=listing, broker=listing.broker,
        transfer_mode=listing.transfer_mode, starting_price_fen=price, increment_fen=_increment_for(price, setting),
        deposit_fen=_deposit_for(price, setting), starts_at=starts_at, ends_at=ends_at, original_ends_at=ends_at,
        extension_minutes=setting.extension_minutes, signing_days=setting.signing_days,
        created_by=by if getattr(by, "pk", None) else None,
    )
    excluded = {listing.seller_id, listing.broker.organization_id if listing.broker_id else None}
    interests = (listing.interests.filter(status="active").exclude(organization_id__in=[e for e in excluded if e])
                 .select_related("organization").order_by("created_at", "pk"))
    bidders = [Bidder(auction=auction, organization=interest.organization, alias=alias_for(n))
               for n, interest in enumerate(interests, start=1)]
    Bidder.objects.bulk_create(bidders)
    record_change(obj=auction, action=ObjectChange.Action.CREATE, by=by,
                  comment=_("挂牌期满，{n} 家意向受让方，转入竞价").format(n=len(bidders)))
    for bidder in bidders:
        _notify_later(_org_users([bidder.organization_id]), auction=auction,
                      title=_("“{t}”转入竞价，您的竞买号为 {a}").format(t=listing.achievement.title, a=bidder.alias),
                      body=_("请在开拍前向市科技局缴纳保证金 {d} 元，经确认后方可出价。开拍时间 {s}，起拍价 {p} 元，"
                             "加价幅度 {i} 元。").format(d=yuan_str(auction.deposit_fen), s=_when(starts_at),
                                                  p=yuan_str(price), i=yuan_str(auction.increment_fen)))
    _notify_later(_org_users([listing.seller_id]), auction=auction,
                  title=_("“{t}”挂牌期满，{n} 家意向受让，转入竞价").format(t=listing.achievement.title, n=len(bidders)),
                  body=_("开拍时间 {s}，起拍价 {p} 元。").format(s=_when(starts_at), p=yuan_str(price)))
    return auction


# --- terms and cancellation (before the opening) ------------------------------------------------------------

def _money(data: dict, key: str, *, allow_none: bool = False) -> int | None:
    value = data[key]
    if value in (None, "") and allow_none:
        return None
    fen = yuan_to_fen(value, field=key)
    if fen > MAX_BID_FEN:
        raise ApplicationError(_("金额超出允许范围"), field=key, code="invalid_amount")
    return fen


def _aware(value, field: str) -> datetime.datetime:
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            raise ApplicationError(_("时间格式应为 ISO 8601"), field=field, code="invalid")
        value = parsed
    if not isinstance(value, datetime.datetime):
        raise ApplicationError(_("请填写时间"), field=field, code="required")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


TERM_KEYS = ("starting_price", "increment", "reserve_price", "deposit", "starts_at", "ends_at",
             "extension_minutes", "signing_days")


@transaction.atomic
def auction_update_terms(*, auction, by, data: dict, comment: str = "") -> Auction:
    """The bureau changes the terms before the opening; the change is kept in the history.

    ``data`` keys (any subset): starting_price, increment, reserve_price (None clears it), deposit — yuan
    strings —, starts_at, ends_at (aware datetimes or ISO strings), extension_minutes, signing_days.
    """
    auction = Auction.objects.select_for_update(of=("self",)).select_related("seller", "seller__region").get(
        pk=auction.pk)
    if not is_auction_manager(by, auction):
        raise PermissionDenied(_("只有市科技局管理员可以修改拍卖条件"))
    unknown = set(data) - set(TERM_KEYS)
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(sorted(unknown))), field=sorted(unknown)[0],
                               code="not_editable")
    now = timezone.now()
    if auction.status != AuctionStatus.SCHEDULED or now >= auction.starts_at:
        raise ApplicationError(_("拍卖已开始或已结束，不能再修改拍卖条件"), code="invalid_state")
    before = _terms(auction)
    if "starting_price" in data:
        auction.starting_price_fen = _money(data, "starting_price")
    if "increment" in data:
        auction.increment_fen = _money(data, "increment")
    if "reserve_price" in data:
        auction.reserve_price_fen = _money(data, "reserve_price", allow_none=True)
    if "deposit" in data:
        deposit = _money(data, "deposit")
        if deposit != auction.deposit_fen and auction.bidders.filter(deposit_status=DepositStatus.CONFIRMED).exists():
            raise ApplicationError(_("已有竞买人的保证金经确认，不能再修改保证金金额"), field="deposit", code="locked")
        auction.deposit_fen = deposit
    if "starts_at" in data:
        auction.starts_at = _aware(data["starts_at"], "starts_at")
    if "ends_at" in data:
        auction.ends_at = _aware(data["ends_at"], "ends_at")
        auction.original_ends_at = auction.ends_at
    for key, low, high, label in (("extension_minutes", 1, 120, _("延时周期应在 1–120 分钟之间")),
                                  ("signing_days", 1, 365, _("签约期限应在 1–365 天之间"))):
        if key in data:
            try:
                value = int(data[key])
            except (TypeError, ValueError):
                raise ApplicationError(_("应为整数"), field=key, code="invalid") from None
            if not low <= value <= high:
                raise ApplicationError(label, field=key, code="out_of_range")
            setattr(auction, key, value)
    for key, value in (("starting_price", auction.starting_price_fen), ("increment", auction.increment_fen)):
        if value <= 0:
            raise ApplicationError(_("金额应大于 0"), field=key, code="not_positive")
    if auction.reserve_price_fen is not None and auction.reserve_price_fen < auction.starting_price_fen:
        raise ApplicationError(_("保留价不应低于起拍价"), field="reserve_price", code="invalid_range")
    if auction.starts_at <= now:
        raise ApplicationError(_("开拍时间应晚于当前时间"), field="starts_at", code="in_past")
    if auction.ends_at <= auction.starts_at:
        raise ApplicationError(_("结束时间应晚于开拍时间"), field="ends_at", code="invalid_range")
    after = _terms(auction)
    if after == before:
        return auction
    auction.save(update_fields=[*TERMS_FIELDS, "updated_at"])
    record_change(obj=auction, action=ObjectChange.Action.UPDATE, by=by, before=_plain_terms(before),
                  after=_plain_terms(after), comment=comment or _("修改拍卖条件"))
    bidder_orgs = auction.bidders.values_list("organization_id", flat=True)
    _notify_later(_org_users(bidder_orgs), auction=auction,
                  title=_("“{t}”的拍卖条件已调整").format(t=auction.achievement.title),
                  body=_("开拍 {s}，结束 {e}，起拍价 {p} 元，加价幅度 {i} 元，保证金 {d} 元。").format(
                      s=_when(auction.starts_at), e=_when(auction.ends_at), p=yuan_str(auction.starting_price_fen),
                      i=yuan_str(auction.increment_fen), d=yuan_str(auction.deposit_fen)))
    return auction


@transaction.atomic
def auction_cancel(*, auction, by, comment: str) -> Auction:
    """Cancel before the opening; confirmed deposits become due for refund; bidders and seller told."""
    auction = transition(auction, action="cancel", by=by, comment=comment)
    for bidder in auction.bidders.filter(deposit_status=DepositStatus.CONFIRMED):
        bidder_deposit_move(bidder=bidder, to=DepositStatus.REFUND_DUE, by=by, comment=_("拍卖取消"))
    orgs = [*auction.bidders.values_list("organization_id", flat=True), auction.seller_id]
    _notify_later(_org_users(orgs), auction=auction, title=_("“{t}”的拍卖已取消").format(t=auction.achievement.title),
                  body=_("取消原因：{c}。已缴纳的保证金将予退还。").format(c=comment))
    return auction


def auction_act(*, auction, action: str, by, comment: str = "", reason_code: str | None = None):
    """The user actions of the API and the managed page: cancel, offer_next, relist."""
    if action == "cancel":
        return auction_cancel(auction=auction, by=by, comment=comment)
    if action == "offer_next":
        return auction_offer_next(auction=auction, by=by, comment=comment)
    if action == "relist":
        return auction_relist(auction=auction, by=by, comment=comment)
    if action in Auction.TRANSITIONS:
        raise ApplicationError(_("“{a}”由系统按时间或成交情况自动办理").format(a=Auction.TRANSITIONS[action].label),
                               field="action", code="not_allowed")
    raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")


# --- deposits ---------------------------------------------------------------------------------------------------

D = DepositStatus
# (from, to) → what the move means; the only moves a deposit makes.
DEPOSIT_MOVES = {
    (D.PENDING, D.CONFIRMED): _("确认保证金到账"),
    (D.CONFIRMED, D.REFUND_DUE): _("保证金待退还"),
    (D.REFUND_DUE, D.CONFIRMED): _("保证金转为受让保证"),
    (D.REFUND_DUE, D.REFUNDED): _("保证金已退还"),
    (D.CONFIRMED, D.APPLIED): _("保证金转作价款"),
    (D.REFUND_DUE, D.APPLIED): _("保证金转作价款"),
    (D.CONFIRMED, D.FORFEITED): _("保证金不予退还"),
    (D.REFUND_DUE, D.FORFEITED): _("保证金不予退还"),
}


@transaction.atomic
def bidder_deposit_move(*, bidder, to: str, by, reference: str = "", comment: str = "") -> Bidder:
    """The one function that changes a deposit's state, with its history row (who, when, from, to, why).

    Callers check who may ask for the move (confirm/refund: bureau; the rest follow the auction and
    the deal); this function checks that the move exists.
    """
    bidder = Bidder.objects.select_for_update().get(pk=bidder.pk)
    move = (bidder.deposit_status, to)
    label = DEPOSIT_MOVES.get(move)
    if label is None:
        raise ApplicationError(_("保证金状态“{s}”不能变为“{t}”").format(
            s=bidder.get_deposit_status_display(), t=DepositStatus(to).label), code="invalid_state")
    before = {"deposit_status": bidder.deposit_status, "deposit_reference": bidder.deposit_reference}
    bidder.deposit_status = to
    fields = ["deposit_status", "updated_at"]
    reference = (reference or "").strip()
    if reference:
        bidder.deposit_reference = reference[:64]
        fields.append("deposit_reference")
    if move == (D.PENDING, D.CONFIRMED):
        bidder.deposit_confirmed_by = by if getattr(by, "pk", None) else None
        bidder.deposit_confirmed_at = timezone.now()
        fields += ["deposit_confirmed_by", "deposit_confirmed_at"]
    bidder.save(update_fields=fields)
    record_change(obj=bidder, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after={"deposit_status": bidder.deposit_status, "deposit_reference": bidder.deposit_reference},
                  comment=" · ".join(str(p) for p in (label, comment) if p))
    return bidder


def _bidder_for_manager(bidder, by) -> Bidder:
    bidder = Bidder.objects.select_related("auction", "auction__seller", "auction__seller__region",
                                           "auction__achievement").get(pk=bidder.pk)
    if not can_manage_deposits(by, bidder.auction):
        raise PermissionDenied(_("只有市科技局管理员可以办理保证金"))
    return bidder


@transaction.atomic
def bidder_deposit_confirm(*, bidder, by, reference: str) -> Bidder:
    """The bureau confirms that the deposit arrived (with the payment's reference number), before the opening."""
    bidder = _bidder_for_manager(bidder, by)
    auction = bidder.auction
    if not (reference or "").strip():
        raise ApplicationError(_("请填写保证金凭证号"), field="reference", code="required")
    if auction.status != AuctionStatus.SCHEDULED or timezone.now() >= auction.starts_at:
        raise ApplicationError(_("拍卖已开始或已结束，不能再确认保证金"), code="invalid_state")
    bidder = bidder_deposit_move(bidder=bidder, to=D.CONFIRMED, by=by, reference=reference)
    _notify_later(_org_users([bidder.organization_id]), auction=auction,
                  title=_("保证金已确认：“{t}”竞买号 {a}").format(t=auction.achievement.title, a=bidder.alias),
                  body=_("开拍时间 {s}，届时可在竞价页面出价。").format(s=_when(auction.starts_at)))
    return bidder


@transaction.atomic
def bidder_deposit_refund(*, bidder, by, reference: str = "") -> Bidder:
    """The bureau records that a deposit due for refund was paid back."""
    bidder = _bidder_for_manager(bidder, by)
    bidder = bidder_deposit_move(bidder=bidder, to=D.REFUNDED, by=by, reference=reference)
    _notify_later(_org_users([bidder.organization_id]), auction=bidder.auction,
                  title=_("保证金已退还：“{t}”竞买号 {a}").format(t=bidder.auction.achievement.title, a=bidder.alias),
                  body=_("保证金 {d} 元已退还。").format(d=yuan_str(bidder.auction.deposit_fen)))
    return bidder


def bidder_deposit_act(*, bidder, action: str, by, reference: str = "") -> Bidder:
    """API and page entry: ``confirm_deposit`` or ``refund_deposit``."""
    if action == "confirm_deposit":
        return bidder_deposit_confirm(bidder=bidder, by=by, reference=reference)
    if action == "refund_deposit":
        return bidder_deposit_refund(bidder=bidder, by=by, reference=reference)
    raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")


# --- bidding ----------------------------------------------------------------------------------------------------

def _refuse(code: BidRefusal, message: str, *, field: str | None = None):
    raise ApplicationError(message, field=field, code=code.value)


# What the refusal checks read of the auction: the lock query, and the snapshot joined to the bidder.
BID_FIELDS = ("id", "status", "starts_at", "ends_at", "starting_price_fen", "increment_fen", "extension_minutes",
              "bid_count", "last_hash", "high_amount_fen")


def bid_eligibility(*, auction, user) -> Bidder:
    """The caller's bidder, with a snapshot of its auction (``bidder.auction``); ``not_eligible`` when there
    is none for the caller: no organization, the organization is not a bidder of this auction, it is the
    seller or the broker's agency, or the caller is bureau/district staff (or the platform itself).
    Raises Auction.DoesNotExist for an auction that does not exist.

    One query on the hot path: the bidder, its auction, the broker's agency, and whether the caller holds a
    staff role (the rule of accounts.permissions.is_region_staff: superuser, bureau administrator or district
    officer).
    """
    if not is_authenticated(user) or is_system(user) or not user.organization_id:
        if not Auction.objects.filter(pk=auction.pk).exists():
            raise Auction.DoesNotExist
        _refuse(BidRefusal.NOT_ELIGIBLE, _("只有登记了受让意向的单位用户可以出价"))
    org_id = user.organization_id
    staff_roles = get_user_model().groups.through.objects.filter(
        user_id=user.pk, group__name__in=[role.value for role in STAFF_ROLES])
    bidder = (Bidder.objects.filter(auction_id=auction.pk, organization_id=org_id)
              .select_related("auction", "auction__broker").annotate(caller_is_staff=Exists(staff_roles))
              .only("pk", "alias", "deposit_status", "organization_id", "auction_id",
                    *(f"auction__{name}" for name in BID_FIELDS), "auction__seller_id", "auction__broker_id",
                    "auction__broker__organization_id")
              .first())
    found = bidder.auction if bidder is not None else (
        Auction.objects.select_related("broker").only("pk", "seller_id", "broker_id", "broker__organization_id")
        .filter(pk=auction.pk).first())
    if found is None:
        raise Auction.DoesNotExist
    if org_id == found.seller_id:
        _refuse(BidRefusal.NOT_ELIGIBLE, _("委托方不能参与竞买"))
    if found.broker_id and org_id == found.broker.organization_id:
        _refuse(BidRefusal.NOT_ELIGIBLE, _("受托技术经纪人所在机构不能参与竞买"))
    if bidder is None:
        _refuse(BidRefusal.NOT_ELIGIBLE, _("您所在单位不是本场拍卖的竞买人（须在挂牌期内登记受让意向）"))
    if user.is_superuser or bidder.caller_is_staff:
        _refuse(BidRefusal.NOT_ELIGIBLE, _("科技管理部门工作人员不能参与竞买"))
    return bidder


def bid_state_refusal(auction, bidder, now) -> None:
    """After eligibility, in this order: cancelled → ``auction_not_open``; at/after the end or closed →
    ``auction_ended``; deposit not confirmed → ``deposit_not_confirmed``; before the start →
    ``auction_not_open``. (The price rule comes last: bid_price_refusal.)"""
    if auction.status == AuctionStatus.CANCELLED:
        _refuse(BidRefusal.AUCTION_NOT_OPEN, _("本场拍卖已取消"))
    if auction.status not in LIVE_STATUSES or now >= auction.ends_at:
        _refuse(BidRefusal.AUCTION_ENDED, _("拍卖已于 {e} 结束").format(e=_when(auction.ends_at)))
    if bidder.deposit_status != DepositStatus.CONFIRMED:
        _refuse(BidRefusal.DEPOSIT_NOT_CONFIRMED,
                _("您的保证金尚未确认（{s}），暂不能出价").format(s=bidder.get_deposit_status_display()))
    if now < auction.starts_at:
        _refuse(BidRefusal.AUCTION_NOT_OPEN, _("拍卖尚未开始，开拍时间为 {s}").format(s=_when(auction.starts_at)))


def bid_minimum_fen(auction, high_amount_fen: int | None) -> int:
    """The lowest acceptable bid: the starting price, then the high bid plus one increment."""
    return auction.starting_price_fen if high_amount_fen is None else high_amount_fen + auction.increment_fen


def bid_price_refusal(auction, amount_fen: int) -> None:
    """``bid_too_low``, naming the lowest acceptable amount (bidders, and the benchmark's clients, read it)."""
    minimum = bid_minimum_fen(auction, auction.high_amount_fen)
    if amount_fen >= minimum:
        return
    if auction.high_amount_fen is None:
        message = _("出价不能低于起拍价 {m} 元").format(m=yuan_str(minimum))
    else:
        message = _("出价应不低于当前最高价加一个加价幅度，即 {m} 元").format(m=yuan_str(minimum))
    _refuse(BidRefusal.BID_TOO_LOW, message, field="amount")


def bid_place(*, auction, by, amount_fen: int) -> Bid:
    """Place a bid of ``amount_fen`` for the caller's organization; refusals carry one of the five codes.

    Every acceptance is decided with the auction row locked (``SELECT … FOR UPDATE``; on SQLite the
    immediate transaction holds the database's write lock from BEGIN), so bids are decided one at a time:
    the price rule sees every accepted bid, no two bids are accepted at one price, none is lost, and the
    chain has no fork. A bid that the unlocked snapshot read with the bidder already refuses is refused
    without taking the lock — sound because the high bid only rises and the end only moves later (only a
    race with the close or a cancellation can make such a refusal carry another code than the locked
    check would). A bid accepted within the last N minutes moves the end to its time + N (never earlier).
    """
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise ApplicationError(_("出价应为大于 0 的金额"), field="amount", code="invalid_amount")
    if amount_fen > MAX_BID_FEN:
        raise ApplicationError(_("出价金额超出允许范围"), field="amount", code="invalid_amount")
    bidder = bid_eligibility(auction=auction, user=by)
    bid_state_refusal(bidder.auction, bidder, timezone.now())
    bid_price_refusal(bidder.auction, amount_fen)
    with transaction.atomic():
        # The auction row alone, with the high amount kept on it: a joined row would be read from the
        # snapshot taken before the wait for the lock (PostgreSQL re-reads only the locked row).
        locked = Auction.objects.select_for_update().only(*BID_FIELDS).get(pk=auction.pk)
        now = timezone.now()
        bid_state_refusal(locked, bidder, now)
        bid_price_refusal(locked, amount_fen)
        created_at = chain.bid_time(now)
        seq = locked.bid_count + 1
        digest = chain.bid_hash(auction_id=locked.pk, seq=seq, alias=bidder.alias, amount_fen=amount_fen,
                                created_at=created_at, prev_hash=locked.last_hash)
        bid = Bid.objects.create(auction_id=locked.pk, bidder_id=bidder.pk, seq=seq, amount_fen=amount_fen,
                                 created_at=created_at, user_id=by.pk, prev_hash=locked.last_hash, hash=digest)
        window = datetime.timedelta(minutes=locked.extension_minutes)
        ends_at = locked.ends_at
        if now >= ends_at - window:
            ends_at = max(ends_at, created_at + window)
        if locked.status == AuctionStatus.SCHEDULED:
            transition(locked, action="open", by=SYSTEM, comment=_("首次出价"))
        Auction.objects.filter(pk=locked.pk).update(high_bid=bid, high_amount_fen=amount_fen, bid_count=seq,
                                                    last_hash=digest, ends_at=ends_at, updated_at=now)
    bid.bidder = bidder
    bid.auction_ends_at = ends_at  # the auction's end after this bid (the API answers it)
    return bid


# --- opening and closing ------------------------------------------------------------------------------------

def auction_open(*, auction, by=SYSTEM) -> Auction:
    """scheduled → open once starts_at has come (idempotent)."""
    with transaction.atomic():
        locked = Auction.objects.select_for_update().get(pk=auction.pk)
        if locked.status != AuctionStatus.SCHEDULED or timezone.now() < locked.starts_at:
            return locked
        return transition(locked, action="open", by=by)


def _reason_code(preferred: str) -> str | None:
    """An active code of the ``bid_lost`` context: the preferred one, else 其他, else the first active."""
    from techmarket.feedback.services import reason_codes_for

    from .workflows import BID_LOST_CONTEXT

    codes = list(reason_codes_for(BID_LOST_CONTEXT).values_list("code", flat=True))
    for code in (preferred, "other"):
        if code in codes:
            return code
    return codes[0] if codes else None


def _lose(bidder, *, reason: str, comment: str, by) -> str | None:
    """The bidder lost, with a coded reason (B2); returns the code given."""
    code = _reason_code(reason)
    if code is None:
        logger.warning("no active reason code of context bid_lost; bidder %s left registered", bidder.pk)
        return None
    transition(bidder, action="lose", by=by, comment=comment, reason_code=code)
    return code


def auction_close(*, auction, by=SYSTEM) -> Auction:
    """Close an auction whose end has come (idempotent; the scheduler and the read path call it).

    No bid, or the highest bid below the reserve: 流拍, every held deposit due for refund. Otherwise
    the highest bid wins: a deal through ``deals.services.deal_create`` (method auction, to be signed
    within ``signing_days``); the winner's deposit stays held, the others' become due for refund.
    Every bidder learns the result (losers with a coded reason), so do the seller and the bureau.
    """
    with transaction.atomic():
        locked = Auction.objects.select_for_update().get(pk=auction.pk)
        now = timezone.now()
        if locked.status not in LIVE_STATUSES or now < locked.ends_at:
            return locked
        auction = Auction.objects.select_related("achievement", "seller", "seller__region", "broker", "listing",
                                                 "high_bid", "high_bid__bidder").get(pk=locked.pk)
        high = auction.high_bid
        bidders = list(auction.bidders.select_related("organization").order_by("pk"))
        reserve_missed = high is not None and auction.reserve_price_fen is not None \
            and high.amount_fen < auction.reserve_price_fen
        title = auction.achievement.title
        reasons: dict[int, str | None] = {}
        if high is None or reserve_missed:
            why = _("最高出价低于保留价") if reserve_missed else _("无人出价")
            auction = transition(auction, action="fail", by=by, comment=why)
            for bidder in bidders:
                reason = "deposit_unconfirmed" if bidder.deposit_status == D.PENDING else (
                    "below_reserve" if reserve_missed else "other")
                reasons[bidder.pk] = _lose(bidder, reason=reason, comment=_("流拍：{w}").format(w=why), by=by)
                if bidder.deposit_status == D.CONFIRMED:
                    bidder_deposit_move(bidder=bidder, to=D.REFUND_DUE, by=by, comment=_("流拍"))
            deal = None
        else:
            auction = transition(auction, action="succeed", by=by,
                                 comment=_("{a} 以 {p} 元竞得").format(a=high.bidder.alias, p=yuan_str(high.amount_fen)))
            winner = high.bidder
            for bidder in bidders:
                if bidder.pk == winner.pk:
                    transition(bidder, action="win", by=by, comment=_("最高出价 {p} 元").format(
                        p=yuan_str(high.amount_fen)))
                    continue
                reason = "deposit_unconfirmed" if bidder.deposit_status == D.PENDING else "outbid"
                reasons[bidder.pk] = _lose(bidder, reason=reason, by=by,
                                           comment=_("成交价 {p} 元").format(p=yuan_str(high.amount_fen)))
                if bidder.deposit_status == D.CONFIRMED:
                    bidder_deposit_move(bidder=bidder, to=D.REFUND_DUE, by=by, comment=_("未竞得"))
            deal = _deal_for(auction, bidder=winner, bid=high, by=by, now=now)
        Auction.objects.filter(pk=auction.pk).update(closed_at=now)
        auction.closed_at = now
        _notify_close(auction, bidders=bidders, high=high, deal=deal, reserve_missed=reserve_missed, title=title,
                      reasons=reasons)
    return auction


def _deal_for(auction, *, bidder, bid, by, now):
    from techmarket.deals.services import deal_create

    return deal_create(
        achievement=auction.achievement, seller=auction.seller, buyer=bidder.organization, price_fen=bid.amount_fen,
        method="auction", transfer_mode=auction.transfer_mode, by=by, broker=auction.broker,
        listing=auction.listing, auction=auction, winning_bid=bid,
        sign_by=now + datetime.timedelta(days=auction.signing_days))


def _loser_body(bidder, code: str | None, first: str = "") -> str:
    """What a losing bidder is told: the outcome, the coded reason (B2) and what happens to its deposit."""
    from techmarket.feedback.services import reason_label

    from .workflows import BID_LOST_CONTEXT

    parts = [first] if first else []
    if code:
        parts.append(_("原因：{r}。").format(r=reason_label(BID_LOST_CONTEXT, code)))
    if bidder.deposit_status == D.CONFIRMED:  # as it was before the close moved it to refund_due
        parts.append(_("您的保证金将予退还。"))
    return "".join(parts)


def _notify_close(auction, *, bidders, high, deal, reserve_missed: bool, title: str, reasons: dict) -> None:
    """``bidders`` as they were before the close (their deposit states then)."""
    if high is None or reserve_missed:
        outcome = _("流拍（最高出价未达到保留价）") if reserve_missed else _("流拍（无人出价）")
        for bidder in bidders:
            _notify_later(_org_users([bidder.organization_id]), auction=auction,
                          title=_("“{t}”竞价结束：{o}").format(t=title, o=outcome),
                          body=_loser_body(bidder, reasons.get(bidder.pk)))
        _notify_later(_org_users([auction.seller_id]) + _bureau_users(auction), auction=auction,
                      title=_("“{t}”竞价结束：{o}").format(t=title, o=outcome),
                      body=_("市科技局可重新挂牌。"))
        return
    winner = high.bidder
    sign_by = _when(deal.sign_by) if deal is not None and deal.sign_by else ""
    for bidder in bidders:
        if bidder.pk == winner.pk:
            _notify_later(_org_users([bidder.organization_id]), auction=auction,
                          title=_("恭喜竞得：“{t}”，成交价 {p} 元").format(t=title, p=yuan_str(high.amount_fen)),
                          body=_("请于 {d} 前签约；逾期未签约的，保证金不予退还。").format(d=sign_by))
        else:
            _notify_later(_org_users([bidder.organization_id]), auction=auction,
                          title=_("“{t}”竞价结束，您未竞得").format(t=title),
                          body=_loser_body(bidder, reasons.get(bidder.pk), _("成交价 {p} 元（{a}）。").format(
                              p=yuan_str(high.amount_fen), a=winner.alias)))
    _notify_later(_org_users([auction.seller_id]) + _bureau_users(auction), auction=auction,
                  title=_("“{t}”竞价成交：{o}，{p} 元").format(t=title, o=winner.organization.name,
                                                        p=yuan_str(high.amount_fen)),
                  body=_("签约截止 {d}。").format(d=sign_by))


def auction_refresh(*, auction) -> bool:
    """The read path: open or close an auction whose time has come if the scheduler has not yet.
    True when something changed."""
    if auction.status not in LIVE_STATUSES:
        return False
    now = timezone.now()
    if now >= auction.ends_at:
        return auction_close(auction=auction).status not in LIVE_STATUSES
    if auction.status == AuctionStatus.SCHEDULED and now >= auction.starts_at:
        return auction_open(auction=auction).status == AuctionStatus.OPEN
    return False


def auctions_tick() -> dict:
    """Scheduler (every minute): open auctions whose start has come, close those whose end has."""
    now = timezone.now()
    opened = closed = 0
    for auction in Auction.objects.filter(status=AuctionStatus.SCHEDULED, starts_at__lte=now, ends_at__gt=now):
        opened += auction_open(auction=auction).status == AuctionStatus.OPEN
    for auction in Auction.objects.filter(status__in=LIVE_STATUSES, ends_at__lte=now).order_by("ends_at"):
        try:
            closed += auction_close(auction=auction).status in CLOSED_STATUSES
        except Exception:  # one auction's failure must not stop the others; the read path retries it
            logger.exception("closing auction %s failed", auction.pk)
    return {"opened": opened, "closed": closed}


# --- after the close: the deal's consequences ------------------------------------------------------------------

def _deal_bidder(deal) -> Bidder:
    bidder = Bidder.objects.select_related("auction", "auction__seller", "auction__seller__region",
                                           "auction__achievement").filter(
        auction_id=deal.auction_id, organization_id=deal.buyer_id).first()
    if bidder is None:
        raise ApplicationError(_("该成交不是拍卖产生的"), code="not_auction_deal")
    return bidder


@transaction.atomic
def auction_deal_closed(*, deal, by) -> Bidder:
    """The auction deal was signed: the buyer's deposit still held is applied to the price."""
    bidder = _deal_bidder(deal)
    if bidder.deposit_status in HELD_DEPOSITS:
        bidder = bidder_deposit_move(bidder=bidder, to=D.APPLIED, by=by, comment=_("成交签约"))
    return bidder


@transaction.atomic
def auction_winner_forfeited(*, deal, by) -> Auction:
    """The winner did not sign in time: its deposit is forfeited and the auction becomes 买受人违约;
    the bureau may then offer the deal to the next highest bidder or relist."""
    bidder = _deal_bidder(deal)
    auction = bidder.auction
    if bidder.deposit_status in HELD_DEPOSITS:
        bidder_deposit_move(bidder=bidder, to=D.FORFEITED, by=by, comment=_("逾期未签约"))
    if bidder.status == BidderStatus.WON:
        transition(bidder, action="default", by=SYSTEM, comment=_("逾期未签约"))
    if auction.status == AuctionStatus.SUCCEEDED:
        auction = transition(auction, action="default", by=SYSTEM,
                             comment=_("{a} 逾期未签约，保证金不予退还").format(a=bidder.alias))
    _notify_later(_org_users([bidder.organization_id]), auction=auction,
                  title=_("“{t}”逾期未签约，保证金不予退还").format(t=auction.achievement.title), body="")
    _notify_later(_org_users([auction.seller_id]) + _bureau_users(auction), auction=auction,
                  link=auction.get_manage_url(),
                  title=_("“{t}”的买受人逾期未签约").format(t=auction.achievement.title),
                  body=_("市科技局可转由次高出价人受让，或重新挂牌。"))
    return auction


def next_bidder(auction):
    """The next highest bidder: a bidder that lost (not one that forfeited), with its highest bid."""
    best = None
    for bid in (Bid.objects.filter(auction=auction, bidder__status=BidderStatus.LOST)
                .select_related("bidder", "bidder__organization").order_by("-amount_fen")):
        best = (bid.bidder, bid)
        break
    return best


@transaction.atomic
def auction_offer_next(*, auction, by, comment: str = ""):
    """After a forfeit, the deal goes to the next highest bidder at its highest accepted bid. Returns the deal."""
    auction = Auction.objects.select_related("achievement", "seller", "seller__region", "broker", "listing").get(
        pk=auction.pk)
    found = next_bidder(auction) if auction.status == AuctionStatus.DEFAULTED else None
    if auction.status == AuctionStatus.DEFAULTED and found is None:
        raise ApplicationError(_("没有可以受让的次高出价人（其他竞买人均未出价），请重新挂牌"), code="no_next_bidder")
    auction = transition(auction, action="offer_next", by=by, comment=comment)
    bidder, bid = found
    transition(bidder, action="win", by=by, comment=_("次高出价 {p} 元").format(p=yuan_str(bid.amount_fen)))
    if bidder.deposit_status == D.REFUND_DUE:
        bidder_deposit_move(bidder=bidder, to=D.CONFIRMED, by=by, comment=_("转由次高出价人受让"))
    deal = _deal_for(auction, bidder=bidder, bid=bid, by=by, now=timezone.now())
    _notify_later(_org_users([bidder.organization_id]), auction=auction,
                  title=_("“{t}”转由您受让，价格 {p} 元").format(t=auction.achievement.title, p=yuan_str(bid.amount_fen)),
                  body=_("买受人逾期未签约，按您的最高出价受让；请于 {d} 前签约。").format(
                      d=_when(deal.sign_by) if deal.sign_by else ""))
    _notify_later(_org_users([auction.seller_id]), auction=auction,
                  title=_("“{t}”转由次高出价人受让：{o}，{p} 元").format(
                      t=auction.achievement.title, o=bidder.organization.name, p=yuan_str(bid.amount_fen)), body="")
    return deal


@transaction.atomic
def auction_relist(*, auction, by, comment: str = ""):
    """After a forfeit (or 流拍) the bureau relists the achievement at the starting price. Returns the listing."""
    from techmarket.listings.services import listing_create

    auction = transition(auction, action="relist", by=by, comment=comment)
    auction = Auction.objects.select_related("achievement", "listing", "broker").get(pk=auction.pk)
    listing = listing_create(by=by, achievement=auction.achievement, transfer_mode=auction.transfer_mode,
                             price_fen=auction.starting_price_fen, broker=auction.broker,
                             conditions=auction.listing.conditions if auction.listing_id else "")
    _notify_later(_org_users([auction.seller_id]), auction=auction, link=listing.get_absolute_url(),
                  title=_("“{t}”已重新挂牌").format(t=auction.achievement.title), body="")
    return listing


# --- verification -------------------------------------------------------------------------------------------

def auction_chain_verify(auction) -> tuple[bool, list[str]]:
    """Recompute every hash of the auction's log; ``(ok, problems in Chinese)``."""
    auction = Auction.objects.only("pk", "last_hash", "bid_count").get(pk=auction.pk)
    rows = (Bid.objects.filter(auction_id=auction.pk).order_by("seq")
            .values_list("seq", "bidder__alias", "amount_fen", "created_at", "prev_hash", "hash"))
    problems = chain.chain_problems(auction_id=auction.pk, rows=rows.iterator(), last_hash=auction.last_hash,
                                    bid_count=auction.bid_count)
    return not problems, problems
