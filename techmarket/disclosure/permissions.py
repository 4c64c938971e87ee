"""Decisions on confidential disclosure; the workflow policies are registered here.

* approve / reject / revoke: the record's owners (protocols.owner_user_ids);
* accept_terms / withdraw: the user who made the request;
* the confidential detail: owners, superusers and bureau administrators whose
  region holds the record, and the members of an organization holding an active
  (terms accepted) request — or the requester in person when they have no organization.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from techmarket.accounts.permissions import is_authenticated, region_in_staff_scope
from techmarket.accounts.roles import Role
from techmarket.core.workflows import register_policy

from . import protocols, workflows
from .choices import DisclosureStatus
from .models import DisclosureRequest


def is_record_owner(user, record) -> bool:
    return record is not None and protocols.is_owner(user, record)


def is_admin_for_record(user, record) -> bool:
    if not is_authenticated(user):
        return False
    if user.is_superuser:
        return True
    return user.has_role(Role.BUREAU_ADMIN) and region_in_staff_scope(user, protocols.record_region(record))


def active_grant_for(user, record) -> DisclosureRequest | None:
    """The active request under which ``user`` may see ``record``'s confidential detail."""
    if not is_authenticated(user) or record is None:
        return None
    qs = DisclosureRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=str(record.pk), status=DisclosureStatus.ACTIVE)
    if user.organization_id:
        qs = qs.filter(requester_organization_id=user.organization_id)
    else:
        qs = qs.filter(requester=user, requester_organization__isnull=True)
    return qs.order_by("-accepted_at", "-pk").first()


def can_view_confidential(user, record) -> bool:
    if not is_authenticated(user) or record is None:
        return False
    return (is_record_owner(user, record) or is_admin_for_record(user, record)
            or active_grant_for(user, record) is not None or protocols.viewer_allowed(user, record))


def is_requester_side(user, request: DisclosureRequest) -> bool:
    if not is_authenticated(user):
        return False
    if request.requester_id == user.pk:
        return True
    return request.requester_organization_id is not None and user.organization_id == request.requester_organization_id


def can_see_request(user, request: DisclosureRequest) -> bool:
    if not is_authenticated(user):
        return False
    if is_requester_side(user, request):
        return True
    record = request.record
    return is_record_owner(user, record) or (record is not None and is_admin_for_record(user, record))


def can_view_accesses(user, request: DisclosureRequest) -> bool:
    """The access log of a request is shown to the record's owners."""
    return is_record_owner(user, request.record)


def can_request_disclosure(user, record) -> bool:
    return is_authenticated(user) and not is_record_owner(user, record)


@register_policy(workflows.DECIDE)
def _may_decide(user, request: DisclosureRequest) -> bool:
    return is_record_owner(user, request.record)


@register_policy(workflows.REVOKE)
def _may_revoke(user, request: DisclosureRequest) -> bool:
    return is_record_owner(user, request.record)


@register_policy(workflows.ACCEPT_TERMS)
def _may_accept_terms(user, request: DisclosureRequest) -> bool:
    return request.requester_id == user.pk


@register_policy(workflows.WITHDRAW)
def _may_withdraw(user, request: DisclosureRequest) -> bool:
    return request.requester_id == user.pk
