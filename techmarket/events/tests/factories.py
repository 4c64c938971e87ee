"""Builders for event tests: events are created and moved through the services, as users would."""
from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.events import services


def event_data(**overrides) -> dict:
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    data = {
        "title": "郑州市新材料技术对接会",
        "kind": "matchmaking",
        "summary": "企业需求发布与高校成果推介",
        "description": "议程：签到、致辞、需求发布、分组对接。",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=8),
        "venue": "郑州国际会展中心",
        "region": "410105",
        "capacity": 100,
        "registration_deadline": start - datetime.timedelta(days=1),
    }
    data.update(overrides)
    return data


def event(*, organizer, **overrides):
    return services.event_create(by=organizer, data=event_data(**overrides))


def event_in_state(state: str, *, organizer, publisher, **overrides):
    """An event brought to ``state``: an agency's goes draft → submitted → published; staff publish their own."""
    e = event(organizer=organizer, **overrides)
    if state == "draft":
        return e
    agency_event = e.organizer_organization_id is not None
    if agency_event:
        e = services.event_act(event=e, action="submit", by=organizer)
    if state == "submitted":
        assert agency_event, "only an agency's event is submitted"
        return e
    if state == "cancelled":
        return services.event_act(event=e, action="cancel", by=publisher, comment="场地调整")
    e = services.event_act(event=e, action="publish", by=publisher)
    if state == "published":
        return e
    raise ValueError(state)


def registration_data(**overrides) -> dict:
    data = {"attendee_name": "张明", "phone": "13912345678", "attendee_count": 1, "note": ""}
    data.update(overrides)
    return data


def register(event, user, **overrides):
    return services.event_register(event=event, by=user, data=registration_data(**overrides))
