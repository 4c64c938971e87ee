"""The deal workflow matrix, generated from TRANSITIONS: every action × source state × role (STYLE §4).

Each action is tried on a deal where it makes sense (the right method, the clock where the rules allow it),
so that only the role decides.
"""
from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import PermissionDenied

from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import status_history
from techmarket.deals import services
from techmarket.deals.choices import DealStatus
from techmarket.deals.workflows import OBJECTION_TRANSITIONS, TRANSITIONS
from techmarket.listings.tests.conftest import ROLES

from . import factories as f

PARTIES = {"owner", "buyer"}
ALLOWED = {
    "sign": {"buyer"}, "sign_for_notice": {"buyer"},
    "close": {"owner", "bureau"},  # the seller side or the bureau in scope, after the notice
    "cancel": PARTIES,
    "forfeit": {"bureau"},  # auction deals whose winner let sign_by pass
    "void": set(),  # only through an upheld objection
}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


def _setting(action, source, *, owner, bureau, buyer, other):
    """(deal, clock) where ``action`` from ``source`` is possible for the allowed roles."""
    if action == "sign":
        return f.listing_deal(owner=owner, reviewer=bureau, buyer=buyer), contextlib.nullcontext()
    if action == "forfeit":
        deal = f.auction_deal(owner=owner, bureau=bureau, buyer=buyer, other=other)
        return deal, f.past_sign_by(deal)
    if source == DealStatus.IN_NOTICE:
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        return deal, f.after_notice(deal) if action == "close" else contextlib.nullcontext()
    return f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer.organization), contextlib.nullcontext()


@pytest.mark.parametrize(("action", "source", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, roles, owner, bureau, buyer, other_enterprise):
    # given
    deal, clock = _setting(action, source, owner=owner, bureau=bureau, buyer=buyer, other=other_enterprise)
    assert deal.status == source
    history_before = status_history(deal).count()
    # when / then
    with clock:
        if role in ALLOWED[action]:
            result = services.deal_act(deal=deal, action=action, by=roles[role], comment="说明")
            result.refresh_from_db()
            assert result.status == TRANSITIONS[action].target
            assert status_history(result).filter(action=action).exists()
        else:
            with pytest.raises((PermissionDenied, ApplicationError)):
                services.deal_act(deal=deal, action=action, by=roles[role], comment="说明")
            deal.refresh_from_db()
            assert deal.status == source
            assert status_history(deal).count() == history_before


WRONG_STATE = [("sign", "in_notice"), ("sign", "closed"), ("sign", "cancelled"), ("close", "pending"),
               ("close", "closed"), ("cancel", "closed"), ("cancel", "cancelled")]


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, owner, bureau, buyer, buyer_org):
    # given
    deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org,
                            transfer_mode="licence_non_exclusive")
    if state in ("in_notice", "closed"):
        deal = services.deal_sign(deal=deal, by=buyer)
    if state == "closed":
        with f.after_notice(deal):
            deal = services.deal_close(deal=deal, by=owner)
    if state == "cancelled":
        deal = services.deal_cancel(deal=deal, by=owner, comment="不再转让")
    assert deal.status == state
    actor = buyer if action == "sign" else owner
    history_before = status_history(deal).count()
    # when / then
    with f.after_notice(deal) if deal.status != "pending" and hasattr(deal, "notice") else contextlib.nullcontext():
        with pytest.raises((ApplicationError, PermissionDenied)):
            services.deal_act(deal=deal, action=action, by=actor, comment="说明")
    deal.refresh_from_db()
    assert deal.status == state and status_history(deal).count() == history_before


OBJECTION_CASES = [(action, role) for action in OBJECTION_TRANSITIONS for role in ROLES]


@pytest.mark.parametrize(("action", "role"), OBJECTION_CASES, ids=[f"{a}-{r}" for a, r in OBJECTION_CASES])
def test_objection_resolution_by_role(action, role, roles, owner, bureau, buyer, other_enterprise):
    # given
    deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
    objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="价格明显偏低")
    # when / then
    if role == "bureau":
        result = services.objection_resolve(objection=objection, action=action, by=roles[role], comment="经核实")
        assert result.status == OBJECTION_TRANSITIONS[action].target
    else:
        with pytest.raises((PermissionDenied, ApplicationError)):
            services.objection_resolve(objection=objection, action=action, by=roles[role], comment="经核实")
        objection.refresh_from_db()
        assert objection.status == "open"
