"""Every write of deals (成交, M6), their public notice (公示, M5) and objections to it.

A deal is created pending (待签约) by a listing that ends with one interest, by an auction's close, or by
the seller proposing an agreed price (协议定价). The buyer signs: the deal closes at once, or — for an
agreed price of a state-established university or institute — a notice runs for 15 days (the
publication day not counted) and the deal closes from 00:00 of the 16th day when no objection is open.
Closing marks the achievement traded (or counts a non-exclusive licence) and creates the draft
technology contract, all in one transaction.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.actors import SYSTEM, is_system
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import wan_yuan_display
from techmarket.core.workflows import policy_allows, transition

from .choices import EXCLUSIVE_MODES, TRADE_MODES, DealMethod, DealStatus, ObjectionStatus
from .models import Deal, Objection, PublicNotice
from .periods import notice_dates
from .permissions import (
    can_resolve_objections,
    is_buyer_side,
    is_seller_side,
    notice_required,
    sign_deadline_passed,
)
from .selectors import bureau_admins_for, organization_users

__all__ = ["notice_required", "deal_create", "deal_propose_agreement", "deal_sign", "deal_close", "deal_cancel",
           "deal_forfeit", "deal_act", "objection_create", "objection_resolve", "clean_price_fen",
           "clean_trade_mode", "clean_broker", "notify_after_commit"]

TOPIC = "deal"
OBJECTION_MAX_LENGTH = 2000


# --- shared rules (listings use them too) ----------------------------------------------------------------

def clean_price_fen(value, *, field: str = "price") -> int:
    """A price in fen: a whole number above zero."""
    if value is None or value == "":
        raise ApplicationError(_("请填写价格"), field=field, code="required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(_("价格应为以分计的整数"), field=field, code="invalid_amount")
    if value <= 0:
        raise ApplicationError(_("价格应大于 0"), field=field, code="not_positive")
    return value


def clean_trade_mode(achievement, mode, *, field: str = "transfer_mode") -> str:
    """转让 / 独占许可 / 普通许可, and one of the ways the owner offers the achievement."""
    from techmarket.achievements.choices import TransferMode

    labels = dict(TransferMode.choices)
    mode = str(mode or "").strip()
    if not mode:
        raise ApplicationError(_("请选择交易方式"), field=field, code="required")
    if mode not in TRADE_MODES:
        raise ApplicationError(_("交易方式应为：{allowed}").format(
            allowed="、".join(f"{m}（{labels[m]}）" for m in TRADE_MODES)), field=field, code="invalid_choice")
    if mode not in (achievement.transfer_modes or []):
        offered = [str(labels.get(m, m)) for m in achievement.transfer_modes or []]
        raise ApplicationError(_("该成果的转化方式不含“{mode}”（可选：{offered}）").format(
            mode=labels[mode], offered="、".join(offered) or "—"), field=field, code="mode_not_offered")
    return mode


def clean_broker(broker, *, field: str = "broker"):
    """No broker, or a person of the talent registry registered as 技术经纪人."""
    from techmarket.directory.choices import PersonKind

    if broker is None:
        return None
    if broker.kind != PersonKind.BROKER:
        raise ApplicationError(_("“{name}”不是登记的技术经纪人").format(name=broker.name), field=field,
                               code="not_broker")
    return broker


def notify_after_commit(*, recipients, topic: str, title: str, body: str = "", link: str = "", about=None) -> None:
    """In-app notifications (and e-mail per subscription), sent once the transaction commits."""
    recipients = [u for u in recipients if u is not None]
    if not recipients:
        return

    def send() -> None:
        from techmarket.notifications.services import notify

        notify(recipients=recipients, topic=topic, title=title, body=body, link=link, about=about)

    transaction.on_commit(send)


def _price_text(fen: int) -> str:
    return wan_yuan_display(fen)


def _parties(deal) -> list:
    return organization_users(deal.seller_id, deal.buyer_id)


def _lock(deal: Deal) -> Deal:
    return Deal.objects.select_for_update(of=("self",)).select_related(
        "achievement", "seller", "seller__region", "seller__party_nature", "buyer", "broker").get(pk=deal.pk)


# --- creation ------------------------------------------------------------------------------------------------

@transaction.atomic
def deal_create(*, achievement, seller, buyer, price_fen: int, method: str, transfer_mode: str, by, broker=None,
                listing=None, auction=None, winning_bid=None, sign_by=None) -> Deal:
    """A pending deal (待签约); both sides' users are told. Called by listings, auctions and agreements."""
    if method not in DealMethod.values:
        raise ApplicationError(_("成交方式无效：{m}").format(m=method), field="method", code="invalid_choice")
    if transfer_mode not in TRADE_MODES:
        raise ApplicationError(_("交易方式无效：{m}").format(m=transfer_mode), field="transfer_mode",
                               code="invalid_choice")
    price_fen = clean_price_fen(price_fen)
    if seller is None or seller.pk != achievement.owner_organization_id:
        raise ApplicationError(_("转让方应为成果所属单位"), field="seller", code="invalid_choice")
    if buyer is None:
        raise ApplicationError(_("请选择受让方"), field="buyer", code="required")
    if buyer.pk == seller.pk:
        raise ApplicationError(_("受让方不能是转让方本单位"), field="buyer", code="same_party")
    broker = clean_broker(broker)
    if broker is not None and broker.organization_id == buyer.pk:
        raise ApplicationError(_("受让方不能是技术经纪人所在机构"), field="buyer", code="broker_agency")
    if method == DealMethod.LISTING and listing is None:
        raise ApplicationError(_("挂牌成交应关联挂牌"), field="listing", code="required")
    if method == DealMethod.AUCTION and auction is None:
        raise ApplicationError(_("拍卖成交应关联拍卖"), field="auction", code="required")
    deal = Deal.objects.create(
        achievement=achievement, seller=seller, buyer=buyer, broker=broker, price_fen=price_fen, method=method,
        transfer_mode=transfer_mode, listing=listing, auction=auction, winning_bid=winning_bid, sign_by=sign_by,
        created_by=by if getattr(by, "pk", None) else None)
    record_change(obj=deal, action=ObjectChange.Action.CREATE, by=by, after=snapshot(deal))
    body = _("“{title}”{method}，价格 {price}，受让方：{buyer}。").format(
        title=achievement.title, method=deal.get_method_display(), price=_price_text(price_fen), buyer=buyer.name)
    if sign_by is not None:
        body += _("请受让方于 {at} 前确认签约。").format(at=timezone.localtime(sign_by).strftime("%Y-%m-%d %H:%M"))
    else:
        body += _("请受让方确认签约。")
    notify_after_commit(recipients=_parties(deal), topic=TOPIC, title=_("新的成交待签约：{t}").format(
        t=achievement.title), body=body, link=deal.get_absolute_url(), about=deal)
    return deal


