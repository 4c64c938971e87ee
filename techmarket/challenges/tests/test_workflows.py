"""The workflow matrices of collection rounds, pool entries, challenges (up to the close of applications) and
applications: every action × source state × role, generated from the TRANSITIONS tables.

Each case builds one record in the source state; every role not allowed must get PermissionDenied and leave it
as it was; each allowed role acts inside a savepoint (rolled back afterwards) and must move it to the target
with a history row. Actions from a state outside their sources are refused as ``invalid_state``. The panel's,
the award's and delivery's actions are in test_review.py / test_delivery.py.
"""
from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from techmarket.challenges import services
from techmarket.challenges.choices import ApplicationStatus, ChallengeStatus, PoolEntryStatus, RoundStatus
from techmarket.challenges.workflows import (
    APPLICATION_TRANSITIONS,
    POOL_TRANSITIONS,
    ROUND_TRANSITIONS,
    TRANSITIONS,
)
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import status_history

from . import factories as f

ROLES = ("setter", "other_enterprise", "officer_in", "officer_out", "bureau", "bureau_other", "institution",
         "expert", "anonymous")
STAFF_IN = {"officer_in", "bureau"}
CITY = {"bureau"}

# --- what each role may do ---------------------------------------------------------------------------------

CHALLENGE_ALLOWED = {
    "submit": {"setter"}, "resubmit": {"setter"}, "withdraw": {"setter"},
    "pre_approve": STAFF_IN, "return": STAFF_IN,
    "reject": CITY, "publish": CITY, "close_applications": CITY,
    "unaward": {"setter", "bureau"},
}
# Their data (winner, dates, opinions) is review.py's and delivery.py's: tested there.
CHALLENGE_ELSEWHERE = {"award", "start", "organise_acceptance", "pass", "fail", "extend"}
# Sources of the actions decided here (the later states are the panel's and delivery's).
CHALLENGE_STATES = ("draft", "submitted", "returned", "rejected", "pre_approved", "published", "withdrawn",
                    "unawarded", "reviewing")
# Sources where the action is only possible after the application deadline.
AFTER_DEADLINE = {("close_applications", "published"), ("unaward", "published")}

POOL_ALLOWED = {"pre_approve": STAFF_IN, "return": STAFF_IN, "admit": CITY, "reject": CITY, "resubmit": {"setter"},
                "raise": set()}
POOL_STATES = ("submitted", "pre_approved", "admitted", "returned", "rejected", "raised")

APPLICATION_ALLOWED = {"submit": {"institution"}, "withdraw": {"institution"}, "mark_ineligible": CITY}
APPLICATION_ELSEWHERE = {"award", "not_award"}
APPLICATION_STATES = ("draft", "submitted", "withdrawn", "ineligible")

ROUND_ALLOWED = {"open": CITY, "close": CITY}


def test_expectations_cover_every_action():
    assert set(CHALLENGE_ALLOWED) | CHALLENGE_ELSEWHERE == set(TRANSITIONS)
    assert set(POOL_ALLOWED) == set(POOL_TRANSITIONS)
    assert set(APPLICATION_ALLOWED) | APPLICATION_ELSEWHERE == set(APPLICATION_TRANSITIONS)
    assert set(ROUND_ALLOWED) == set(ROUND_TRANSITIONS)


def _kwargs(spec) -> dict:
    """What the action asks for besides the actor: a reason code of its context, a comment."""
    kwargs = {"comment": "意见"} if spec.comment_required else {}
    if spec.reason_context:
        kwargs["reason_code"] = "other"
    return kwargs


def _check(record, *, act, spec, allowed: set, roles: dict) -> None:
    """Everybody else is refused and changes nothing; each allowed role succeeds (in a savepoint)."""
    source = record.status
    history = status_history(record).count()
    for role in ROLES:
        if role in allowed:
            continue
        with pytest.raises(PermissionDenied):
            act(record, roles[role])
        record.refresh_from_db()
        assert record.status == source, role
        assert status_history(record).count() == history, role
    for role in sorted(allowed):
        with transaction.atomic():
            result = act(record, roles[role])
            result.refresh_from_db()
            assert result.status == spec.target, role
            assert status_history(result).filter(action=act.action).exists(), role
            transaction.set_rollback(True)


