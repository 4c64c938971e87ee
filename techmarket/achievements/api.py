"""REST API of achievements (科技成果): /api/v1/achievements (SPEC §3 conventions)."""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from techmarket.core.api import ActionIn, ApiAuth, caller, paginate

from . import selectors, services
from .api_common import (
    attachment_download,
    attachment_visible,
    client_ip,
    resolve_organizations,
    resolve_person,
    resolve_region,
    resolve_term,
)
from .representations import achievement_out, attachment_out

router = Router(tags=["科技成果"])


class AchievementIn(Schema):
    title: str
    abstract: str
    keywords: list[str] = []
    tech_field: str
    discipline: str | None = None
    trl: int
    patent_numbers: list[str] = []
    ip_type: str | None = None
    co_owners: list[int] = []
    contact: int | None = None
    transfer_modes: list[str]
    price: str | None = None
    price_min: str | None = None
    price_max: str | None = None
    negotiable: bool = False
    region: str | None = None
    confidential_detail: str = ""
    publish_at: datetime.datetime | None = None


class AchievementPatch(Schema):
    title: str | None = None
    abstract: str | None = None
    keywords: list[str] | None = None
    tech_field: str | None = None
    discipline: str | None = None
    trl: int | None = None
    patent_numbers: list[str] | None = None
    ip_type: str | None = None
    co_owners: list[int] | None = None
    contact: int | None = None
    transfer_modes: list[str] | None = None
    price: str | None = None
    price_min: str | None = None
    price_max: str | None = None
    negotiable: bool | None = None
    region: str | None = None
    confidential_detail: str | None = None
    publish_at: datetime.datetime | None = None


def _data(payload: dict) -> dict:
    """API codes and ids → the records services take."""
    data = dict(payload)
    if "tech_field" in data:
        data["tech_field"] = resolve_term("hitech_domains", data["tech_field"], field="tech_field")
    if "discipline" in data:
        data["discipline"] = resolve_term("gbt13745", data["discipline"], field="discipline")
    if "ip_type" in data:
        data["ip_type"] = resolve_term("ip_type", data["ip_type"], field="ip_type")
    if "region" in data:
        data["region"] = resolve_region(data["region"])
    if "co_owners" in data:
        data["co_owners"] = resolve_organizations(data["co_owners"], field="co_owners")
    if "contact" in data:
        data["contact"] = resolve_person(data["contact"])
    for key in ("title", "abstract", "tech_field", "trl", "transfer_modes", "keywords", "patent_numbers",
                "negotiable", "confidential_detail"):
        if key in data and data[key] is None:
            raise_required(key)
    return data


def raise_required(field: str):
    from techmarket.core.errors import ApplicationError

    raise ApplicationError(_("此字段不能为空"), field=field, code="required")


def _url(attachment) -> str:
    return f"/api/v1/achievements/{attachment.record_id}/attachments/{attachment.pk}"


def _detail(request, achievement, user) -> dict:
    return achievement_out(achievement, user, detail=True, ip=client_ip(request), attachment_url=_url)


def _reload(achievement_id: int, user):
    return selectors.achievement_get_for_user(user=user, pk=achievement_id)


@router.get("/achievements", auth=ApiAuth(optional=True), summary="科技成果列表")
def achievement_list(request, region: str | None = None, field: str | None = None, trl_min: int | None = None,
                     trl_max: int | None = None, price_min: str | None = None, price_max: str | None = None,
                     q: str | None = None, status: str | None = None, mine: bool = False, manage: bool = False,
                     page: int = 1, page_size: int = 20):
    """默认为公开列表（已发布且未过期）。`mine=true`：本单位的成果（可按 `status` 筛选）；
    `manage=true`：审核人员管辖区域内的成果。`region` 与 `field` 含下级；价格为元（字符串）。"""
    user = caller(request)
    qs = selectors.achievement_list(user=user, mine=mine, manage=manage, region=region, field=field,
                                    trl_min=trl_min, trl_max=trl_max, price_min=price_min, price_max=price_max,
                                    q=q, status=status)
    return paginate(request, qs, lambda a: achievement_out(a, user), page=page, page_size=page_size)