def _check_not_busy(achievement, *, transfer_mode: str) -> None:
    """No exclusive deal under way; an exclusive mode also needs no live listing or running auction."""
    from techmarket.listings.selectors import achievement_live_listing

    from .selectors import achievement_exclusive_deal

    if achievement_exclusive_deal(achievement) is not None:
        raise ApplicationError(_("该成果正在进行转让或独占许可交易，暂不能再成交"), field="achievement",
                               code="deal_in_progress")
    if transfer_mode in EXCLUSIVE_MODES:
        if achievement_live_listing(achievement) is not None:
            raise ApplicationError(_("该成果有未结束的挂牌，挂牌结束或撤牌后才能协议转让或独占许可"),
                                   field="achievement", code="listing_in_progress")
        if achievement.auctions.filter(status__in=("scheduled", "open")).exists():
            raise ApplicationError(_("该成果正在拍卖，暂不能协议转让或独占许可"), field="achievement",
                                   code="auction_in_progress")


@transaction.atomic
def deal_propose_agreement(*, by, achievement, buyer, price_fen: int, transfer_mode: str, broker=None) -> Deal:
    """协议定价: the seller (a user of the achievement's owner) proposes a price to a buyer organization."""
    from techmarket.achievements.models import Achievement

    if (not getattr(by, "is_authenticated", False) or is_system(by) or not by.organization_id
            or by.organization_id != achievement.owner_organization_id):
        raise PermissionDenied(_("只有成果所属单位可以发起协议定价成交"))
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if not achievement.is_public:
        raise ApplicationError(_("成果未发布或已过期，不能交易"), field="achievement", code="not_public")
    transfer_mode = clean_trade_mode(achievement, transfer_mode)
    clean_price_fen(price_fen)
    if buyer is None:
        raise ApplicationError(_("请选择受让方"), field="buyer", code="required")
    _check_not_busy(achievement, transfer_mode=transfer_mode)
    return deal_create(achievement=achievement, seller=achievement.owner_organization, buyer=buyer,
                       price_fen=price_fen, method=DealMethod.AGREEMENT, transfer_mode=transfer_mode, by=by,
                       broker=broker)


# --- signing and closing -------------------------------------------------------------------------------------

