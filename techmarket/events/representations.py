"""JSON shapes of events and registrations (SPEC §3). Phones are personal data: masked for everyone but
the registrant and administrators (accounts.permissions.can_see_personal_data)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from techmarket.accounts.permissions import can_see_personal_data
from techmarket.core.api import iso, workflow_fields
from techmarket.core.masking import mask, mask_text

from . import selectors
from .permissions import can_edit_event, can_manage_event


def organizer_name(event) -> str:
    if event.organizer_organization_id:
        return event.organizer_organization.name
    creator = event.created_by
    if creator is not None and creator.organization_id:
        return creator.organization.name
    return str(_("科技管理部门"))


def showcased(event, *, public_only: bool = True) -> list:
    rows = event.achievements.select_related("owner_organization").order_by("pk")
    return [a for a in rows if a.is_public or not public_only]


def event_out(event, user, *, detail: bool = False) -> dict:
    from .services import registered_count

    taken = registered_count(event)
    mine = selectors.my_registration(user=user, event=event)
    data = {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "kind_display": event.get_kind_display(),
        "summary": event.summary,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "registration_deadline": iso(event.registration_deadline),
        "venue": event.venue,
        "region": {"code": event.region.code, "name": event.region.full_name},
        "organizer": {"id": event.organizer_organization_id, "name": organizer_name(event)},
        "capacity": event.capacity,
        "registered_count": taken,
        "places_left": None if event.capacity is None else max(event.capacity - taken, 0),
        "registration_open": selectors.registration_open(event),
        "is_finished": event.is_finished,
        "phase_display": event.phase_display,
        "published_at": iso(event.published_at),
        "my_registration": None if mine is None else registration_out(mine, user),
        **workflow_fields(event, user),
    }
    managed = can_manage_event(user, event)
    data["managed"] = managed
    data["can_edit"] = can_edit_event(user, event)
    if detail:
        data["description"] = event.description
        data["achievements"] = [{"id": a.pk, "title": a.title, "owner_organization": a.owner_organization.name}
                                for a in showcased(event, public_only=not managed)]
    return data


def registration_out(registration, viewer) -> dict:
    """The registrant and administrators see the phone; everyone else (organizers too) a masked one."""
    clear = can_see_personal_data(viewer, owner_user_id=registration.user_id, region=registration.event.region)
    return {
        "id": registration.pk,
        "event": registration.event_id,
        "attendee_name": registration.attendee_name,
        "organization": None if registration.organization_id is None else {
            "id": registration.organization_id, "name": registration.organization.name},
        "phone": registration.phone if clear else mask("phone", registration.phone),
        "attendee_count": registration.attendee_count,
        "note": registration.note if clear else mask_text(registration.note),
        "status": registration.status,
        "status_display": registration.get_status_display(),
        "created_at": iso(registration.created_at),
        "cancelled_at": iso(registration.cancelled_at),
    }
