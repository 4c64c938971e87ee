"""Accounts API: the caller's own account and API tokens (others' tokens are 404)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from techmarket.core.api import ActionIn, caller, iso, paginate, workflow_fields
from techmarket.core.errors import ApplicationError
from techmarket.core.masking import mask

from . import services
from .permissions import can_see_personal_data
from .selectors import (
    api_token_get_for_user,
    api_token_list_for,
    registration_get_for_reviewer,
    registration_list_for_reviewer,
)

router = Router(tags=["accounts"])


def _me(user) -> dict:
    org = user.organization
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "roles": sorted(user.role_names),
        "role_labels": user.role_labels,
        "is_superuser": user.is_superuser,
        "organization": {"id": org.pk, "name": org.name, "credit_code": org.credit_code} if org else None,
        "region": user.region.code if user.region_id else None,
    }


def _token(token) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
        "is_valid": token.is_valid,
    }


@router.get("/me", summary="当前账号：用户名、姓名、角色、所属单位、区域")
def me(request):
    return _me(caller(request))


@router.get("/api-tokens", summary="我的 API 令牌（不含令牌值）")
def api_token_list(request, page: int = 1, page_size: int = 20):
    return paginate(request, api_token_list_for(user=caller(request)), _token, page=page, page_size=page_size)


@router.delete("/api-tokens/{token_id}", summary="吊销我的一个 API 令牌")
def api_token_revoke(request, token_id: int):
    user = caller(request)
    token = api_token_get_for_user(user=user, pk=token_id)
    return _token(services.api_token_revoke(token=token, by=user))


# Registration requests: the reviewer's inbox, on the shared workflow conventions ------------------

def _registration(reg, user) -> dict:
    clear = can_see_personal_data(user, region=reg.region)
    return {
        "id": reg.pk,
        "kind": reg.kind,
        "kind_display": reg.get_kind_display(),
        "username": reg.username,
        "name": reg.name,
        "phone": reg.phone if clear else mask("phone", reg.phone),
        "email": reg.email if clear else mask("email", reg.email),
        "organization_name": reg.organization_name,
        "credit_code": reg.credit_code,
        "organization_kind": reg.organization_kind,
        "region": reg.region.code,
        "existing_organization": ({"id": reg.existing_organization_id, "name": reg.existing_organization.name}
                                  if reg.existing_organization_id else None),
        "has_authorization_letter": bool(reg.authorization_letter),
        "created_at": iso(reg.created_at),
        **workflow_fields(reg, user),
    }


@router.get("/registrations", summary="注册申请（审核人辖区内；?status=submitted|approved|rejected）")
def registration_list(request, status: str | None = None, q: str | None = None, page: int = 1,
                      page_size: int = 20):
    user = caller(request)
    qs = registration_list_for_reviewer(user=user, status=status, q=q)
    return paginate(request, qs, lambda r: _registration(r, user), page=page, page_size=page_size)


@router.get("/registrations/{int:registration_id}", summary="注册申请详情")
def registration_detail(request, registration_id: int):
    user = caller(request)
    return _registration(registration_get_for_reviewer(user=user, pk=registration_id), user)


@router.post("/registrations/{int:registration_id}/actions/{action}",
             summary="审核注册申请：approve，或 reject（需 reason_code）")
def registration_act(request, registration_id: int, action: str, payload: ActionIn):
    user = caller(request)
    reg = registration_get_for_reviewer(user=user, pk=registration_id)
    if action == "approve":
        services.registration_approve(request=reg, by=user, comment=payload.comment)
    elif action == "reject":
        services.registration_reject(request=reg, by=user, reason_code=payload.reason_code,
                                     comment=payload.comment)
    else:
        raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
    return _registration(registration_get_for_reviewer(user=user, pk=registration_id), user)
