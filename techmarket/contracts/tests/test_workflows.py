"""The contract workflow matrix generated from TRANSITIONS (action × source state × role), and who sees
a contract at all."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from django.utils import timezone

from techmarket.contracts import selectors, services
from techmarket.contracts.choices import ContractStatus
from techmarket.contracts.workflows import TRANSITIONS
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import available_actions, status_history

from . import factories as f

ROLES = ("seller", "buyer", "stranger", "officer_seller", "bureau", "bureau_hebi", "superuser", "registrar",
         "registrar_other_point", "registrar_expired", "registrar_revoked", "registrar_of_seller", "anonymous")
SELLER = {"seller", "registrar_of_seller"}  # a registrar employed by the seller is seller side
REGISTRAR = {"registrar"}
ALLOWED = {"submit": SELLER, "withdraw": SELLER, "cancel": SELLER, "pre_examine": REGISTRAR, "register": REGISTRAR,
           "return": REGISTRAR, "refuse": REGISTRAR, "amend": REGISTRAR, "deregister": REGISTRAR}
VISIBLE_TO = {"seller", "buyer", "officer_seller", "bureau", "superuser", "registrar_of_seller"}
CASES = [(action, source, role) for action, spec in TRANSITIONS.items() for source in sorted(spec.sources)
         for role in ROLES]
WRONG_STATE = [(action, state) for action, spec in TRANSITIONS.items() for state in ContractStatus.values
               if state not in spec.sources]
# What each action needs besides the comment.
INPUT = {
    "refuse": {"reason_code": "not_tech_contract"},
    "amend": {"changes": {"name": "智能仓储调度系统委托开发合同（变更）"}},
}


def in_state(state: str, *, deal, seller, registrar):
    return f.contract_in_state(state, deal=deal, seller=seller, registrar=registrar)


def act(contract, action, user):
    kwargs = dict(INPUT.get(action, {}))
    if action == "register":
        kwargs = {"registration_number": f.national_number(contract.registration_point or _point(), 7),
                  "registered_on": timezone.localdate()}
    return services.contract_act(contract=contract, action=action, by=user, comment="说明", **kwargs)


def _point():
    from techmarket.contracts.models import RegistrationPoint

    return RegistrationPoint.objects.get(city__code="410100", code="01")


def test_expectations_cover_every_action():
    assert set(ALLOWED) == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "source", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_action_by_role(action, source, role, reg_roles, deal, seller, registrar):
    # given
    contract = in_state(source, deal=deal, seller=seller, registrar=registrar)
    before = status_history(contract).count()
    user = reg_roles[role]
    # when / then
    if role in ALLOWED[action]:
        assert action in available_actions(contract, user)
        result = act(contract, action, user)
        assert result.status == TRANSITIONS[action].target
        assert status_history(result).filter(action=action, actor=user).exists()
    else:
        assert action not in available_actions(contract, user)
        with pytest.raises(PermissionDenied) as exc:
            act(contract, action, user)
        assert str(exc.value)  # a Chinese reason, not an empty 403
        contract.refresh_from_db()
        assert contract.status == source and status_history(contract).count() == before


@pytest.mark.parametrize(("action", "state"), WRONG_STATE, ids=[f"{a}-from-{s}" for a, s in WRONG_STATE])
def test_action_from_wrong_state_is_refused(action, state, deal, seller, registrar):
    contract = in_state(state, deal=deal, seller=seller, registrar=registrar)
    user = seller if ALLOWED[action] == SELLER else registrar
    with pytest.raises(ApplicationError) as exc:
        act(contract, action, user)
    assert exc.value.errors[0].code == "invalid_state"
    contract.refresh_from_db()
    assert contract.status == state


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_contract(role, reg_roles, deal, seller):
    # given a draft contract between an institute in 金水区 and an enterprise in 中原区
    contract = services.contract_create_from_deal(deal=deal, by=seller)
    user = reg_roles[role]
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


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_submitted_contract(role, reg_roles, deal, seller, registrar):
    # given a contract submitted to 郑州 point 01
    contract = in_state("submitted", deal=deal, seller=seller, registrar=registrar)
    user = reg_roles[role]
    # when / then: registrars of point 01 with a valid certificate see it too
    if role in VISIBLE_TO | {"registrar"}:
        assert selectors.contract_get_for_user(user=user, pk=contract.pk) == contract
    else:
        with pytest.raises(Http404):
            selectors.contract_get_for_user(user=user, pk=contract.pk)
