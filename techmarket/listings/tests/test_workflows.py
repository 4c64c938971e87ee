"""The listing workflow matrix, generated from TRANSITIONS: every action × source state × role (STYLE §4)."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from techmarket.core.actors import SYSTEM
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import status_history
from techmarket.listings import services
from techmarket.listings.choices import ListingStatus
from techmarket.listings.workflows import TRANSITIONS

from . import factories as f
from .conftest import ROLES

REVIEWERS = {"officer_in", "bureau"}
# Who may take each action (independent of the policy code under test); end_* belong to the platform.
ALLOWED = {
    "submit": {"owner"}, "resubmit": {"owner"}, "relist": {"owner"}, "withdraw": {"owner"},
    "return": REVIEWERS, "approve": REVIEWERS,
    "end_unsold": set(), "end_dealt": set(), "end_to_auction": set(),
}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]
WRONG_STATE = [(action, state) for action, spec in TRANSITIONS.items() for state in ListingStatus.values
               if state not in spec.sources]


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


def _act(listing, action, user):
    reason = "other" if TRANSITIONS[action].reason_context else None
    return services.listing_act(listing=listing, action=action, by=user, reason_code=reason, comment="意见")


@pytest.mark.parametrize(("action", "source", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, roles, owner, officer_in, buyer, other_enterprise):
    # given
    listing = f.listing_in_state(source, owner=owner, reviewer=officer_in, buyers=[buyer, other_enterprise])
    history_before = status_history(listing).count()
    # when / then
    if role in ALLOWED[action]:
        result = _act(listing, action, roles[role])
        result.refresh_from_db()
        assert result.status == TRANSITIONS[action].target
        assert status_history(result).filter(action=action).exists()
    else:
        with pytest.raises((PermissionDenied, ApplicationError)):
            _act(listing, action, roles[role])
        listing.refresh_from_db()
        assert listing.status == source
        assert status_history(listing).count() == history_before


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, roles, owner, officer_in, buyer, other_enterprise):
    # given
    listing = f.listing_in_state(state, owner=owner, reviewer=officer_in, buyers=[buyer, other_enterprise])
    actor = roles[sorted(ALLOWED[action])[0]] if ALLOWED[action] else SYSTEM
    history_before = status_history(listing).count()
    # when / then
    with pytest.raises((ApplicationError, PermissionDenied)):
        _act(listing, action, actor)
    listing.refresh_from_db()
    assert listing.status == state
    assert status_history(listing).count() == history_before


class TestPlatformEnd:
    def test_platform_may_not_end_a_listing_before_its_end(self, owner, officer_in):
        # given
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        # when / then
        with pytest.raises(PermissionDenied):
            services.listing_act(listing=listing, action="end_unsold", by=SYSTEM)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.OPEN

    def test_withdraw_of_open_listing_with_interest_is_refused_and_hidden(self, owner, officer_in, buyer):
        # given
        listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
        # when / then
        from techmarket.core.workflows import available_actions

        assert "withdraw" not in available_actions(listing, owner)
        with pytest.raises(ApplicationError) as exc:
            services.listing_withdraw(listing=listing, by=owner)
        assert exc.value.errors[0].code == "has_interests"
        listing.refresh_from_db()
        assert listing.status == ListingStatus.OPEN
