"""Builders for contract tests. Deals are written through the ORM (the deals app's services are built
elsewhere); contracts are made through this app's services, as users and the deals app make them."""
from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.achievements.tests import factories as achievement_factories
from techmarket.contracts import services
from techmarket.deals.models import Deal
from techmarket.taxonomies.models import Term


def term(scheme: str, code: str) -> Term:
    return Term.objects.get(scheme__code=scheme, code=code)


def published_achievement(*, owner, reviewer, **overrides):
    return achievement_factories.achievement_in_state("published", owner=owner, reviewer=reviewer, **overrides)


def closed_deal(*, achievement, buyer, transfer_mode: str = "transfer", price_fen: int = 50_000_000,
                broker=None, closed_at: datetime.datetime | None = None, method: str = "agreement") -> Deal:
    return Deal.objects.create(
        status="closed", method=method, achievement=achievement, seller=achievement.owner_organization,
        buyer=buyer, broker=broker, transfer_mode=transfer_mode, price_fen=price_fen,
        closed_at=closed_at or timezone.now())


def contract_data(**overrides) -> dict:
    """What a seller enters for a 技术开发 contract with one non-technical cost."""
    data = {
        "name": "智能仓储调度系统委托开发合同",
        "category": "11",
        "buyer_name": "河南中原物流有限公司",
        "buyer_credit_code": "",
        "buyer_region": "410102",
        "buyer_nature": "45",
        "total_amount": "300000.00",
        "non_technical_costs": [{"item": "服务器设备", "amount": "50000.00"}],
        "tech_field": "01",
        "ip_type": "04",
        "plan_category": "0",
        "signed_on": "2025-03-01",
        "valid_from": "2025-03-01",
        "valid_to": "2026-02-28",
    }
    data.update(overrides)
    return data


def entered_contract(*, seller_user, **overrides):
    return services.contract_create(by=seller_user, data=contract_data(**overrides))


# --- registration states, reached through the services -------------------------------------------------

def national_number(point, serial: int, *, year: int | None = None) -> str:
    year = year or timezone.localdate().year
    return f"{year:04d}{point.city.code[:4]}{point.code}{serial:06d}"


def contract_in_state(state: str, *, deal, seller, registrar, serial: int = 1):
    """A contract from ``deal`` moved to ``state`` through the services, as the seller side and a registrar
    of point 01 would (registration with a national number dated today)."""
    from techmarket.contracts import registration as reg

    contract = services.contract_create_from_deal(deal=deal, by=seller)
    if state == "draft":
        return contract
    if state == "cancelled":
        return services.contract_cancel(contract=contract, by=seller, comment="重复录入")
    contract = reg.contract_submit(contract=contract, by=seller)
    if state == "submitted":
        return contract
    if state == "returned":
        return reg.contract_return(contract=contract, by=registrar, comment="请补充合同附件")
    if state == "refused":
        return reg.contract_refuse(contract=contract, by=registrar, reason_code="not_tech_contract")
    contract = reg.contract_pre_examine(contract=contract, by=registrar)
    if state == "pre_examined":
        return contract
    contract = reg.contract_register(contract=contract, by=registrar, registered_on=timezone.localdate(),
                                     registration_number=national_number(contract.registration_point, serial))
    if state == "registered":
        return contract
    if state == "deregistered":
        return reg.contract_deregister(contract=contract, by=registrar, comment="当事人申请注销")
    raise ValueError(state)
