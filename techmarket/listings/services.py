"""Every write of listings (挂牌, SPEC §2 M3) and interests (意向受让).

A listing offers a published achievement for a fixed period at a listing price. The reviewer in scope
approves it (the period starts: the approval day does not count, the listing ends at 00:00 after the
last day) or returns it with a coded reason. Organizations register interest before the end. At the
exact end time (the scheduler, or the first read after it): no interest → unsold (relist or withdraw);
one → 挂牌成交, a deal at the listing price; two or more → an auction (the auctions app).
"""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.actors import SYSTEM
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import wan_yuan_display
from techmarket.core.workflows import transition
from techmarket.deals.periods import period_end
from techmarket.deals.selectors import organization_users
from techmarket.deals.services import clean_broker, clean_price_fen, clean_trade_mode, notify_after_commit

from .choices import EDITABLE_STATUSES, PERIOD_MAX_DAYS, PERIOD_MIN_DAYS, InterestStatus, ListingStatus
from .models import Interest, Listing
from .permissions import can_create_listing_for, interest_refusal, is_seller, listing_has_ended
from .selectors import achievement_live_listing, active_interests
from .workflows import TRANSITIONS

__all__ = ["listing_create", "listing_update", "listing_submit", "listing_approve", "listing_return",
           "listing_relist", "listing_withdraw", "listing_act", "listing_register_interest",
           "listing_withdraw_interest", "listing_close_if_due", "listings_close_due"]

logger = logging.getLogger(__name__)

TOPIC = "listing"
CONDITIONS_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
UPDATABLE_FIELDS = ("transfer_mode", "price_fen", "period_days", "broker", "conditions")


# --- rules ---------------------------------------------------------------------------------------------------

