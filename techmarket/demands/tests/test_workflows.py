"""The demand workflow matrix, generated from TRANSITIONS: every action × source state × role."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import status_history
from techmarket.demands import services
from techmarket.demands.choices import DemandStatus
from techmarket.demands.workflows import TRANSITIONS

from . import factories as f

ROLES = ("owner", "other_enterprise", "officer_in", "officer_out", "bureau", "anonymous")
REVIEWERS = {"officer_in", "bureau"}
ALLOWED = {
    "submit": {"owner"}, "withdraw": {"owner"}, "resubmit": {"owner"}, "renew": {"owner"},
    "return": REVIEWERS, "reject": REVIEWERS, "approve": REVIEWERS, "publish": REVIEWERS,
    "expire": set(), "archive": {"owner", "bureau"},
}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]
WRONG_STATE = [(action, state) for action, spec in TRANSITIONS.items() for state in DemandStatus.values
               if state not in spec.sources and (action, state) != ("renew", DemandStatus.PUBLISHED)]


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


def _act(demand, action, user):
    kwargs = {"reason_code": "other"} if TRANSITIONS[action].reason_context else {}
    if action == "publish":
        with freeze_time(timezone.now() + datetime.timedelta(days=4)):
            return services.demand_act(demand=demand, action=action, by=user, **kwargs)
    return services.demand_act(demand=demand, action=action, by=user, **kwargs)


@pytest.mark.parametrize(("action", "source", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, roles, owner, officer_in):
    # given
    demand = f.demand_in_state(source, owner=owner, reviewer=officer_in)
    history_before = status_history(demand).count()
    # when / then
    if role in ALLOWED[action]:
        result = _act(demand, action, roles[role])
        result.refresh_from_db()
        assert status_history(result).filter(action=action).exists()
        expected = DemandStatus.PUBLISHED if action == "approve" else TRANSITIONS[action].target
        assert result.status == expected
    else:
        with pytest.raises((PermissionDenied, ApplicationError)):
            _act(demand, action, roles[role])
        demand.refresh_from_db()
        assert demand.status == source
        assert status_history(demand).count() == history_before


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, roles, owner, officer_in):
    demand = f.demand_in_state(state, owner=owner, reviewer=officer_in)
    actor = roles[sorted(ALLOWED[action])[0]] if ALLOWED[action] else roles["bureau"]
    with pytest.raises((ApplicationError, PermissionDenied)):
        services.demand_act(demand=demand, action=action, by=actor, reason_code="other")
    demand.refresh_from_db()
    assert demand.status == state
