"""Who may do what with a demand; the workflow policies are registered here (apps.ready).

Owners are the users of the owning enterprise; reviewers are bureau administrators and district
officers whose region holds the demand's region (a district officer approves in its district).
"""
from __future__ import annotations

from techmarket.accounts.permissions import is_authenticated
from techmarket.accounts.roles import Role
from techmarket.achievements.records import can_view, can_view_managed, is_bureau_admin_for, is_due, is_owner, is_reviewer
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import EDITABLE_STATUSES


def can_create_demand(user) -> bool:
    """Enterprise users post their enterprise's technical problems."""
    return (is_authenticated(user) and not is_system(user) and user.organization_id is not None
            and user.has_role(Role.ENTERPRISE))


def can_view_demand(user, demand) -> bool:
    return can_view(user, demand)


def can_manage_demand(user, demand) -> bool:
    return can_view_managed(user, demand)


def can_edit_demand(user, demand) -> bool:
    return is_owner(user, demand) and demand.status in EDITABLE_STATUSES


def can_manage_attachments(user, demand) -> bool:
    return can_edit_demand(user, demand)


@register_policy(workflows.EDIT)
def _may_edit(user, demand) -> bool:
    return is_owner(user, demand)


@register_policy(workflows.REVIEW)
def _may_review(user, demand) -> bool:
    return is_reviewer(user, demand)


@register_policy(workflows.PUBLISH)
def _may_publish(user, demand) -> bool:
    return is_due(demand.publish_at) and (is_system(user) or is_reviewer(user, demand))


@register_policy(workflows.EXPIRE)
def _may_expire(user, demand) -> bool:
    return is_system(user) and is_due(demand.expires_at)


@register_policy(workflows.RENEW)
def _may_renew(user, demand) -> bool:
    return is_owner(user, demand)


@register_policy(workflows.ARCHIVE)
def _may_archive(user, demand) -> bool:
    return is_owner(user, demand) or is_bureau_admin_for(user, demand)
