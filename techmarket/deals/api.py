"""REST API of 成交与公示: /api/v1/deals and /api/v1/deal-notices (SPEC §3 conventions)."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from techmarket.core.api import ActionIn, ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError
from techmarket.listings.api import price_fen, resolve_achievement, resolve_broker

from . import selectors, services
from .permissions import can_view_deal
from .representations import deal_out, notice_out, objection_out

router = Router(tags=["成交与公示"])


class AgreementIn(Schema):
    achievement: int
    buyer: int
    price: str
    transfer_mode: str
    broker: int | None = None


class ObjectionIn(Schema):
    text: str


def resolve_organization(pk, *, field: str = "buyer"):
    from techmarket.directory.models import Organization

    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise ApplicationError(_("单位不存在"), field=field, code="invalid_choice")
    return organization


def _detail(deal_id: int, user) -> dict:
    return deal_out(selectors.deal_get_for_user(user=user, pk=deal_id), user, detail=True)


@router.get("/deals", summary="成交列表（本单位参与的；管理人员为管辖区域内的）")
def deal_list(request, status: str | None = None, method: str | None = None, achievement: int | None = None,
              page: int = 1, page_size: int = 20):
    user = request.auth
    qs = selectors.deal_list_visible_to(user=user, status=status, method=method, achievement_id=achievement)
    return paginate(request, qs, lambda row: deal_out(row, user), page=page, page_size=page_size)


@router.post("/deals", response={201: dict}, summary="发起协议定价成交")
def deal_propose(request, payload: AgreementIn):
    """成果所属单位用户向受让方单位提出协议价格，受让方确认签约。转让方为国有高校、科研院所
    （单位性质 高等院校/科研机构）时，签约后公示 15 日（发布当日不计），第 16 日 0 时起无异议方可确认成交。"""
    user = request.auth
    deal = services.deal_propose_agreement(
        by=user, achievement=resolve_achievement(payload.achievement, user),
        buyer=resolve_organization(payload.buyer), price_fen=price_fen(payload.price),
        transfer_mode=payload.transfer_mode, broker=resolve_broker(payload.broker))
    return Status(201, _detail(deal.pk, user))


@router.get("/deals/{int:deal_id}", summary="成交详情")
def deal_detail(request, deal_id: int):
    return _detail(deal_id, request.auth)


@router.post("/deals/{int:deal_id}/actions/{action}", summary="成交流程操作")
def deal_action(request, deal_id: int, action: str, payload: ActionIn):
    """sign（受让方确认签约；需公示的协议定价进入公示，亦可用 sign_for_notice）、close（公示期满、
    无未处理异议后由转让方或市科技局确认成交）、cancel（双方之一，需说明）、forfeit（市科技局：
    拍卖买受人逾期未签约，需说明）。成交时生成技术合同草稿。"""
    user = request.auth
    deal = selectors.deal_get_for_user(user=user, pk=deal_id)
    services.deal_act(deal=deal, action=action, by=user, comment=payload.comment, reason_code=payload.reason_code)
    return _detail(deal_id, user)


@router.get("/deal-notices", auth=ApiAuth(optional=True), summary="成交公示列表（公开）")
def notice_list(request, state: str | None = None, q: str | None = None, page: int = 1, page_size: int = 20):
    """`state`：running（公示中）、ended（公示期满待确认）、closed（已成交）、cancelled（已终止）。"""
    qs = selectors.notice_list(state=state, q=q)
    return paginate(request, qs, notice_out, page=page, page_size=page_size)


@router.get("/deal-notices/{int:notice_id}", auth=ApiAuth(optional=True), summary="成交公示详情（公开）")
def notice_detail(request, notice_id: int):
    """公开：成果名称、双方、价格、公示期和异议数量；管辖区域内的管理人员另见异议内容与异议人。"""
    return notice_out(selectors.notice_get(pk=notice_id), caller(request), detail=True)


@router.post("/deal-notices/{int:notice_id}/objections", response={201: dict}, summary="对成交公示提出异议")
def objection_create(request, notice_id: int, payload: ObjectionIn):
    """登录用户在公示期内（可成交时间之前）提出；异议由市科技局处理，处理前不能确认成交。"""
    user = request.auth
    notice = selectors.notice_get(pk=notice_id)
    objection = services.objection_create(notice=notice, by=user, text=payload.text)
    return Status(201, objection_out(objection, user, deal=notice.deal))


@router.post("/deal-notices/{int:notice_id}/objections/{int:objection_id}/actions/{action}",
             summary="处理公示异议（市科技局）")
def objection_action(request, notice_id: int, objection_id: int, action: str, payload: ActionIn):
    """uphold（异议成立，成交终止）或 dismiss（异议不成立）；`comment` 为处理意见，必填。"""
    user = request.auth
    notice = selectors.notice_get(pk=notice_id)
    objection = selectors.objection_get(notice=notice, pk=objection_id)
    if not can_view_deal(user, notice.deal):  # outside the caller's scope: as if it did not exist
        raise Http404
    services.objection_resolve(objection=objection, action=action, by=user, comment=payload.comment)
    objection = selectors.objection_get(notice=notice, pk=objection_id)
    return objection_out(objection, user, deal=notice.deal)
