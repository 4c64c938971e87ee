"""Account actions: API tokens, role assignment, registration review."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import APIToken, User


def api_token_create(*, user: User, name: str = "", days: int | None = None) -> tuple[APIToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    raw = APIToken.generate_raw()
    token = APIToken.objects.create(
        user=user, name=name, prefix=raw[:10], key_hash=APIToken.hash(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days or settings.TECHMARKET_API_TOKEN_DAYS),
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> User | None:
    if not raw:
        return None
    token = APIToken.objects.select_related("user").filter(key_hash=APIToken.hash(raw)).first()
    if token is None or not token.is_valid:
        return None
    user = token.user
    if not user.is_active or user.is_locked() or (user.is_demo and not settings.TECHMARKET_DEMO):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def api_token_revoke(*, token: APIToken) -> APIToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> None:
    groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
    user.groups.set(groups)
    user._role_names = None
