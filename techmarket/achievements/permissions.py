"""Who may do what with an achievement; the workflow policies are registered here (apps.ready).

* owners: the users of the owning organization (co-owners see the public view only);
* reviewers: bureau administrators and district officers whose region holds the achievement's
  region — a district officer approves in its own district (SPEC §1: 初审 by the district);
* the platform (core.actors.SYSTEM) publishes on the chosen date and expires stale records.
"""
from __future__ import annotations

from techmarket.accounts.permissions import is_authenticated
from techmarket.accounts.roles import Role
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import EDITABLE_STATUSES
from .records import can_view, can_view_managed, is_bureau_admin_for, is_due, is_owner, is_reviewer

__all__ = ["can_create_achievement", "can_edit_achievement", "can_view_achievement",
           "can_manage_achievement", "can_renew_achievement", "can_manage_attachments"]

CREATOR_ROLES = (Role.INSTITUTION, Role.ENTERPRISE)


def can_create_achievement(user) -> bool:
    """University / institute and enterprise users publish achievements for their organization."""
    return (is_authenticated(user) and not is_system(user) and user.organization_id is not None
            and any(user.has_role(role) for role in CREATOR_ROLES))


def can_view_achievement(user, achievement) -> bool:
    return can_view(user, achievement)


def can_manage_achievement(user, achievement) -> bool:
    return can_view_managed(user, achievement)


def can_edit_achievement(user, achievement) -> bool:
    """Content edits: owners, while the achievement is a draft or returned for changes."""
    return is_owner(user, achievement) and achievement.status in EDITABLE_STATUSES


def can_renew_achievement(user, achievement) -> bool:
    return is_owner(user, achievement)


def can_manage_attachments(user, achievement) -> bool:
    return can_edit_achievement(user, achievement)


@register_policy(workflows.EDIT)
def _may_edit(user, achievement) -> bool:
    return is_owner(user, achievement)


@register_policy(workflows.REVIEW)
def _may_review(user, achievement) -> bool:
    return is_reviewer(user, achievement)


@register_policy(workflows.PUBLISH)
def _may_publish(user, achievement) -> bool:
    """Only once the chosen date has come: the scheduler, or a reviewer publishing a due record."""
    return is_due(achievement.publish_at) and (is_system(user) or is_reviewer(user, achievement))


@register_policy(workflows.EXPIRE)
def _may_expire(user, achievement) -> bool:
    return is_system(user) and is_due(achievement.expires_at)


@register_policy(workflows.RENEW)
def _may_renew(user, achievement) -> bool:
    return can_renew_achievement(user, achievement)


@register_policy(workflows.ARCHIVE)
def _may_archive(user, achievement) -> bool:
    return is_owner(user, achievement) or is_bureau_admin_for(user, achievement)


@register_policy(workflows.TRADE)
def _may_trade(user, achievement) -> bool:
    return is_system(user) or is_owner(user, achievement) or is_bureau_admin_for(user, achievement)