def _check_wrong_states(record, *, transitions: dict, allowed: dict, act, roles: dict) -> None:
    """Every action whose sources do not hold the record's state is refused as invalid_state, even for a role
    that may take it from its sources."""
    state = record.status
    for action, spec in transitions.items():
        if state in spec.sources:
            continue
        with pytest.raises(ApplicationError) as refused:
            act(record, action, roles[sorted(allowed.get(action) or {"bureau"})[0]])
        assert refused.value.errors[0].code == "invalid_state", action
    record.refresh_from_db()
    assert record.status == state


def _actor(action, service):
    def act(record, user):
        return service(record, action, user)
    act.action = action
    return act


# --- challenges ----------------------------------------------------------------------------------------------

CHALLENGE_CASES = [(action, source) for action, spec in TRANSITIONS.items() if action not in CHALLENGE_ELSEWHERE
                   for source in sorted(spec.sources) if source in CHALLENGE_STATES]


def _challenge_act(challenge, action, user):
    spec = TRANSITIONS[action]
    return services.challenge_act(challenge=challenge, action=action, by=user, **_kwargs(spec))


@pytest.mark.parametrize(("action", "source"), CHALLENGE_CASES, ids=[f"{a}-{s}" for a, s in CHALLENGE_CASES])
def test_challenge_action_by_role(action, source, roles, make_challenge):
    # given: a challenge in the source state (with a submitted application when it is open for applications)
    challenge = make_challenge(source)
    if source == "published":
        f.submitted_application(challenge=challenge, by=roles["institution"])
    clock = f.after_deadline(challenge) if (action, source) in AFTER_DEADLINE else contextlib.nullcontext()
    # when / then
    with clock:
        _check(challenge, act=_actor(action, _challenge_act), spec=TRANSITIONS[action],
               allowed=CHALLENGE_ALLOWED[action], roles=roles)


@pytest.mark.parametrize("action", ["unaward", "close_applications"])
def test_challenge_open_for_applications_cannot_be_ended(action, roles, make_challenge):
    """Before the deadline nobody declares 流榜 or closes applications (the setter withdraws instead)."""
    challenge = make_challenge("published")
    for role in ROLES:
        with pytest.raises((PermissionDenied, ApplicationError)):
            _challenge_act(challenge, action, roles[role])
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED


@pytest.mark.parametrize("state", ChallengeStatus.values)
def test_challenge_action_from_wrong_state_is_refused(state, roles, make_challenge):
    _check_wrong_states(make_challenge(state), transitions=TRANSITIONS, allowed=CHALLENGE_ALLOWED,
                        act=_challenge_act, roles=roles)


@pytest.mark.parametrize("action", sorted(CHALLENGE_ELSEWHERE))
def test_actions_with_data_of_their_own_need_it_or_are_refused(action, roles, make_challenge):
    """``challenge_act`` hands the award and delivery over only with their data: a stranger is refused."""
    challenge = make_challenge("reviewing")
    with pytest.raises((PermissionDenied, ApplicationError)) as refused:
        _challenge_act(challenge, action, roles["anonymous"])
    if isinstance(refused.value, ApplicationError):
        assert refused.value.errors[0].code == "invalid_state"
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.REVIEWING


def test_award_through_challenge_act_names_what_is_missing(make_challenge, roles):
    challenge = make_challenge("reviewing")
    with pytest.raises((ApplicationError, PermissionDenied)) as refused:
        services.challenge_act(challenge=challenge, action="award", by=roles["setter"])
    if isinstance(refused.value, ApplicationError):
        assert refused.value.errors[0].code == "needs_data" and "中榜" in refused.value.errors[0].message


# --- pool entries ---------------------------------------------------------------------------------------------

POOL_CASES = [(action, source) for action, spec in POOL_TRANSITIONS.items() for source in sorted(spec.sources)]


def _pool_act(entry, action, user):
    return services.pool_entry_act(entry=entry, action=action, by=user, **_kwargs(POOL_TRANSITIONS[action]))


