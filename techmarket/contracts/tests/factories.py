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