def _complete(deal: Deal, *, by) -> Deal:
    """The deal just closed: the achievement's availability, the draft contract and the auction's record."""
    from techmarket.achievements.services import achievement_mark_transferred
    from techmarket.achievements.workflows import TRADE
    from techmarket.contracts.services import contract_create_from_deal

    deal.closed_at = timezone.now()
    deal.save(update_fields=["closed_at", "updated_at"])
    exclusive = deal.transfer_mode in EXCLUSIVE_MODES
    actor = by if policy_allows(by, TRADE, deal.achievement) else SYSTEM
    achievement_mark_transferred(achievement=deal.achievement, by=actor, exclusive=exclusive,
                                 comment=_("成交 #{pk}（{mode}）").format(pk=deal.pk, mode=deal.transfer_mode_display))
    deal.contract = contract_create_from_deal(deal=deal, by=by)
    deal.save(update_fields=["contract", "updated_at"])
    if deal.auction_id:
        from techmarket.auctions.services import auction_deal_closed

        auction_deal_closed(deal=deal, by=by)
    notify_after_commit(recipients=_parties(deal), topic=TOPIC, title=_("成交已确认：{t}").format(
        t=deal.achievement.title), body=_("成交价格 {price}。技术合同草稿已生成，请双方完善后提交认定登记。").format(
        price=_price_text(deal.price_fen)), link=deal.get_absolute_url(), about=deal)
    return deal


def _publish_notice(deal: Deal) -> PublicNotice:
    now = timezone.now()
    ends_on, closes_from = notice_dates(now)
    notice = PublicNotice.objects.create(
        deal=deal, published_at=now, ends_on=ends_on, closes_from=closes_from,
        title=_("{seller}“{title}”协议定价成交公示").format(seller=deal.seller.name, title=deal.achievement.title))
    record_change(obj=deal, action=ObjectChange.Action.UPDATE, by=SYSTEM, before={"公示截止日": "", "可确认成交时间": ""},
                  after={"公示截止日": ends_on.isoformat(),
                         "可确认成交时间": timezone.localtime(closes_from).strftime("%Y-%m-%d %H:%M")},
                  comment="发布成交公示")
    notify_after_commit(recipients=_parties(deal), topic=TOPIC, title=_("成交公示已发布：{t}").format(
        t=deal.achievement.title), body=_("公示期至 {ends}（发布当日不计），{closes} 起无异议即可确认成交。").format(
        ends=ends_on.isoformat(), closes=timezone.localtime(closes_from).strftime("%Y-%m-%d %H:%M")),
        link=deal.get_absolute_url(), about=deal)
    return notice


@transaction.atomic
def deal_sign(*, deal: Deal, by, comment: str = "") -> Deal:
    """The buyer signs: the deal closes, or goes to public notice when the seller must publish (M5)."""
    deal = _lock(deal)
    if deal.status == DealStatus.PENDING and is_buyer_side(by, deal) and sign_deadline_passed(deal):
        raise ApplicationError(_("签约期限已于 {at} 届满，不能再签约").format(
            at=timezone.localtime(deal.sign_by).strftime("%Y-%m-%d %H:%M")), field="sign_by",
            code="sign_deadline_passed")
    if notice_required(deal):
        deal = transition(deal, action="sign_for_notice", by=by, comment=comment)
        _publish_notice(deal)
        return deal
    deal = transition(deal, action="sign", by=by, comment=comment)
    return _complete(deal, by=by)


@transaction.atomic
def deal_close(*, deal: Deal, by, comment: str = "") -> Deal:
    """After the notice (from 00:00 of the 16th day) and with no objection open: closed."""
    deal = _lock(deal)
    notice = getattr(deal, "notice", None)
    if (deal.status == DealStatus.IN_NOTICE and notice is not None
            and (is_seller_side(by, deal) or can_resolve_objections(by, deal))):
        if timezone.now() < notice.closes_from:
            raise ApplicationError(_("公示期至 {ends} 结束，{closes} 起方可确认成交").format(
                ends=notice.ends_on.isoformat(),
                closes=timezone.localtime(notice.closes_from).strftime("%Y-%m-%d %H:%M")), code="notice_running")
        if notice.objections.filter(status=ObjectionStatus.OPEN).exists():
            raise ApplicationError(_("公示异议尚未处理完毕，处理后方可确认成交"), code="objection_open")
    deal = transition(deal, action="close", by=by, comment=comment)
    return _complete(deal, by=by)


@transaction.atomic
def deal_cancel(*, deal: Deal, by, comment: str) -> Deal:
    """Either party calls a listing or agreement deal off before it closes (a comment is required)."""
    deal = transition(_lock(deal), action="cancel", by=by, comment=comment)
    notify_after_commit(recipients=_parties(deal), topic=TOPIC, title=_("成交已取消：{t}").format(
        t=deal.achievement.title), body=_("取消说明：{c}").format(c=comment.strip()), link=deal.get_absolute_url(),
        about=deal)
    return deal