@pytest.fixture
def make_entry(setter, officer_in, bureau):
    def make(state):
        return f.pool_entry_in_state(state, setter=setter, officer=officer_in, bureau=bureau)
    return make


@pytest.mark.parametrize(("action", "source"), POOL_CASES, ids=[f"{a}-{s}" for a, s in POOL_CASES])
def test_pool_action_by_role(action, source, roles, make_entry):
    entry = make_entry(source)
    _check(entry, act=_actor(action, _pool_act), spec=POOL_TRANSITIONS[action], allowed=POOL_ALLOWED[action],
           roles=roles)


@pytest.mark.parametrize("state", POOL_STATES)
def test_pool_action_from_wrong_state_is_refused(state, roles, make_entry):
    _check_wrong_states(make_entry(state), transitions=POOL_TRANSITIONS, allowed=POOL_ALLOWED, act=_pool_act,
                        roles=roles)


def test_publishing_the_challenge_raises_the_pool_entry(make_entry, make_challenge):
    entry = make_entry("admitted")
    challenge = make_challenge("published", demand=entry.demand)
    entry.refresh_from_db()
    assert entry.status == PoolEntryStatus.RAISED
    assert challenge.pool_entry_id == entry.pk
    change = status_history(entry).get(action="raise")
    assert change.actor is None and challenge.title in change.comment


# --- applications -----------------------------------------------------------------------------------------------

APPLICATION_CASES = [(action, source) for action, spec in APPLICATION_TRANSITIONS.items()
                     if action not in APPLICATION_ELSEWHERE for source in sorted(spec.sources)]


def _application_act(application, action, user):
    spec = APPLICATION_TRANSITIONS[action]
    return services.application_act(application=application, action=action, by=user, **_kwargs(spec))


@pytest.fixture
def make_application(make_challenge, institution, bureau):
    def make(state):
        challenge = make_challenge("published")
        return f.application_in_state(state, challenge=challenge, by=institution, bureau=bureau)
    return make


@pytest.mark.parametrize(("action", "source"), APPLICATION_CASES, ids=[f"{a}-{s}" for a, s in APPLICATION_CASES])
def test_application_action_by_role(action, source, roles, make_application):
    application = make_application(source)
    _check(application, act=_actor(action, _application_act), spec=APPLICATION_TRANSITIONS[action],
           allowed=APPLICATION_ALLOWED[action], roles=roles)


@pytest.mark.parametrize("state", APPLICATION_STATES)
def test_application_action_from_wrong_state_is_refused(state, roles, make_application):
    _check_wrong_states(make_application(state), transitions=APPLICATION_TRANSITIONS, allowed=APPLICATION_ALLOWED,
                        act=_application_act, roles=roles)


def test_applicant_cannot_submit_or_withdraw_after_the_deadline(make_application, institution):
    application = make_application("submitted")
    with f.after_deadline(application.challenge):
        with pytest.raises(ApplicationError) as refused:
            _application_act(application, "withdraw", institution)
    assert refused.value.errors[0].code == "deadline_passed"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# --- collection rounds -----------------------------------------------------------------------------------------

ROUND_CASES = [(action, source) for action, spec in ROUND_TRANSITIONS.items() for source in sorted(spec.sources)]


def _round_act(round_, action, user):
    return services.round_act(round_=round_, action=action, by=user)


@pytest.mark.parametrize(("action", "source"), ROUND_CASES, ids=[f"{a}-{s}" for a, s in ROUND_CASES])
def test_round_action_by_role(action, source, roles, bureau, regions):
    round_ = f.collection_round(bureau=bureau, city=regions["city"], state=source)
    _check(round_, act=_actor(action, _round_act), spec=ROUND_TRANSITIONS[action], allowed=ROUND_ALLOWED[action],
           roles=roles)


def test_round_closes_itself_at_the_deadline(bureau, regions):
    round_ = f.collection_round(bureau=bureau, city=regions["city"])
    with f.after_deadline_of(round_.deadline):
        assert services.rounds_close_due() == 1
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    assert status_history(round_).get(action="close").actor is None