def clean_period_days(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(_("挂牌期应为整数天数"), field="period_days", code="invalid")
    if not PERIOD_MIN_DAYS <= value <= PERIOD_MAX_DAYS:
        raise ApplicationError(_("挂牌期应在 {lo}–{hi} 天之间").format(lo=PERIOD_MIN_DAYS, hi=PERIOD_MAX_DAYS),
                               field="period_days", code="out_of_range")
    return value


def _clean_conditions(value) -> str:
    text = (value or "").strip()
    if len(text) > CONDITIONS_MAX_LENGTH:
        raise ApplicationError(_("交易条件最多 {n} 字").format(n=CONDITIONS_MAX_LENGTH), field="conditions",
                               code="max_length")
    return text


def _check_market_open(achievement, *, exclude_pk: int | None = None) -> None:
    """The achievement is public, has no other live listing, no exclusive deal and no running auction."""
    from techmarket.deals.selectors import achievement_exclusive_deal

    if not achievement.is_public:
        raise ApplicationError(_("成果“{t}”未发布或已过期，不能挂牌").format(t=achievement.title), field="achievement",
                               code="not_public")
    if achievement_live_listing(achievement, exclude_pk=exclude_pk) is not None:
        raise ApplicationError(_("该成果已有未结束的挂牌"), field="achievement", code="already_listed")
    if achievement_exclusive_deal(achievement) is not None:
        raise ApplicationError(_("该成果正在进行转让或独占许可交易，不能挂牌"), field="achievement",
                               code="deal_in_progress")
    if achievement.auctions.filter(status__in=("scheduled", "open")).exists():
        raise ApplicationError(_("该成果正在拍卖，不能挂牌"), field="achievement", code="auction_in_progress")


def _sellers(listing) -> list:
    return organization_users(listing.seller_id)


def _notify(recipients, listing, *, title: str, body: str = "", manage: bool = True) -> None:
    link = listing.get_manage_url() if manage else listing.get_absolute_url()
    notify_after_commit(recipients=recipients, topic=TOPIC, title=title, body=body, link=link, about=listing)


def _lock(listing) -> Listing:
    return (Listing.objects.select_for_update(of=("self",)).select_related("achievement", "seller", "broker")
            .get(pk=listing.pk))


# --- the seller's listing --------------------------------------------------------------------------------------

@transaction.atomic
def listing_create(*, by, achievement, transfer_mode: str, price_fen: int, period_days: int = 20, broker=None,
                   conditions: str = "") -> Listing:
    """A draft listing of ``achievement`` (seller: its owner organization), to be submitted for review."""
    from techmarket.achievements.models import Achievement

    if achievement is None:
        raise ApplicationError(_("请选择要挂牌的成果"), field="achievement", code="required")
    if not can_create_listing_for(by, achievement):
        raise PermissionDenied(_("只有成果所属单位可以挂牌"))
    achievement = (Achievement.objects.select_for_update(of=("self",)).select_related("owner_organization")
                   .get(pk=achievement.pk))
    listing = Listing(achievement=achievement, seller=achievement.owner_organization,
                      transfer_mode=clean_trade_mode(achievement, transfer_mode), price_fen=clean_price_fen(price_fen),
                      period_days=clean_period_days(period_days), broker=clean_broker(broker),
                      conditions=_clean_conditions(conditions), created_by=by if getattr(by, "pk", None) else None)
    _check_market_open(achievement)
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError:
        raise ApplicationError(_("该成果已有未结束的挂牌"), field="achievement", code="already_listed") from None
    record_change(obj=listing, action=ObjectChange.Action.CREATE, by=by, after=snapshot(listing))
    if not is_seller(by, listing):
        _notify(_sellers(listing), listing, title=_("已为您的成果“{t}”创建挂牌草稿").format(t=achievement.title),
                body=_("请核对挂牌价格和交易条件后提交审核。"))
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, by, data: dict) -> Listing:
    """The seller edits a draft or returned listing (keys: transfer_mode, price_fen, period_days, broker,
    conditions)."""
    listing = _lock(listing)
    if not is_seller(by, listing):
        raise PermissionDenied(_("只有转让方可以修改挂牌"))
    if listing.status not in EDITABLE_STATUSES:
        raise PermissionDenied(_("只有草稿或退回修改状态的挂牌可以修改（当前：{s}）").format(
            s=listing.get_status_display()))
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(sorted(unknown))), field=sorted(unknown)[0],
                               code="not_editable")
    before = snapshot(listing)
    if "transfer_mode" in data:
        listing.transfer_mode = clean_trade_mode(listing.achievement, data["transfer_mode"])
    if "price_fen" in data:
        listing.price_fen = clean_price_fen(data["price_fen"])
    if "period_days" in data:
        listing.period_days = clean_period_days(data["period_days"])
    if "broker" in data:
        listing.broker = clean_broker(data["broker"])
    if "conditions" in data:
        listing.conditions = _clean_conditions(data["conditions"])
    listing.save()
    after = snapshot(listing)
    if after != before:
        record_change(obj=listing, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return listing


@transaction.atomic
def listing_submit(*, listing: Listing, by, comment: str = "", action: str | None = None) -> Listing:
    """draft → submitted (``resubmit`` from returned); the achievement must still be on the market."""
    listing = _lock(listing)
    action = action or ("resubmit" if listing.status == ListingStatus.RETURNED else "submit")
    if is_seller(by, listing) and listing.status in TRANSITIONS[action].sources:
        _check_market_open(listing.achievement, exclude_pk=listing.pk)
    return transition(listing, action=action, by=by, comment=comment)


def _open_period(listing: Listing) -> Listing:
    now = timezone.now()
    listing.starts_at = now
    listing.ends_at = period_end(now, listing.period_days)
    listing.save(update_fields=["starts_at", "ends_at", "round", "price_fen", "period_days", "updated_at"])
    return listing


def _period_text(listing: Listing) -> str:
    return _("挂牌期 {days} 天，截止时间 {end}。").format(
        days=listing.period_days, end=timezone.localtime(listing.ends_at).strftime("%Y-%m-%d %H:%M"))


@transaction.atomic
def listing_approve(*, listing: Listing, by, comment: str = "") -> Listing:
    """submitted → open: the period starts now; the seller's users are told the exact end."""
    listing = _lock(listing)
    if listing.status == ListingStatus.SUBMITTED:
        _check_market_open(listing.achievement, exclude_pk=listing.pk)
    listing = transition(listing, action="approve", by=by, comment=comment)
    _open_period(listing)
    _notify(_sellers(listing), listing, title=_("挂牌“{t}”已审核通过并挂牌").format(t=listing.achievement.title),
            body=_period_text(listing))
    return listing


@transaction.atomic
def listing_return(*, listing: Listing, by, reason_code: str | None, comment: str = "") -> Listing:
    """submitted → returned with a coded reason (B2); the seller's users are told the reason."""
    from techmarket.feedback.services import reason_label

    listing = transition(_lock(listing), action="return", by=by, comment=comment, reason_code=reason_code)
    body = _("原因：{reason}。").format(reason=reason_label("review_return", reason_code))
    if comment.strip():
        body += _("审核意见：{comment}").format(comment=comment.strip())
    _notify(_sellers(listing), listing, title=_("挂牌“{t}”被退回修改").format(t=listing.achievement.title), body=body)
    return listing


@transaction.atomic
def listing_relist(*, listing: Listing, by, comment: str = "", price_fen: int | None = None,
                   period_days: int | None = None) -> Listing:
    """unsold → open for another period (round + 1), optionally at a new price or for a new period."""
    listing = _lock(listing)
    if is_seller(by, listing) and listing.status == ListingStatus.UNSOLD:
        _check_market_open(listing.achievement, exclude_pk=listing.pk)
        if price_fen is not None:
            listing.price_fen = clean_price_fen(price_fen)
        if period_days is not None:
            listing.period_days = clean_period_days(period_days)
    price, days = listing.price_fen, listing.period_days
    listing = transition(listing, action="relist", by=by, comment=comment)
    listing.price_fen, listing.period_days = price, days
    listing.round += 1
    _open_period(listing)
    _notify(_sellers(listing), listing, title=_("挂牌“{t}”已重新挂牌（第 {n} 轮）").format(
        t=listing.achievement.title, n=listing.round), body=_period_text(listing))
    return listing


@transaction.atomic
def listing_withdraw(*, listing: Listing, by, comment: str = "") -> Listing:
    """The seller withdraws (撤牌): refused while the listing is open and an organization registered interest."""
    listing = _lock(listing)
    if (is_seller(by, listing) and listing.status == ListingStatus.OPEN
            and active_interests(listing).exists()):
        raise ApplicationError(_("已有单位登记受让意向，挂牌期内不能撤牌"), code="has_interests")
    return transition(listing, action="withdraw", by=by, comment=comment)


def listing_act(*, listing: Listing, action: str, by, comment: str = "", reason_code: str | None = None) -> Listing:
    """Any listing action by name (API ``POST /listings/{id}/actions/{action}`` and the pages)."""
    handlers = {
        "submit": lambda: listing_submit(listing=listing, by=by, comment=comment, action="submit"),
        "resubmit": lambda: listing_submit(listing=listing, by=by, comment=comment, action="resubmit"),
        "approve": lambda: listing_approve(listing=listing, by=by, comment=comment),
        "return": lambda: listing_return(listing=listing, by=by, reason_code=reason_code, comment=comment),
        "relist": lambda: listing_relist(listing=listing, by=by, comment=comment),
        "withdraw": lambda: listing_withdraw(listing=listing, by=by, comment=comment),
    }
    handler = handlers.get(action)
    if handler is None:
        # end_* belong to the platform: the engine refuses them to users with the usual messages.
        return transition(listing, action=action, by=by, comment=comment, reason_code=reason_code)
    return handler()


# --- interests ----------------------------------------------------------------------------------------------------

@transaction.atomic
def listing_register_interest(*, listing: Listing, by, note: str = "") -> Interest:
    """意向受让: the caller's organization registers interest while the listing is open (one per organization)."""
    listing = _lock(listing)
    refusal = interest_refusal(by, listing)
    if refusal is not None:
        raise refusal
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(_("说明最多 {n} 字").format(n=NOTE_MAX_LENGTH), field="note", code="max_length")
    interest = Interest.objects.filter(listing=listing, organization_id=by.organization_id).first()
    if interest is not None:  # withdrawn earlier: registering again reactivates the organization's row
        interest = transition(interest, action="reactivate", by=by)
        interest.user, interest.note = by, note
        interest.save(update_fields=["user", "note", "updated_at"])
    else:
        try:
            with transaction.atomic():
                interest = Interest.objects.create(listing=listing, organization_id=by.organization_id, user=by,
                                                   note=note)
        except IntegrityError:
            raise ApplicationError(_("本单位已登记过受让意向"), code="already_registered") from None
    record_change(obj=listing, action=ObjectChange.Action.UPDATE, by=by, before={"意向受让方": ""},
                  after={"意向受让方": by.organization.name}, comment="登记受让意向")
    _notify(_sellers(listing), listing, title=_("“{t}”有新的受让意向").format(t=listing.achievement.title),
            body=_("{org} 登记了受让意向。").format(org=by.organization.name))
    return interest


@transaction.atomic
def listing_withdraw_interest(*, listing: Listing, by, comment: str = "") -> Interest:
    """The organization withdraws its interest before the listing ends."""
    listing = _lock(listing)
    org_id = getattr(by, "organization_id", None)
    interest = (Interest.objects.filter(listing=listing, organization_id=org_id, status=InterestStatus.ACTIVE)
                .first() if org_id else None)
    if interest is None:
        raise ApplicationError(_("本单位没有有效的受让意向"), code="no_interest")
    if listing.status != ListingStatus.OPEN or listing_has_ended(listing):
        raise ApplicationError(_("挂牌期已结束，不能撤回受让意向"), code="listing_ended")
    interest = transition(interest, action="withdraw", by=by, comment=comment)
    record_change(obj=listing, action=ObjectChange.Action.UPDATE, by=by, before={"意向受让方": by.organization.name},
                  after={"意向受让方": ""}, comment="撤回受让意向")
    _notify(_sellers(listing), listing, title=_("“{t}”的一项受让意向已撤回").format(t=listing.achievement.title),
            body=_("{org} 撤回了受让意向。").format(org=by.organization.name))
    return interest


# --- the end of the period ----------------------------------------------------------------------------------------

def _interested_users(interests) -> list:
    return organization_users(*[i.organization_id for i in interests])


@transaction.atomic
def listing_close_if_due(*, listing: Listing) -> Listing:
    """At the exact end: 0 interests → unsold; 1 → 挂牌成交 (a deal); 2 or more → an auction."""
    from techmarket.deals.choices import DealMethod
    from techmarket.deals.services import deal_create

    listing = _lock(listing)
    if listing.status != ListingStatus.OPEN or not listing_has_ended(listing):
        return listing
    interests = list(active_interests(listing))
    title = listing.achievement.title
    if not interests:
        listing = transition(listing, action="end_unsold", by=SYSTEM)
        _notify(_sellers(listing), listing, title=_("挂牌“{t}”期满，无单位登记受让意向").format(t=title),
                body=_("您可以重新挂牌（可调整价格和挂牌期）或撤牌。"))
        return listing
    if len(interests) == 1:
        listing = transition(listing, action="end_dealt", by=SYSTEM)
        buyer = interests[0].organization
        deal = deal_create(achievement=listing.achievement, seller=listing.seller, buyer=buyer,
                           price_fen=listing.price_fen, method=DealMethod.LISTING, transfer_mode=listing.transfer_mode,
                           by=SYSTEM, broker=listing.broker, listing=listing)
        body = _("挂牌期满仅 {org} 一家登记受让意向，按挂牌价格 {price} 挂牌成交，请受让方确认签约。").format(
            org=buyer.name, price=wan_yuan_display(listing.price_fen))
        _notify(_sellers(listing), listing, title=_("挂牌“{t}”挂牌成交").format(t=title), body=body)
        notify_after_commit(recipients=_interested_users(interests), topic=TOPIC,
                            title=_("您登记意向的“{t}”已挂牌成交").format(t=title), body=body,
                            link=deal.get_absolute_url(), about=listing)
        return listing
    from techmarket.auctions.services import auction_create_from_listing

    listing = transition(listing, action="end_to_auction", by=SYSTEM)
    auction_create_from_listing(listing=listing, by=SYSTEM)
    body = _("挂牌期满共有 {n} 家单位登记受让意向，转入竞价。请关注竞价公告并按要求交纳保证金。").format(n=len(interests))
    _notify(_sellers(listing), listing, title=_("挂牌“{t}”转入竞价").format(t=title), body=body)
    _notify(_interested_users(interests), listing, title=_("您登记意向的“{t}”转入竞价").format(t=title), body=body,
            manage=False)
    return listing


def listings_close_due() -> list[Listing]:
    """Scheduler: close every open listing whose end time has passed (each in its own transaction)."""
    from .selectors import listings_due

    closed = []
    for listing in listings_due():
        try:
            closed.append(listing_close_if_due(listing=listing))
        except Exception:  # one failing listing must not stop the others; it is retried next minute
            logger.exception("closing listing %s failed", listing.pk)
    return closed
