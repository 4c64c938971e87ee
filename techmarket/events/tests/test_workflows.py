"""The event workflow matrix generated from TRANSITIONS: every action × source state × role, for an
agency's event (submitted for staff publication) and for a staff-run event."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import available_actions, status_history
from techmarket.events import services
from techmarket.events.choices import EventStatus
from techmarket.events.workflows import TRANSITIONS

from . import factories as f

ROLES = ("agency", "other_agency", "enterprise", "officer_in", "officer_out", "bureau", "anonymous")
STAFF_IN = {"officer_in", "bureau"}
# An agency's event (organised by ``agency``, in 金水区): who may take each action from each state.
AGENCY_EVENT_ALLOWED = {
    ("submit", "draft"): {"agency"},
    ("withdraw", "submitted"): {"agency"},
    ("return", "submitted"): STAFF_IN,
    ("publish", "draft"): set(),          # staff publish an agency's event only once it is submitted
    ("publish", "submitted"): STAFF_IN,
    ("cancel", "draft"): {"agency"} | STAFF_IN,
    ("cancel", "submitted"): {"agency"} | STAFF_IN,
    ("cancel", "published"): {"agency"} | STAFF_IN,
}
# A staff-run event (organised by the 金水区 office): no organizer organization, nobody submits.
STAFF_EVENT_ALLOWED = {
    ("submit", "draft"): set(),
    ("publish", "draft"): STAFF_IN,
    ("cancel", "draft"): STAFF_IN,
    ("cancel", "published"): STAFF_IN,
}
AGENCY_CASES = [(a, s, r) for a, spec in TRANSITIONS.items() for s in sorted(spec.sources) for r in ROLES]
STAFF_CASES = [(a, s, r) for (a, s) in STAFF_EVENT_ALLOWED for r in ROLES]
WRONG_STATE = [(a, s) for a, spec in TRANSITIONS.items() for s in EventStatus.values if s not in spec.sources]


def test_expectations_cover_every_action_and_source():
    assert set(AGENCY_EVENT_ALLOWED) == {(a, s) for a, spec in TRANSITIONS.items() for s in spec.sources}


def _check(event, action, source, role, allowed, roles):
    before = status_history(event).count()
    user = roles[role]
    if role in allowed:
        assert action in available_actions(event, user)
        result = services.event_act(event=event, action=action, by=user, comment="说明")
        assert result.status == TRANSITIONS[action].target
        assert status_history(result).filter(action=action).count() == 1
    else:
        assert action not in available_actions(event, user)
        with pytest.raises(PermissionDenied):
            services.event_act(event=event, action=action, by=user, comment="说明")
        event.refresh_from_db()
        assert event.status == source and status_history(event).count() == before


@pytest.mark.parametrize(("action", "source", "role"), AGENCY_CASES, ids=[f"{a}-{s}-{r}" for a, s, r in AGENCY_CASES])
def test_agency_event_action_by_role(action, source, role, roles, agency, officer_in):
    event = f.event_in_state(source, organizer=agency, publisher=officer_in)
    _check(event, action, source, role, AGENCY_EVENT_ALLOWED[(action, source)], roles)


@pytest.mark.parametrize(("action", "source", "role"), STAFF_CASES, ids=[f"{a}-{s}-{r}" for a, s, r in STAFF_CASES])
def test_staff_event_action_by_role(action, source, role, roles, officer_in):
    event = f.event_in_state(source, organizer=officer_in, publisher=officer_in)
    _check(event, action, source, role, STAFF_EVENT_ALLOWED[(action, source)], roles)


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, agency, officer_in):
    event = f.event_in_state(state, organizer=agency, publisher=officer_in)
    actor = agency if action in ("submit", "withdraw") else officer_in
    with pytest.raises(ApplicationError) as exc:
        services.event_act(event=event, action=action, by=actor, comment="说明")
    assert exc.value.errors[0].code == "invalid_state"


class TestFinishedEvents:
    def test_a_finished_event_cannot_be_cancelled(self, published, officer_in):
        with freeze_time(timezone.now() + datetime.timedelta(days=30)):
            assert published.is_finished and published.phase_display == "已结束"
            assert "cancel" not in available_actions(published, officer_in)
            with pytest.raises(PermissionDenied):
                services.event_act(event=published, action="cancel", by=officer_in, comment="晚了")

    def test_an_event_already_over_cannot_be_published(self, officer_in):
        event = f.event(organizer=officer_in)
        with freeze_time(timezone.now() + datetime.timedelta(days=30)):
            with pytest.raises(ApplicationError) as exc:
                services.event_act(event=event, action="publish", by=officer_in)
        assert exc.value.errors[0].message == "活动已结束，不能发布"
