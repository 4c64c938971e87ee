"""Who may do what with an event; the workflow policies are registered here (apps.ready).

* staff: bureau administrators and district officers whose region holds the event's region organise,
  edit, publish and cancel events there (the bureau itself is then the organizer);
* agencies: users of a technology-transfer agency (directory OrganizationKind.AGENCY) organise events of
  their own organization; staff in scope publish them once submitted;
* everyone logged in registers for published events; the public sees published events.
"""
from __future__ import annotations

from techmarket.accounts.permissions import is_authenticated, is_region_staff, region_in_staff_scope
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy
from techmarket.directory.choices import OrganizationKind

from . import workflows
from .choices import EventStatus

__all__ = ["can_create_event", "can_manage_event", "can_view_event", "can_edit_event", "is_organizer",
           "is_staff_in_scope", "is_agency_user", "event_edit_refusal"]


def _person(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def is_agency_user(user) -> bool:
    organization = getattr(user, "organization", None) if _person(user) else None
    return organization is not None and organization.kind == OrganizationKind.AGENCY


def is_staff_in_scope(user, event) -> bool:
    return _person(user) and is_region_staff(user) and region_in_staff_scope(user, event.region)


def is_organizer(user, event) -> bool:
    """Users of the organizing organization (agency events); staff-run events have none."""
    return (_person(user) and event.organizer_organization_id is not None
            and user.organization_id == event.organizer_organization_id)


def can_create_event(user) -> bool:
    return _person(user) and (is_region_staff(user) or is_agency_user(user))


def can_manage_event(user, event) -> bool:
    """The managed view (edit, actions, participants): the organizer and staff in scope."""
    return is_organizer(user, event) or is_staff_in_scope(user, event)


def can_view_event(user, event) -> bool:
    if event.status == EventStatus.PUBLISHED or can_manage_event(user, event):
        return True
    return _person(user) and event.registrations.filter(user_id=user.pk).exists()


def can_edit_event(user, event) -> bool:
    """Content edits: the organizer while a draft; staff in scope until it is cancelled or over."""
    if event.status == EventStatus.CANCELLED or event.is_finished:
        return False
    if is_staff_in_scope(user, event):
        return True
    return is_organizer(user, event) and event.status == EventStatus.DRAFT


def event_edit_refusal(user, event) -> str | None:
    """Why ``user`` may not edit ``event`` (Chinese, for the 403), or None when they may."""
    from django.utils.translation import gettext as _

    if can_edit_event(user, event):
        return None
    if is_organizer(user, event) or is_staff_in_scope(user, event):
        return _("当前状态“{s}”的活动不能修改").format(s=event.phase_display)
    return _("只有主办单位和所在区域的科技管理部门可以修改活动")


@register_policy(workflows.SUBMIT)
def _may_submit(user, event) -> bool:
    return is_organizer(user, event)


@register_policy(workflows.PUBLISH)
def _may_publish(user, event) -> bool:
    """Staff in scope; an agency's event only once its organizer submitted it."""
    if not is_staff_in_scope(user, event):
        return False
    return event.organizer_organization_id is None or event.status == EventStatus.SUBMITTED


@register_policy(workflows.CANCEL)
def _may_cancel(user, event) -> bool:
    return (is_organizer(user, event) or is_staff_in_scope(user, event)) and not event.is_finished
