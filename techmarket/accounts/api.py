"""Accounts API: the caller's own account and API tokens (others' tokens are 404)."""
from __future__ import annotations

from ninja import Router

from techmarket.core.api import caller, iso, paginate

from . import services
from .selectors import api_token_get_for_user, api_token_list_for

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
