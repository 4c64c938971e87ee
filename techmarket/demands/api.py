"""REST API of technology demands (技术需求): /api/v1/demands (SPEC §3 conventions)."""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from techmarket.achievements.api_common import (
    attachment_download,
    attachment_visible,
    client_ip,
    resolve_person,
    resolve_region,
    resolve_term,
)
from techmarket.achievements.representations import attachment_out
from techmarket.core.api import ActionIn, ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError

from . import selectors, services
from .representations import demand_out

router = Router(tags=["技术需求"])


class DemandIn(Schema):
    title: str
    description: str
    keywords: list[str] = []
    tech_field: str
    budget_min: str | None = None
    budget_max: str | None = None
    deadline: datetime.date | None = None
    region: str | None = None
    contact: int | None = None
    confidential_detail: str = ""
    publish_at: datetime.datetime | None = None


class DemandPatch(Schema):
    title: str | None = None
    description: str | None = None
    keywords: list[str] | None = None
    tech_field: str | None = None
    budget_min: str | None = None
    budget_max: str | None = None
    deadline: datetime.date | None = None
    region: str | None = None
    contact: int | None = None
    confidential_detail: str | None = None
    publish_at: datetime.datetime | None = None


def _data(payload: dict) -> dict:
    data = dict(payload)
    if "tech_field" in data:
        data["tech_field"] = resolve_term("hitech_domains", data["tech_field"], field="tech_field")
    if "region" in data:
        data["region"] = resolve_region(data["region"])
    if "contact" in data:
        data["contact"] = resolve_person(data["contact"])
    for key in ("title", "description", "tech_field", "keywords", "confidential_detail"):
        if key in data and data[key] is None:
            raise ApplicationError(_("此字段不能为空"), field=key, code="required")
    return data


def _url(attachment) -> str:
    return f"/api/v1/demands/{attachment.record_id}/attachments/{attachment.pk}"


def _detail(request, demand, user) -> dict:
    return demand_out(demand, user, detail=True, ip=client_ip(request), attachment_url=_url)


def _reload(demand_id: int, user):
    return selectors.demand_get_for_user(user=user, pk=demand_id)


@router.get("/demands", auth=ApiAuth(optional=True), summary="技术需求列表")
def demand_list(request, region: str | None = None, field: str | None = None, budget_min: str | None = None,
                budget_max: str | None = None, q: str | None = None, status: str | None = None, mine: bool = False,
                manage: bool = False, page: int = 1, page_size: int = 20):
    """默认为公开列表（已发布且未过期）。`mine=true`：本单位的需求；`manage=true`：审核人员管辖区域内的需求。"""
    user = caller(request)
    qs = selectors.demand_list(user=user, mine=mine, manage=manage, region=region, field=field,
                               budget_min=budget_min, budget_max=budget_max, q=q, status=status)
    return paginate(request, qs, lambda d: demand_out(d, user), page=page, page_size=page_size)


@router.post("/demands", response={201: dict}, summary="新建技术需求（草稿）")
def demand_create(request, payload: DemandIn):
    demand = services.demand_create(by=request.auth, data=_data(payload.dict()))
    return Status(201, _detail(request, _reload(demand.pk, request.auth), request.auth))


@router.get("/demands/{int:demand_id}", auth=ApiAuth(optional=True), summary="技术需求详情")
def demand_detail(request, demand_id: int):
    user = caller(request)
    return _detail(request, _reload(demand_id, user), user)


@router.patch("/demands/{int:demand_id}", summary="修改技术需求（草稿或退回修改状态）")
def demand_update(request, demand_id: int, payload: DemandPatch):
    demand = _reload(demand_id, request.auth)
    services.demand_update(demand=demand, by=request.auth, data=_data(payload.dict(exclude_unset=True)))
    return _detail(request, _reload(demand_id, request.auth), request.auth)


@router.post("/demands/{int:demand_id}/actions/{action}", summary="技术需求流程操作")
def demand_action(request, demand_id: int, action: str, payload: ActionIn):
    """submit、withdraw、resubmit、return、reject、approve、publish、renew、archive。"""
    demand = _reload(demand_id, request.auth)
    services.demand_act(demand=demand, action=action, by=request.auth, comment=payload.comment,
                        reason_code=payload.reason_code)
    return _detail(request, _reload(demand_id, request.auth), request.auth)


@router.post("/demands/{int:demand_id}/renew", summary="确认续期（有效期自今日起重新计算）")
def demand_renew(request, demand_id: int):
    demand = _reload(demand_id, request.auth)
    services.demand_renew(demand=demand, by=request.auth)
    return _detail(request, _reload(demand_id, request.auth), request.auth)


@router.get("/demands/{int:demand_id}/attachments", auth=ApiAuth(optional=True), summary="需求附件列表")
def demand_attachment_list(request, demand_id: int):
    user = caller(request)
    demand = _reload(demand_id, user)
    return {"items": [attachment_out(a, url=_url(a))
                      for a in selectors.demand_attachments_visible_to(user=user, demand=demand)]}


@router.post("/demands/{int:demand_id}/attachments", response={201: dict}, summary="上传需求附件")
def demand_attachment_upload(request, demand_id: int, file: UploadedFile = File(...),
                             is_confidential: bool = Form(False)):
    demand = _reload(demand_id, request.auth)
    row = services.demand_attachment_add(demand=demand, upload=file, by=request.auth,
                                         is_confidential=is_confidential)
    return Status(201, attachment_out(row, url=_url(row)))


@router.get("/demands/{int:demand_id}/attachments/{int:attachment_id}", auth=ApiAuth(optional=True),
            summary="下载需求附件")
def demand_attachment_download(request, demand_id: int, attachment_id: int):
    user = caller(request)
    demand = _reload(demand_id, user)
    row = attachment_visible(demand, attachment_id, user)
    return attachment_download(request, demand, row, user)


@router.delete("/demands/{int:demand_id}/attachments/{int:attachment_id}", response={204: None},
               summary="删除需求附件")
def demand_attachment_delete(request, demand_id: int, attachment_id: int):
    demand = _reload(demand_id, request.auth)
    row = attachment_visible(demand, attachment_id, request.auth)
    services.demand_attachment_delete(attachment=row, by=request.auth)
    return Status(204, None)
