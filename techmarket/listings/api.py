"""REST API of 挂牌交易: /api/v1/listings (SPEC §3 conventions)."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from techmarket.core.api import ActionIn, ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_to_fen

from . import selectors, services
from .representations import interest_out, listing_out

router = Router(tags=["挂牌交易"])


class ListingIn(Schema):
    achievement: int
    transfer_mode: str
    price: str
    period_days: int = 20
    broker: int | None = None
    conditions: str = ""


class ListingPatch(Schema):
    transfer_mode: str | None = None
    price: str | None = None
    period_days: int | None = None
    broker: int | None = None
    conditions: str | None = None


class InterestIn(Schema):
    note: str = ""


def resolve_achievement(pk, user):
    """An achievement the caller can see, or a 422 naming the field (never revealing hidden ones)."""
    from techmarket.achievements.selectors import achievement_get_for_user

    try:
        return achievement_get_for_user(user=user, pk=pk)
    except Http404:
        raise ApplicationError(_("成果不存在"), field="achievement", code="invalid_choice") from None


def resolve_broker(pk):
    from techmarket.directory.models import Person

    if pk in (None, ""):
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ApplicationError(_("技术经纪人不存在"), field="broker", code="invalid_choice")
    return person


def price_fen(value, field: str = "price") -> int:
    if value is None:
        raise ApplicationError(_("此字段不能为空"), field=field, code="required")
    return yuan_to_fen(value, field=field)


def _detail(listing_id: int, user) -> dict:
    return listing_out(selectors.listing_get_for_user(user=user, pk=listing_id), user, detail=True)


@router.get("/listings", auth=ApiAuth(optional=True), summary="挂牌列表")
def listing_list(request, region: str | None = None, field: str | None = None, price_min: str | None = None,
                 price_max: str | None = None, q: str | None = None, status: str | None = None, mine: bool = False,
                 manage: bool = False, page: int = 1, page_size: int = 20):
    """默认为公开列表（挂牌中且未截止，按截止时间先后）。`mine=true`：本单位的挂牌（可按 `status` 筛选）；
    `manage=true`：审核人员管辖区域内的挂牌（`status=submitted` 为待审核）。价格为元（字符串）。"""
    user = caller(request)
    if (mine or manage) and not user.is_authenticated:
        raise HttpError(401, _("需要登录或有效的 API 令牌"))
    qs = selectors.listing_list(user=user, mine=mine, manage=manage, status=status, region=region, field=field,
                                price_min=price_min, price_max=price_max, q=q)
    return paginate(request, qs, lambda row: listing_out(row, user), page=page, page_size=page_size)


@router.post("/listings", response={201: dict}, summary="新建挂牌（草稿）")
def listing_create(request, payload: ListingIn):
    """成果所属单位用户为已发布的成果创建挂牌草稿；交易方式为 transfer、licence_exclusive 或
    licence_non_exclusive 且须是成果的转化方式之一；挂牌期 5–90 天。"""
    user = request.auth
    listing = services.listing_create(
        by=user, achievement=resolve_achievement(payload.achievement, user), transfer_mode=payload.transfer_mode,
        price_fen=price_fen(payload.price), period_days=payload.period_days,
        broker=resolve_broker(payload.broker), conditions=payload.conditions)
    return Status(201, _detail(listing.pk, user))


@router.get("/listings/{int:listing_id}", auth=ApiAuth(optional=True), summary="挂牌详情")
def listing_detail(request, listing_id: int):
    """公开：挂牌中及挂牌期满的挂牌（截止时间已过的挂牌在读取时先行结束）；转让方与管辖区域内的审核人员另见流程与记录。"""
    return _detail(listing_id, caller(request))


@router.patch("/listings/{int:listing_id}", summary="修改挂牌（草稿或退回修改状态）")
def listing_update(request, listing_id: int, payload: ListingPatch):
    user = request.auth
    listing = selectors.listing_get_for_user(user=user, pk=listing_id)
    raw = payload.dict(exclude_unset=True)
    data = {}
    for key, value in raw.items():
        if key == "price":
            data["price_fen"] = price_fen(value)
        elif key == "broker":
            data["broker"] = resolve_broker(value)
        elif value is None:
            raise ApplicationError(_("此字段不能为空"), field=key, code="required")
        else:
            data[key] = value
    services.listing_update(listing=listing, by=user, data=data)
    return _detail(listing_id, user)


@router.post("/listings/{int:listing_id}/actions/{action}", summary="挂牌流程操作")
def listing_action(request, listing_id: int, action: str, payload: ActionIn):
    """submit、resubmit、approve、return（需 `reason_code`，见 /api/v1/reason-codes?context=review_return）、
    relist、withdraw。挂牌期满的结束（end_unsold、end_dealt、end_to_auction）由系统在截止时间执行。"""
    user = request.auth
    listing = selectors.listing_get_for_user(user=user, pk=listing_id)
    services.listing_act(listing=listing, action=action, by=user, comment=payload.comment,
                         reason_code=payload.reason_code)
    return _detail(listing_id, user)


@router.post("/listings/{int:listing_id}/interests", response={201: dict}, summary="登记受让意向")
def interest_register(request, listing_id: int, payload: InterestIn):
    """挂牌期内，转让方、技术经纪人所在机构和科技管理部门以外的单位用户可以登记，每个单位一次；
    不符合条件时返回 422，`code` 为 not_eligible、listing_not_open、listing_ended 或 already_registered。"""
    user = request.auth
    listing = selectors.listing_get_for_user(user=user, pk=listing_id)
    interest = services.listing_register_interest(listing=listing, by=user, note=payload.note)
    return Status(201, interest_out(interest))


@router.get("/listings/{int:listing_id}/interests", summary="意向受让方名单")
def interest_list(request, listing_id: int):
    """转让方与管辖区域内的科技管理部门可见单位名称；其他用户 403（公开视图只显示数量）。"""
    user = request.auth
    listing = selectors.listing_get_for_user(user=user, pk=listing_id)
    rows = list(selectors.listing_interests_for(listing=listing, user=user))
    return {"count": len(rows), "items": [interest_out(i) for i in rows]}


@router.delete("/listings/{int:listing_id}/interests/mine", response={204: None}, summary="撤回本单位的受让意向")
def interest_withdraw(request, listing_id: int):
    user = request.auth
    listing = selectors.listing_get_for_user(user=user, pk=listing_id)
    services.listing_withdraw_interest(listing=listing, by=user)
    return Status(204, None)
