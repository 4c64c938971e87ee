"""JSON shape of a technology contract (SPEC §3: money strings, regions by 6-digit code, terms as
{code, name}, status / status_display / available_actions)."""
from __future__ import annotations

from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str

from .permissions import can_edit_contract


def term_out(term) -> dict | None:
    return None if term is None else {"code": term.code, "name": term.name}


def region_out(region) -> dict | None:
    return None if region is None else {"code": region.code, "name": region.full_name}


def ref_out(obj, label: str = "name") -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, label)}


def contract_out(contract, user, *, detail: bool = False) -> dict:
    """Every C1 field; ``detail`` adds the itemised costs and the history."""
    deal = contract.deal_or_none
    data = {
        "id": contract.pk,
        "name": contract.name,
        "source": contract.source,
        "source_display": contract.get_source_display(),
        "category": term_out(contract.category),
        "seller_organization": ref_out(contract.seller_organization),
        "seller_name": contract.seller_name,
        "seller_credit_code": contract.seller_credit_code,
        "seller_region": region_out(contract.seller_region),
        "seller_nature": term_out(contract.seller_nature),
        "buyer_organization": ref_out(contract.buyer_organization),
        "buyer_name": contract.buyer_name,
        "buyer_credit_code": contract.buyer_credit_code,
        "buyer_region": region_out(contract.buyer_region),
        "buyer_nature": term_out(contract.buyer_nature),
        "total_amount": yuan_str(contract.total_amount_fen),
        "tech_amount": yuan_str(contract.tech_amount_fen),
        "tech_field": term_out(contract.tech_field),
        "ip_type": term_out(contract.ip_type),
        "plan_category": term_out(contract.plan_category),
        "signed_on": iso(contract.signed_on),
        "valid_from": iso(contract.valid_from),
        "valid_to": iso(contract.valid_to),
        "broker": ref_out(contract.broker),
        "broker_agency": ref_out(contract.broker_agency),
        "expected_new_investment": yuan_str(contract.expected_new_investment_fen),
        "expected_new_output": yuan_str(contract.expected_new_output_fen),
        "achievement": ref_out(contract.achievement, "title"),
        "deal": None if deal is None else deal.pk,
        "created_at": iso(contract.created_at),
        "updated_at": iso(contract.updated_at),
        "can_edit": can_edit_contract(user, contract),
        **workflow_fields(contract, user),
    }
    if detail:
        from techmarket.achievements.representations import history_out

        data["non_technical_costs"] = [{"id": c.pk, "item": c.item, "amount": yuan_str(c.amount_fen)}
                                       for c in contract.non_technical_costs.all()]
        data["history"] = history_out(contract)
    return data