@router.post("/achievements", response={201: dict}, summary="新建科技成果（草稿）")
def achievement_create(request, payload: AchievementIn):
    achievement = services.achievement_create(by=request.auth, data=_data(payload.dict()))
    return Status(201, _detail(request, _reload(achievement.pk, request.auth), request.auth))


@router.get("/achievements/{int:achievement_id}", auth=ApiAuth(optional=True), summary="科技成果详情")
def achievement_detail(request, achievement_id: int):
    """公开视图只含摘要；保密信息仅对经批准并签署保密协议的单位、所有者和管理人员显示，每次查看均有记录。"""
    user = caller(request)
    return _detail(request, _reload(achievement_id, user), user)


@router.patch("/achievements/{int:achievement_id}", summary="修改科技成果（草稿或退回修改状态）")
def achievement_update(request, achievement_id: int, payload: AchievementPatch):
    achievement = _reload(achievement_id, request.auth)
    services.achievement_update(achievement=achievement, by=request.auth, data=_data(payload.dict(exclude_unset=True)))
    return _detail(request, _reload(achievement_id, request.auth), request.auth)


@router.post("/achievements/{int:achievement_id}/actions/{action}", summary="科技成果流程操作")
def achievement_action(request, achievement_id: int, action: str, payload: ActionIn):
    """submit、withdraw、resubmit、return、reject、approve、publish、renew、mark_traded、archive；
    退回和不予通过需 `reason_code`（见 /api/v1/reason-codes?context=review_return / review_reject）。"""
    achievement = _reload(achievement_id, request.auth)
    services.achievement_act(achievement=achievement, action=action, by=request.auth, comment=payload.comment,
                             reason_code=payload.reason_code)
    return _detail(request, _reload(achievement_id, request.auth), request.auth)


@router.post("/achievements/{int:achievement_id}/renew", summary="确认续期（有效期自今日起重新计算）")
def achievement_renew(request, achievement_id: int):
    achievement = _reload(achievement_id, request.auth)
    services.achievement_renew(achievement=achievement, by=request.auth)
    return _detail(request, _reload(achievement_id, request.auth), request.auth)


@router.get("/achievements/{int:achievement_id}/attachments", auth=ApiAuth(optional=True), summary="成果附件列表")
def achievement_attachment_list(request, achievement_id: int):
    user = caller(request)
    achievement = _reload(achievement_id, user)
    rows = selectors.achievement_attachments_visible_to(user=user, achievement=achievement)
    return {"items": [attachment_out(a, url=_url(a)) for a in rows]}


@router.post("/achievements/{int:achievement_id}/attachments", response={201: dict}, summary="上传成果附件")
def achievement_attachment_upload(request, achievement_id: int, file: UploadedFile = File(...),
                                  is_confidential: bool = Form(False)):
    """PDF、Word、Excel、PowerPoint、PNG、JPG 或 ZIP，按文件内容校验类型，大小不超过上限。"""
    achievement = _reload(achievement_id, request.auth)
    row = services.achievement_attachment_add(achievement=achievement, upload=file, by=request.auth,
                                              is_confidential=is_confidential)
    return Status(201, attachment_out(row, url=_url(row)))


@router.get("/achievements/{int:achievement_id}/attachments/{int:attachment_id}", auth=ApiAuth(optional=True),
            summary="下载成果附件")
def achievement_attachment_download(request, achievement_id: int, attachment_id: int):
    user = caller(request)
    achievement = _reload(achievement_id, user)
    row = attachment_visible(achievement, attachment_id, user)
    return attachment_download(request, achievement, row, user)


@router.delete("/achievements/{int:achievement_id}/attachments/{int:attachment_id}", response={204: None},
               summary="删除成果附件")
def achievement_attachment_delete(request, achievement_id: int, attachment_id: int):
    achievement = _reload(achievement_id, request.auth)
    row = attachment_visible(achievement, attachment_id, request.auth)
    services.achievement_attachment_delete(attachment=row, by=request.auth)
    return Status(204, None)


