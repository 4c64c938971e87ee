"""REST API of 科研诚信记录: /api/v1/integrity-records (SPEC I1, §3 conventions).

* ``GET /integrity-records?q=`` is public: anonymous callers and users who are not region staff get the
  public query (published records in effect or expired); bureau administrators and district officers get
  the managed list of their region subtree (every state, filters ``record_type``, ``state``, ``published``).
* ``POST`` / ``PATCH`` / ``POST …/{id}/revoke``: bureau administrators of the record's region.
* ``GET /integrity-records/export.xlsx``: the same list as a workbook (``managed=true`` for staff).
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError

from techmarket.accounts.permissions import is_authenticated
from techmarket.core.api import ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError

from . import permissions, selectors, services
from .representations import record_managed_out, record_public_out
from .views import export_response

router = Router(tags=["科研诚信"])
public = ApiAuth(optional=True)


class RecordPatch(Schema):
    """`subject_kind`: organization | person; `record_type`: see the choices in docs/api/integrity.md;
    `organization`/`person`: registry ids (optional: a unit is also linked by its credit code);
    `region`: 6-digit code or name (defaults to the subject's region); dates YYYY-MM-DD."""

    subject_kind: str | None = None
    organization: int | None = None
    person: int | None = None
    subject_name: str | None = None
    subject_credit_code: str | None = None
    record_type: str | None = None
    facts: str | None = None
    source_document: str | None = None
    source_authority: str | None = None
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None
    is_published: bool | None = None
    region: str | None = None
    note: str | None = None


class RecordIn(RecordPatch):
    subject_kind: str
    record_type: str
    facts: str
    source_document: str
    source_authority: str
    effective_from: datetime.date


class RevokeIn(Schema):
    reason: str
    revoked_on: datetime.date | None = None


def _managed_detail(record_id: int, user) -> dict:
    record = selectors.integrity_record_get_for_user(user=user, pk=record_id)
    return record_managed_out(record, on=timezone.localdate(), user=user)


def _published(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ApplicationError(_("published 应为 true 或 false"), field="published", code="invalid")


def _state(value: str | None) -> str:
    if value and value not in selectors.RecordState.LABELS:
        raise ApplicationError(_("状态取值无效：{s}（可选 active、pending、expired、revoked）").format(s=value),
                               field="state", code="invalid_choice")
    return value or ""


@router.get("/integrity-records", auth=public, summary="科研诚信记录查询（公众：公开记录；管理人员：管辖范围内的记录）")
def record_list(request, q: str = "", record_type: str = "", state: str = "", published: str | None = None,
                page: int = 1, page_size: int = 20):
    """按主体名称或统一社会信用代码查询。公众只能查到已公开、已生效（含已失效）且未撤销的记录；
    市科技局管理员和县区科技管理部门得到管辖范围内的全部记录，可按 `record_type`、`state`
    （active/pending/expired/revoked）、`published` 筛选。"""
    user = caller(request)
    today = timezone.localdate()
    if permissions.can_view_managed(user):
        qs = selectors.integrity_records_managed(user, q=q, record_type=record_type, state=_state(state),
                                                 published=_published(published), on=today)
        return paginate(request, qs, lambda r: record_managed_out(r, on=today, user=user), page=page,
                        page_size=page_size)
    qs = selectors.integrity_public_records(q=q, on=today)
    return paginate(request, qs, lambda r: record_public_out(r, on=today), page=page, page_size=page_size)


@router.get("/integrity-records/export.xlsx", auth=public, summary="导出科研诚信记录为 .xlsx（筛选条件同列表）")
def record_export(request, q: str = "", record_type: str = "", state: str = "", published: str | None = None,
                  managed: bool = False):
    user = caller(request)
    if managed and not is_authenticated(user):
        raise AuthenticationError()
    return export_response(user, managed=managed, params=request.GET)


@router.get("/integrity-records/{int:record_id}", auth=public, summary="科研诚信记录详情")
def record_detail(request, record_id: int):
    user = caller(request)
    today = timezone.localdate()
    if permissions.can_view_managed(user):
        return _managed_detail(record_id, user)
    return record_public_out(selectors.integrity_public_record_get(pk=record_id, on=today), on=today)


@router.post("/integrity-records", response={201: dict}, summary="登记科研诚信记录（市科技局管理员）")
def record_create(request, payload: RecordIn):
    record = services.integrity_record_create(by=request.auth, data=payload.dict(exclude_unset=True))
    return Status(201, _managed_detail(record.pk, request.auth))


@router.patch("/integrity-records/{int:record_id}", summary="修改科研诚信记录（记录所在地区的市科技局管理员）")
def record_update(request, record_id: int, payload: RecordPatch):
    record = selectors.integrity_record_get_for_user(user=request.auth, pk=record_id)
    services.integrity_record_update(record=record, by=request.auth, data=payload.dict(exclude_unset=True))
    return _managed_detail(record_id, request.auth)


@router.post("/integrity-records/{int:record_id}/revoke", summary="撤销科研诚信记录（复核撤销或信用修复）")
def record_revoke(request, record_id: int, payload: RevokeIn):
    record = selectors.integrity_record_get_for_user(user=request.auth, pk=record_id)
    services.integrity_record_revoke(record=record, by=request.auth, reason=payload.reason,
                                     revoked_on=payload.revoked_on)
    return _managed_detail(record_id, request.auth)
