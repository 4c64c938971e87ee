"""REST API of 对接活动: /api/v1/events (SPEC §3 conventions)."""
from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Router, Schema, Status

from techmarket.core.api import ActionIn, ApiAuth, caller, paginate

from . import selectors, services
from .representations import event_out, registration_out

router = Router(tags=["对接活动"])


class EventPatch(Schema):
    """Times ISO 8601 (+08:00); `region` a 6-digit code; `achievements` ids of published achievements."""

    title: str | None = None
    kind: str | None = None
    summary: str | None = None
    description: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    venue: str | None = None
    region: str | None = None
    capacity: int | None = None
    registration_deadline: datetime.datetime | None = None
    achievements: list[int] | None = None


class EventIn(EventPatch):
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str


class RegistrationIn(Schema):
    attendee_name: str = ""
    phone: str
    attendee_count: int = 1
    note: str = ""


def _detail(event_id: int, user) -> dict:
    return event_out(selectors.event_get_for_user(user=user, pk=event_id), user, detail=True)


@router.get("/events", auth=ApiAuth(optional=True), summary="对接活动列表")
def event_list(request, kind: str | None = None, city: str | None = None, when: str | None = None,
               manage: bool = False, status: str | None = None, page: int = 1, page_size: int = 20):
    """公开列表：已发布的活动（`when=upcoming` 未结束，按开始时间；`when=past` 已结束）。`kind`：matchmaking（对接会）、
    roadshow（路演）、express（成果直通车）；`city`：4 位或 6 位区划代码（含下级）。`manage=true`：主办单位和
    管辖区域内科技管理部门可管理的活动（可按 `status` 筛选）。"""
    user = caller(request)
    if manage:
        qs = selectors.event_list_managed(user=user, status=status, kind=kind, city=city)
    else:
        qs = selectors.event_list_public(kind=kind, city=city, when=when)
    return paginate(request, qs, lambda e: event_out(e, user), page=page, page_size=page_size)


@router.post("/events", response={201: dict}, summary="新建对接活动（草稿）")
def event_create(request, payload: EventIn):
    """科技管理部门在管辖区域内组织（主办单位为空，即科技管理部门）；技术转移机构为本单位组织，提交后由所在区域的
    科技管理部门发布。"""
    event = services.event_create(by=request.auth, data=payload.dict(exclude_unset=True))
    return Status(201, _detail(event.pk, request.auth))


@router.get("/events/{int:event_id}", auth=ApiAuth(optional=True), summary="对接活动详情")
def event_detail(request, event_id: int):
    return _detail(event_id, caller(request))


@router.patch("/events/{int:event_id}", summary="修改对接活动")
def event_update(request, event_id: int, payload: EventPatch):
    event = selectors.event_get_for_user(user=request.auth, pk=event_id)
    services.event_update(event=event, by=request.auth, data=payload.dict(exclude_unset=True))
    return _detail(event_id, request.auth)


@router.post("/events/{int:event_id}/actions/{action}", summary="对接活动流程操作")
def event_action(request, event_id: int, action: str, payload: ActionIn):
    """submit、withdraw、return（需填写意见）、publish、cancel（需填写意见，通知已报名用户）。"""
    event = selectors.event_get_for_user(user=request.auth, pk=event_id)
    services.event_act(event=event, action=action, by=request.auth, comment=payload.comment,
                       reason_code=payload.reason_code)
    return _detail(event_id, request.auth)


@router.post("/events/{int:event_id}/registrations", response={201: dict}, summary="报名参加活动")
def registration_create(request, event_id: int, payload: RegistrationIn):
    """名额按参会人数计；已报名、已截止、已开始、名额不足时返回 422。"""
    event = selectors.event_get_for_user(user=request.auth, pk=event_id)
    registration = services.event_register(event=event, by=request.auth, data=payload.dict())
    return Status(201, registration_out(registration, request.auth))


@router.delete("/events/{int:event_id}/registrations/mine", response={204: None}, summary="取消本人报名")
def registration_cancel_mine(request, event_id: int):
    event = selectors.event_get_for_user(user=request.auth, pk=event_id)
    if selectors.my_registration(user=request.auth, event=event) is None:
        raise Http404
    services.event_registration_cancel(event=event, by=request.auth)
    return Status(204, None)


@router.get("/events/{int:event_id}/registrations", summary="报名名单（主办单位、管辖区域内科技管理部门）")
def registration_list(request, event_id: int, page: int = 1, page_size: int = 20):
    """手机号仅对报名人本人和管理员显示原文，其他人（包括主办单位）显示脱敏号码。"""
    user = request.auth
    event = selectors.event_get_for_user(user=user, pk=event_id)
    qs = selectors.event_registrations_for(user=user, event=event)
    return paginate(request, qs, lambda r: registration_out(r, user), page=page, page_size=page_size)
