"""REST API of 竞价拍卖: /api/v1/auctions (SPEC §3 conventions; docs/api/auctions.md)."""
from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from techmarket.core.api import ActionIn, ApiAuth, caller, iso, paginate
from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_to_fen

from . import selectors, services
from .models import Auction, Bidder
from .permissions import can_see_bidder_names
from .representations import auction_out, bid_created_out, bid_out, bidder_serializer

router = Router(tags=["竞价拍卖"])


class BidIn(Schema):
    amount: str | int


class TermsPatch(Schema):
    starting_price: str | None = None
    increment: str | None = None
    reserve_price: str | None = None
    deposit: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    extension_minutes: int | None = None
    signing_days: int | None = None
    comment: str = ""


class DepositActionIn(Schema):
    reference: str = ""


def _detail(auction_id: int, user) -> dict:
    return auction_out(selectors.auction_get_for_user(user=user, pk=auction_id), user, detail=True)


@router.get("/auctions", auth=ApiAuth(optional=True), summary="竞价拍卖列表")
def auction_list(request, phase: str | None = None, q: str | None = None, page: int = 1, page_size: int = 20):
    """公开列表。`phase`：upcoming（即将开拍）、open（竞价中）、ended（已结束，含成交、流拍、取消）。"""
    user = caller(request)
    return paginate(request, selectors.auction_list(phase=phase, q=q), lambda a: auction_out(a, user), page=page,
                    page_size=page_size)


@router.get("/auctions/clock", auth=ApiAuth(optional=True), summary="服务器时间")
def auction_clock(request):
    """竞价倒计时以服务器时间为准：`{"now": ISO 8601 +08:00}`。"""
    return {"now": iso(timezone.now())}


@router.get("/auctions/{int:auction_id}", auth=ApiAuth(optional=True), summary="拍卖详情")
def auction_detail(request, auction_id: int):
    """公开的拍卖条件（保留价只显示是否设置）、状态、开拍与结束时间、当前最高价、出价次数、竞买人数；
    登录用户另见本单位的竞买号、保证金状态与是否可以出价。到结束时间后首次读取即结束拍卖。"""
    user = caller(request)
    return _detail(auction_id, user)


@router.patch("/auctions/{int:auction_id}", summary="修改拍卖条件（开拍前，市科技局）")
def auction_update_terms(request, auction_id: int, payload: TermsPatch):
    """金额为元（字符串）；`reserve_price` 为 null 表示不设保留价。历史记录保留修改前后的条件。"""
    auction = selectors.auction_get_managed(user=request.auth, pk=auction_id)
    data = payload.dict(exclude_unset=True)
    comment = data.pop("comment", "")
    services.auction_update_terms(auction=auction, by=request.auth, data=data, comment=comment)
    return _detail(auction_id, request.auth)


@router.post("/auctions/{int:auction_id}/actions/{action}", summary="拍卖流程操作")
def auction_action(request, auction_id: int, action: str, payload: ActionIn):
    """cancel（开拍前取消，需填写意见）、offer_next（买受人逾期未签约后转由次高出价人受让）、
    relist（违约或流拍后重新挂牌）。"""
    auction = selectors.auction_get_managed(user=request.auth, pk=auction_id)
    services.auction_act(auction=auction, action=action, by=request.auth, comment=payload.comment,
                         reason_code=payload.reason_code)
    return _detail(auction_id, request.auth)


@router.get("/auctions/{int:auction_id}/bids", auth=ApiAuth(optional=True), summary="出价记录")
def bid_list(request, auction_id: int, order: str = "asc", page: int = 1, page_size: int = 20):
    """按序号排列（`order=desc` 为最新在前）。竞价期间只显示竞买号，结束后显示单位名称。
    另附 `final_hash`（最后一条出价的哈希）与 `chain_valid`（重新计算整条哈希链的结果）。"""
    user = caller(request)
    auction = selectors.auction_get_for_user(user=user, pk=auction_id)
    if order not in ("asc", "desc"):
        raise ApplicationError(_("排序取值应为 asc 或 desc"), field="order", code="invalid_choice")
    show_names = can_see_bidder_names(user, auction)
    data = paginate(request, selectors.auction_bids(auction, newest_first=order == "desc"),
                    lambda b: bid_out(b, show_names=show_names), page=page, page_size=page_size)
    ok, problems = services.auction_chain_verify(auction)
    data.update(auction_id=auction.pk, final_hash=auction.last_hash, chain_valid=ok, chain_problems=problems,
                chain_url=f"/auctions/{auction.pk}/chain.txt")
    return data


@router.post("/auctions/{int:auction_id}/bids", response={201: dict}, summary="出价")
def bid_create(request, auction_id: int, payload: BidIn):
    """`{"amount": "105000.00"}` → 201。拒绝时 422，`code` 为 not_eligible、deposit_not_confirmed、
    auction_not_open、auction_ended 或 bid_too_low 之一。"""
    # No read here: bid_eligibility reads the bidder with its auction in one query (404 if there is none).
    auction = Auction(pk=auction_id)
    amount = payload.amount
    if isinstance(amount, bool):
        raise ApplicationError(_("出价应为金额字符串，如 \"105000.00\""), field="amount", code="invalid_amount")
    bid = services.bid_place(auction=auction, by=request.auth, amount_fen=yuan_to_fen(amount, field="amount"))
    return Status(201, bid_created_out(bid))


def _managed_bidders(request, auction_id: int):
    auction = selectors.auction_get_managed(user=request.auth, pk=auction_id)
    return auction, auction.bidders.select_related("organization").order_by("pk")


@router.get("/auctions/{int:auction_id}/bidders", summary="竞买人与保证金（市科技局、委托方）")
def bidder_list(request, auction_id: int, page: int = 1, page_size: int = 100):
    """竞价结束前委托方只看到竞买号；保证金凭证号仅管理人员可见。"""
    auction, bidders = _managed_bidders(request, auction_id)
    return paginate(request, bidders, bidder_serializer(auction, request.auth), page=page, page_size=page_size)


@router.post("/auctions/{int:auction_id}/bidders/{int:bidder_id}/actions/{action}", summary="保证金操作")
def bidder_action(request, auction_id: int, bidder_id: int, action: str, payload: DepositActionIn):
    """confirm_deposit（开拍前确认保证金到账，需填写凭证号 `reference`）、refund_deposit（登记已退还）。"""
    auction, bidders = _managed_bidders(request, auction_id)
    bidder = bidders.filter(pk=bidder_id).first()
    if bidder is None:
        raise Http404
    services.bidder_deposit_act(bidder=bidder, action=action, by=request.auth, reference=payload.reference)
    auction = selectors.auction_get_managed(user=request.auth, pk=auction_id)
    return bidder_serializer(auction, request.auth)(Bidder.objects.select_related("organization").get(pk=bidder_id))