@transaction.atomic
def deal_forfeit(*, deal: Deal, by, comment: str) -> Deal:
    """The bureau cancels an auction deal whose winner did not sign by ``sign_by``; the deposit is forfeited."""
    from techmarket.auctions.services import auction_winner_forfeited

    deal = transition(_lock(deal), action="forfeit", by=by, comment=comment)
    auction_winner_forfeited(deal=deal, by=by)
    notify_after_commit(recipients=_parties(deal), topic=TOPIC, title=_("买受人逾期未签约：{t}").format(
        t=deal.achievement.title), body=_("成交已取消，保证金不予退还。说明：{c}").format(c=comment.strip()),
        link=deal.get_absolute_url(), about=deal)
    return deal


def deal_act(*, deal: Deal, action: str, by, comment: str = "", reason_code: str | None = None) -> Deal:
    """Any deal action by name (API ``POST /deals/{id}/actions/{action}`` and the pages)."""
    if action in ("sign", "sign_for_notice"):
        return deal_sign(deal=deal, by=by, comment=comment)
    if action == "close":
        return deal_close(deal=deal, by=by, comment=comment)
    if action == "cancel":
        return deal_cancel(deal=deal, by=by, comment=comment)
    if action == "forfeit":
        return deal_forfeit(deal=deal, by=by, comment=comment)
    if action == "void":
        raise ApplicationError(_("终止成交随“异议成立”处理，请处理相应的异议"), field="action", code="use_objection")
    raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")


# --- objections ------------------------------------------------------------------------------------------------

@transaction.atomic
def objection_create(*, notice: PublicNotice, by, text: str) -> Objection:
    """Any logged-in user objects while the notice runs; the bureau in scope and the seller are told."""
    if not getattr(by, "is_authenticated", False) or is_system(by):
        raise PermissionDenied(_("请先登录后再提出异议"))
    deal = _lock(notice.deal)
    notice = PublicNotice.objects.get(pk=notice.pk)
    if deal.status != DealStatus.IN_NOTICE or timezone.now() >= notice.closes_from:
        raise ApplicationError(_("公示期已结束，不能再提出异议"), field="text", code="notice_ended")
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("请填写异议内容"), field="text", code="required")
    if len(text) > OBJECTION_MAX_LENGTH:
        raise ApplicationError(_("异议内容最多 {n} 字").format(n=OBJECTION_MAX_LENGTH), field="text",
                               code="max_length")
    objection = Objection.objects.create(notice=notice, user=by, organization_id=by.organization_id, text=text)
    # The deal's history is seen by the parties: the objector stays anonymous there (the objection keeps it).
    record_change(obj=deal, action=ObjectChange.Action.UPDATE, by=SYSTEM, before={"公示异议": ""},
                  after={"公示异议": _("异议 #{n}：待处理").format(n=objection.pk)}, comment="收到公示异议")
    recipients = bureau_admins_for(deal.seller.region) + organization_users(deal.seller_id)
    notify_after_commit(recipients=recipients, topic=TOPIC, title=_("成交公示收到异议：{t}").format(
        t=deal.achievement.title), body=_("异议处理完毕前不能确认成交。"), link=deal.get_absolute_url(),
        about=deal)
    return objection


@transaction.atomic
def objection_resolve(*, objection: Objection, action: str, by, comment: str) -> Objection:
    """The bureau in scope upholds (the deal is voided) or dismisses an objection, with its reasons."""
    if action not in Objection.TRANSITIONS:
        raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
    objection = transition(objection, action=action, by=by, comment=comment)
    objection.resolution = comment.strip()
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["resolution", "resolved_by", "resolved_at", "updated_at"])
    deal = _lock(objection.notice.deal)
    if action == "uphold" and deal.status == DealStatus.IN_NOTICE:
        deal = transition(deal, action="void", by=by, comment=comment)
    spec = Objection.TRANSITIONS[action]
    record_change(obj=deal, action=ObjectChange.Action.UPDATE, by=by,
                  before={"公示异议": _("异议 #{n}：待处理").format(n=objection.pk)},
                  after={"公示异议": _("异议 #{n}：{s}").format(n=objection.pk, s=objection.get_status_display())},
                  comment=str(spec.label))
    notify_after_commit(recipients=[objection.user, *organization_users(deal.seller_id, deal.buyer_id)],
                        topic=TOPIC, title=_("公示异议已处理：{outcome}").format(outcome=spec.label),
                        body=_("“{t}”：{c}").format(t=deal.achievement.title, c=comment.strip()),
                        link=objection.notice.get_absolute_url(), about=deal)
    return objection
