"""The workflow matrix, generated from TRANSITIONS: every action × source state × role (STYLE §4)."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements import services
from techmarket.achievements.choices import AchievementStatus
from techmarket.achievements.workflows import TRANSITIONS
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import status_history

from . import factories as f

ROLES = ("owner", "other_enterprise", "officer_in", "officer_out", "bureau", "anonymous")
REVIEWERS = {"officer_in", "bureau"}
# Who may take each action on a record they can act on (independent of the policy code under test).
ALLOWED = {
    "submit": {"owner"}, "withdraw": {"owner"}, "resubmit": {"owner"}, "renew": {"owner"},
    "return": REVIEWERS, "reject": REVIEWERS, "approve": REVIEWERS, "publish": REVIEWERS,
    "expire": set(),  # the scheduler only (core.actors.SYSTEM)
    "mark_traded": {"owner", "bureau"}, "archive": {"owner", "bureau"},
}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]
# A published record is renewed without a status change (its dates move; see test_services).
WRONG_STATE = [(action, state) for action, spec in TRANSITIONS.items() for state in AchievementStatus.values
               if state not in spec.sources and (action, state) != ("renew", AchievementStatus.PUBLISHED)]


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


def _act(achievement, action, user):
    kwargs = {"reason_code": "other"} if TRANSITIONS[action].reason_context else {}
    if action == "publish":  # due only once the owner's chosen date has come
        with freeze_time(timezone.now() + datetime.timedelta(days=4)):
            return services.achievement_act(achievement=achievement, action=action, by=user, **kwargs)
    return services.achievement_act(achievement=achievement, action=action, by=user, **kwargs)


@pytest.mark.parametrize(("action", "source", "role"), CASES,
                         ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, roles, owner, officer_in):
    # given
    achievement = f.achievement_in_state(source, owner=owner, reviewer=officer_in)
    history_before = status_history(achievement).count()
    # when / then
    if role in ALLOWED[action]:
        result = _act(achievement, action, roles[role])
        result.refresh_from_db()
        assert status_history(result).filter(action=action).exists()
        expected = TRANSITIONS[action].target
        if action == "approve":
            expected = AchievementStatus.PUBLISHED  # no publish_at: published at once
        assert result.status == expected
    else:
        with pytest.raises((PermissionDenied, ApplicationError)):
            _act(achievement, action, roles[role])
        achievement.refresh_from_db()
        assert achievement.status == source
        assert status_history(achievement).count() == history_before


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, roles, owner, officer_in):
    # given
    achievement = f.achievement_in_state(state, owner=owner, reviewer=officer_in)
    actor = roles[sorted(ALLOWED[action])[0]] if ALLOWED[action] else roles["bureau"]
    history_before = status_history(achievement).count()
    # when / then
    with pytest.raises((ApplicationError, PermissionDenied)):
        services.achievement_act(achievement=achievement, action=action, by=actor, reason_code="other")
    achievement.refresh_from_db()
    assert achievement.status == state
    assert status_history(achievement).count() == history_before
