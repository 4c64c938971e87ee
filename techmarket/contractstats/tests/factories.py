"""Registered contracts for statistics tests.

The registration workflow lives in techmarket/contracts; these builders write a contract in the state the
registration services leave it (status registered, registered_on set) and call ``stats_apply`` as those
services do inside their transaction, so the statistics are tested against the fixed interface."""
from __future__ import annotations

import datetime
import itertools

from django.db import transaction

from techmarket.contracts.choices import ContractStatus, RegistrationNumberSource
from techmarket.contracts.models import TechContract
from techmarket.contractstats.services import stats_apply
from techmarket.taxonomies.models import Term

_serial = itertools.count(1)
TERM_FIELDS = {"category": "contract_category", "tech_field": "contract_field", "seller_nature": "party_nature",
               "buyer_nature": "party_nature", "ip_type": "ip_type", "plan_category": "plan_category"}


def term(scheme: str, code: str | None) -> Term | None:
    return None if code is None else Term.objects.get(scheme__code=scheme, code=code)


def registered(*, on: str, seller, buyer, total: int, tech: int, category="11", field="01", seller_nature="45",
               buyer_nature="45", ip_type="00", plan="0") -> TechContract:
    """A registered contract (amounts in yuan), counted in the statistics as the registration does."""
    codes = {"category": category, "tech_field": field, "seller_nature": seller_nature,
             "buyer_nature": buyer_nature, "ip_type": ip_type, "plan_category": plan}
    n = next(_serial)
    with transaction.atomic():
        contract = TechContract.objects.create(
            status=ContractStatus.REGISTERED, name=f"统计测试合同{n}", seller_name="卖方", buyer_name="买方",
            seller_region=seller, buyer_region=buyer, total_amount_fen=total * 100, tech_amount_fen=tech * 100,
            registered_on=datetime.date.fromisoformat(on), registration_number=f"2025410101{n:06d}",
            registration_number_source=RegistrationNumberSource.NATIONAL,
            **{name: term(TERM_FIELDS[name], code) for name, code in codes.items()})
        stats_apply(contract, +1)
    return contract


def deregister(contract: TechContract) -> None:
    with transaction.atomic():
        stats_apply(contract, -1)
        contract.status = ContractStatus.DEREGISTERED
        contract.deregistered_on = contract.registered_on
        contract.save(update_fields=["status", "deregistered_on"])


def amend(contract: TechContract, **changes) -> None:
    """−1 with the old values, change, +1 with the new ones (as the amendment service does)."""
    with transaction.atomic():
        stats_apply(contract, -1)
        for name, value in changes.items():
            setattr(contract, name, value)
        contract.save()
        stats_apply(contract, +1)
