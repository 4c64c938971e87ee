"""Confidential disclosure requests (SPEC §2 B3) under /api/v1/disclosures."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from techmarket.core.api import ActionIn, caller, iso, paginate
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import available_actions, status_history

from .choices import DisclosureStatus
from .models import DisclosureAccess, DisclosureRequest
from .permissions import can_view_accesses, is_record_owner
from .selectors import (
    disclosure_accesses_for_request,
    disclosure_request_get_for_user,
    disclosure_requests_visible_to,
)
from .services import disclosure_action, disclosure_record_resolve, disclosure_request

router = Router(tags=["保密信息披露"])


class DisclosureRequestIn(Schema):
    record_type: str
    record_id: int | str
    message: str = ""


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _history(req: DisclosureRequest) -> list[dict]:
    from techmarket.feedback.services import reason_label

    rows = []
    for change in status_history(req):
        reason_context = getattr(req.TRANSITIONS.get(change.action), "reason_context", None)
        rows.append({
            "action": change.action,
            "action_label": change.action_label,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "actor": change.actor.display_name if change.actor_id else None,
            "comment": change.comment,
            "reason_code": change.reason_code or None,
            "reason_label": reason_label(reason_context, change.reason_code) or None,
            "created_at": iso(change.created_at),
        })
    return rows


def request_out(req: DisclosureRequest, user, *, detail: bool = False) -> dict:
    actions = available_actions(req, user)
    out = {
        "id": req.pk,
        "record": {"type": req.record_type, "id": req.object_id, "title": req.record_repr},
        "requester": {"id": req.requester_id, "name": req.requester.display_name},
        "requester_organization": ({"id": req.requester_organization_id, "name": req.requester_organization.name}
                                   if req.requester_organization_id else None),
        "message": req.message,
        "status": req.status,
        "status_display": req.get_status_display(),
        "available_actions": actions,
        "terms": ({"id": req.terms_id, "title": req.terms.title, "version": req.terms.version}
                  if req.terms_id else None),
        "accepted_at": iso(req.accepted_at),
        "created_at": iso(req.created_at),
        "updated_at": iso(req.updated_at),
    }
    if detail:
        spec = req.TRANSITIONS
        out["actions"] = [{"name": a, "label": str(spec[a].label), "reason_context": spec[a].reason_context,
                           "comment_required": spec[a].comment_required} for a in actions]
        if req.terms_id:
            out["terms"]["body"] = req.terms.body
        out["is_owner"] = is_record_owner(user, req.record)
        out["history"] = _history(req)
    return out


def access_out(access: DisclosureAccess) -> dict:
    return {
        "id": access.pk,
        "user": {"id": access.user_id, "name": access.user.display_name},
        "organization": ({"id": access.organization_id, "name": access.organization.name}
                         if access.organization_id else None),
        "accessed_at": iso(access.accessed_at),
        "ip": access.ip,
        "what": access.what,
    }


@router.post("/disclosures", response={201: dict}, summary="申请查看记录的保密信息（record_type 如 directory.organization）")
def disclosure_create(request, payload: DisclosureRequestIn):
    user = caller(request)
    record = disclosure_record_resolve(record_type=payload.record_type, record_id=payload.record_id)
    req = disclosure_request(record=record, by=user, message=payload.message)
    req = disclosure_request_get_for_user(user=user, pk=req.pk)
    return Status(201, request_out(req, user, detail=True))


@router.get("/disclosures", summary="我的申请和向我提出的申请（?box=sent|received，?status=）")
def disclosure_list(request, box: str | None = None, status: str | None = None, page: int = 1,
                    page_size: int = 20):
    if box not in (None, "", "sent", "received"):
        raise ApplicationError(_("box 只能是 sent 或 received"), field="box", code="invalid_choice")
    if status and status not in DisclosureStatus.values:
        raise ApplicationError(_("不是允许的状态"), field="status", code="invalid_choice")
    user = caller(request)
    qs = disclosure_requests_visible_to(user, box=box or None, status=status or None)
    return paginate(request, qs, lambda r: request_out(r, user), page=page, page_size=page_size)


@router.get("/disclosures/{request_id}", summary="申请详情（含状态、可执行操作和历史）")
def disclosure_detail(request, request_id: int):
    user = caller(request)
    return request_out(disclosure_request_get_for_user(user=user, pk=request_id), user, detail=True)


@router.post("/disclosures/{request_id}/actions/{action}",
             summary="执行操作：approve、reject（需 reason_code）、accept_terms、withdraw、revoke")
def disclosure_act(request, request_id: int, action: str, payload: ActionIn):
    user = caller(request)
    req = disclosure_request_get_for_user(user=user, pk=request_id)
    disclosure_action(request=req, action=action, by=user, comment=payload.comment,
                      reason_code=payload.reason_code, ip=client_ip(request))
    return request_out(disclosure_request_get_for_user(user=user, pk=request_id), user, detail=True)


@router.get("/disclosures/{request_id}/accesses", summary="依据该申请查看保密信息的记录（仅记录所有者）")
def disclosure_access_list(request, request_id: int, page: int = 1, page_size: int = 20):
    user = caller(request)
    req = disclosure_request_get_for_user(user=user, pk=request_id)
    if not can_view_accesses(user, req):
        raise PermissionDenied(_("只有记录所有者可以查看访问记录"))
    return paginate(request, disclosure_accesses_for_request(req), access_out, page=page, page_size=page_size)
