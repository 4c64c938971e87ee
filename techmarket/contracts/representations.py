"""JSON shape of a technology contract (SPEC §3: money strings, regions by 6-digit code, terms as
{code, name}, status / status_display / available_actions)."""
from __future__ import annotations

from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str

from django.urls import reverse
from django.utils import timezone

from .choices import ContractStatus
from .permissions import can_edit_contract, can_record_payment


def term_out(term) -> dict | None:
    return None if term is None else {"code": term.code, "name": term.name}


def region_out(region) -> dict | None:
    return None if region is None else {"code": region.code, "name": region.full_name}


def ref_out(obj, label: str = "name") -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, label)}


def point_out(point) -> dict | None:
    if point is None:
        return None
    return {"id": point.pk, "code": point.code, "name": point.name, "city": region_out(point.city),
            "address": point.address, "is_active": point.is_active}


def evidence_out(contract, attachment) -> dict:
    return {"id": attachment.pk, "kind": attachment.kind, "kind_display": attachment.get_kind_display(),
            "name": attachment.original_name, "size": attachment.size,
            "url": f"/api/v1/contracts/{contract.pk}/payments/{attachment.record_id}/evidence/{attachment.pk}"}


def payment_out(payment) -> dict:
    contract = payment.contract
    return {
        "id": payment.pk, "paid_on": iso(payment.paid_on), "amount": yuan_str(payment.amount_fen),
        "note": payment.note, "is_evidenced": payment.is_evidenced,
        "recorded_by": None if payment.recorded_by is None else {"id": payment.recorded_by.pk,
                                                                   "name": payment.recorded_by.name},
        "attachments": [evidence_out(contract, a) for a in payment.attachments.all()],
        "created_at": iso(payment.created_at),
    }


def registration_out(contract, today=None) -> dict:
    """The registration fields (C2, C4) of the contract."""
    today = today or timezone.localdate()
    registered = contract.status == ContractStatus.REGISTERED and bool(contract.registration_number)
    return {
        "registration_point": point_out(contract.registration_point),
        "submitted_at": iso(contract.submitted_at),
        "decision_due_on": iso(contract.decision_due_on),
        "days_overdue": contract.days_overdue(today),
        "is_overdue": contract.days_overdue(today) > 0,
        "examined_by": None if contract.examined_by is None else {"id": contract.examined_by.pk,
                                                                   "name": contract.examined_by.name},
        "registration_number": contract.registration_number,
        "registration_number_source": contract.registration_number_source or None,
        "registration_number_source_display": contract.get_registration_number_source_display() or None,
        "has_national_number": contract.has_national_number,
        "registered_on": iso(contract.registered_on),
        "deregistered_on": iso(contract.deregistered_on),
        "certificate_url": f"/api/v1/contracts/{contract.pk}/certificate.pdf" if registered else None,
        "certificate_page_url": reverse("contracts:manage_certificate", kwargs={"pk": contract.pk})
        if registered else None,
    }


def contract_out(contract, user, *, detail: bool = False) -> dict:
    """Every C1 field and the registration fields; ``detail`` adds the itemised costs, the payments and
    the history."""
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
        **registration_out(contract),
        **workflow_fields(contract, user),
    }
    if detail:
        from techmarket.achievements.representations import history_out

        data["non_technical_costs"] = [{"id": c.pk, "item": c.item, "amount": yuan_str(c.amount_fen)}
                                       for c in contract.non_technical_costs.all()]
        from .selectors import payments_of

        payments = list(payments_of(contract))
        data["payments"] = [payment_out(p) for p in payments]
        data["paid_amount"] = yuan_str(sum(p.amount_fen for p in payments))
        data["can_record_payment"] = can_record_payment(user, contract)
        data["history"] = history_out(contract)
    return data
