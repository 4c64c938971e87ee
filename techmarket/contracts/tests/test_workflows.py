"""The contract workflow matrix generated from TRANSITIONS (action × source state × role), and who sees
a contract at all."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from techmarket.contracts import selectors, services
from techmarket.contracts.choices import ContractStatus
from techmarket.contracts.workflows import TRANSITIONS
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import available_actions, status_history

ROLES = ("seller", "buyer", "stranger", "officer_seller", "officer_buyer", "officer_out", "bureau", "bureau_hebi",
         "anonymous")
ALLOWED = {"cancel": {"seller"}}
VISIBLE_TO = {"seller", "buyer", "officer_seller", "officer_buyer", "bureau"}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]
WRONG_STATE = [(action, state) for action, spec in TRANSITIONS.items() for state in ContractStatus.values
               if state not in spec.sources]


def in_state(state: str, *, deal, seller):
    contract = services.contract_create_from_deal(deal=deal, by=seller)
    if state == ContractStatus.CANCELLED:
        contract = services.contract_cancel(contract=contract, by=seller, comment="测试作废")
    elif state != ContractStatus.DRAFT:
        # States reached through registration: set directly, the transitions are not under test here.
        type(contract).objects.filter(pk=contract.pk).update(status=state)
        contract.refresh_from_db()
    return contract


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "source", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, roles, deal, seller):
    # given
    contract = in_state(source, deal=deal, seller=seller)
    before = status_history(contract).count()
    # when / then
    if role in ALLOWED[action]:
        assert action in available_actions(contract, roles[role])
        result = services.contract_act(contract=contract, action=action, by=roles[role], comment="说明")
        assert result.status == TRANSITIONS[action].target
        assert status_history(result).filter(action=action, actor=roles[role]).exists()
    else:
        assert action not in available_actions(contract, roles[role])
        with pytest.raises(PermissionDenied):
            services.contract_act(contract=contract, action=action, by=roles[role], comment="说明")
        contract.refresh_from_db()
        assert contract.status == source and status_history(contract).count() == before


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, deal, seller):
    contract = in_state(state, deal=deal, seller=seller)
    with pytest.raises(ApplicationError) as exc:
        services.contract_act(contract=contract, action=action, by=seller, comment="说明")
    assert exc.value.errors[0].code == "invalid_state"
    contract.refresh_from_db()
    assert contract.status == state


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_contract(role, roles, deal, seller):
    # given a contract between an institute in 金水区 and an enterprise in 中原区
    contract = services.contract_create_from_deal(deal=deal, by=seller)
    user = roles[role]
    # when / then: the parties and staff whose region holds either party see it; others get 404
    if role in VISIBLE_TO:
        assert selectors.contract_get_for_user(user=user, pk=contract.pk) == contract
        assert list(selectors.contract_list(user=user)) == [contract]
    else:
        with pytest.raises(Http404):
            selectors.contract_get_for_user(user=user, pk=contract.pk)
        assert list(selectors.contract_list(user=user)) == []


def test_list_filters_by_status_and_signing_year(deal, seller, contract):
    from_deal = services.contract_create_from_deal(deal=deal, by=seller)
    services.contract_cancel(contract=contract, by=seller, comment="重复")
    assert list(selectors.contract_list(user=seller, status="draft")) == [from_deal]
    assert list(selectors.contract_list(user=seller, year=2025)) == [contract]
    with pytest.raises(ApplicationError) as exc:
        selectors.contract_list(user=seller, status="nope")
    assert exc.value.errors[0].field == "status"
