"""User-dependent reads of the accounts app. Missing and out-of-scope records raise the same Http404."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import APIToken, RegistrationRequest, RegistrationStatus, User
from .permissions import can_manage_users, can_review_registration, can_review_registrations, restrict_to_staff_scope
from .roles import STAFF_ROLES


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# Registration requests ----------------------------------------------------------------------------

def registration_list_for_reviewer(*, user, status: str | None = None, q: str | None = None) -> QuerySet:
    """The reviewer's inbox: requests whose region lies in the reviewer's scope."""
    qs = RegistrationRequest.objects.select_related("region", "existing_organization", "user")
    if not can_review_registrations(user):
        return qs.none()
    qs = restrict_to_staff_scope(qs, user)
    if status:
        qs = qs.filter(status=status)
    if q:
        q = q.strip()
        qs = qs.filter(Q(organization_name__icontains=q) | Q(credit_code__icontains=q.upper())
                       | Q(username__icontains=q) | Q(name__icontains=q))
    return qs


def registration_get_for_reviewer(*, user, pk) -> RegistrationRequest:
    registration = RegistrationRequest.objects.select_related(
        "region", "region__parent", "existing_organization", "existing_organization__region", "user").filter(
        pk=_pk(pk)).first()
    if registration is None or not can_review_registration(user, registration):
        raise Http404
    return registration


def registration_pending_count_for(*, user) -> int:
    return registration_list_for_reviewer(user=user, status=RegistrationStatus.SUBMITTED).count()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def registration_reviewers(registration: RegistrationRequest) -> list[User]:
    """Active staff who may review ``registration`` (region scope and permission), for notifications."""
    candidates = (User.objects.filter(is_active=True, groups__name__in=[r.value for r in STAFF_ROLES],
                                      region__path__in=_ancestor_paths(registration.region.path))
                  .select_related("region").distinct())
    return [u for u in candidates if can_review_registration(u, registration)]


# Users managed by staff ---------------------------------------------------------------------------

def user_list_managed_by(*, user, q: str | None = None, active: bool | None = None,
                         locked: bool | None = None) -> QuerySet:
    """Users whose organization's region or own (staff) region lies in the staff member's scope."""
    from django.utils import timezone

    qs = User.objects.select_related("organization", "organization__region", "region").prefetch_related("groups")
    if not can_manage_users(user):
        return qs.none()
    if not user.is_superuser:
        if user.region is None:
            return qs.none()
        path = user.region.path
        qs = qs.filter(Q(organization__region__path__startswith=path) | Q(region__path__startswith=path))
    if q:
        q = q.strip()
        qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q) | Q(organization__name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if locked is not None:
        now = timezone.now()
        qs = qs.filter(locked_until__gt=now) if locked else qs.exclude(locked_until__gt=now)
    return qs.order_by("username")


def user_get_managed(*, user, pk) -> User:
    target = user_list_managed_by(user=user).filter(pk=_pk(pk)).first()
    if target is None:
        raise Http404
    return target


# API tokens ---------------------------------------------------------------------------------------

def api_token_list_for(*, user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return APIToken.objects.none()
    return APIToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_user(*, user, pk) -> APIToken:
    token = api_token_list_for(user=user).filter(pk=_pk(pk)).first()
    if token is None:
        raise Http404
    return token
