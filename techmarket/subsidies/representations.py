"""JSON shapes of the subsidy API (money as yuan strings, SPEC §3)."""
from __future__ import annotations

from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str

from . import permissions
from .services import missing_evidence


def policy_out(policy, user=None) -> dict:
    return {
        "id": policy.pk, "city": policy.city.code, "year": policy.year, "code": policy.code,
        "version": policy.version, "is_current": policy.is_current, "name": policy.name,
        "rule_kind": policy.rule_kind, "rule_kind_display": policy.get_rule_kind_display(),
        "recipient_role": policy.recipient_role, "base": policy.base or None,
        "payment_evidence_required": policy.payment_evidence_required,
        "counterparty_location": policy.counterparty_location, "unit_location": policy.unit_location,
        "transfer_in_city": policy.transfer_in_city,
        "local_transfer_evidence_required": policy.local_transfer_evidence_required, "unit_kind": policy.unit_kind,
        "platform_kinds": policy.platform_kinds, "qualification_kind": policy.qualification_kind or None,
        "min_level": policy.min_level or None, "requires_national_number": policy.requires_national_number,
        "payer": policy.payer, "payer_display": policy.get_payer_display(),
        "rate_percent": str(policy.rate_percent) if policy.rate_percent is not None else None,
        "min_amount": yuan_str(policy.min_amount_fen), "max_amount": yuan_str(policy.max_amount_fen),
        "cap_per_unit_year": yuan_str(policy.cap_per_unit_year_fen),
        "grade_amounts": [{"grade": r["grade"], "amount": yuan_str(r["amount_fen"])} for r in policy.grade_amounts],
        "instalments": policy.instalments, "citation": policy.citation, "note": policy.note,
        "supersedes": policy.supersedes_id,
        "can_edit": bool(user is not None and policy.is_current and permissions.can_edit_policy(user, policy)),
    }


def round_out(round_, user) -> dict:
    computation = round_.current_computation
    public_only = not permissions.can_view_round(user, round_)
    data = {
        "id": round_.pk, "city": round_.city.code, "name": round_.name, "year": round_.year,
        "base_year": round_.base_year, "declaration_deadline": iso(round_.declaration_deadline),
        "notice_working_days": round_.notice_working_days, "notice_starts_on": iso(round_.notice_starts_on),
        "notice_ends_on": iso(round_.notice_ends_on), "approved_at": iso(round_.approved_at),
        "policies": [{"id": p.pk, "code": p.code, "name": p.name, "version": p.version}
                     for p in round_.policies.all()],
        "computation": None if computation is None else {
            "version": computation.version, "total": yuan_str(computation.total_fen),
            "budget": yuan_str(computation.budget_fen), "remainder": yuan_str(computation.remainder_fen),
            "scaling": computation.scaling, "computed_at": iso(computation.computed_at),
            "computed_by": None if public_only else computation.computed_by.username},
        **workflow_fields(round_, user),
    }
    if not public_only:
        data["budget"] = yuan_str(round_.budget_fen)
    return data


def declaration_out(d, user) -> dict:
    return {
        "id": d.pk, "round": d.round_id, "policy": {"id": d.policy_id, "code": d.policy.code, "name": d.policy.name},
        "organization": {"id": d.organization_id, "name": d.organization.name,
                         "region": d.organization.region.code},
        "platform": d.platform_id, "qualification": d.qualification_id, "contract": d.contract_id,
        "instalment": d.instalment or None, "statement": d.statement,
        "contracts": list(d.contracts.values_list("pk", flat=True)),
        "payments": list(d.payments.values_list("pk", flat=True)),
        "grade": d.grade or None, "assessed_amount": yuan_str(d.assessed_amount_fen),
        "evidence": [evidence_out(e) for e in d.attachments.order_by("pk")],
        "missing_evidence": missing_evidence(d),
        "submitted_at": iso(d.submitted_at), **workflow_fields(d, user),
    }


def evidence_out(e) -> dict:
    return {"id": e.pk, "kind": e.kind, "kind_display": e.get_kind_display(), "name": e.original_name,
            "size": e.size, "created_at": iso(e.created_at),
            "url": f"/api/v1/subsidy-rounds/{e.record.round_id}/declarations/{e.record_id}/evidence/{e.pk}"}


def line_out(line, *, public: bool = False) -> dict:
    data = {"id": line.pk, "organization": {"id": line.organization_id, "name": line.organization.name},
            "policy": {"id": line.policy_id, "code": line.policy.code, "name": line.policy.name,
                       "version": line.policy.version, "payer": line.policy.payer},
            "amount": yuan_str(line.amount_fen)}
    if public:
        return data
    data.update({
        "declaration": line.declaration_id, "base": yuan_str(line.base_fen), "raw": yuan_str(line.raw_fen),
        "cap": yuan_str(line.cap_fen), "received_before": yuan_str(line.received_before_fen),
        "capped": yuan_str(line.capped_fen), "scalable": line.scalable,
        "explanation": {"steps": line.explanation.get("steps", []),
                        "items": [{**i, "amount": yuan_str(i["amount_fen"])} for i in line.explanation.get("items", [])]},
        "paid_on": iso(line.paid_on), "payment_reference": line.payment_reference or None,
    })
    return data


def exclusion_out(e) -> dict:
    return {"id": e.pk, "declaration": e.declaration_id,
            "organization": {"id": e.organization_id, "name": e.organization.name},
            "subject": e.subject, "subject_id": e.subject_id, "subject_label": e.subject_label,
            "code": e.code, "message": e.message}


def computation_out(c) -> dict:
    return {"version": c.version, "is_current": c.is_current, "computed_by": c.computed_by.username,
            "computed_at": iso(c.computed_at), "as_of": iso(c.as_of), "budget": yuan_str(c.budget_fen),
            "fixed_total": yuan_str(c.fixed_total_fen), "capped_total": yuan_str(c.capped_total_fen),
            "total": yuan_str(c.total_fen), "remainder": yuan_str(c.remainder_fen), "scaling": c.scaling,
            "policies": [{"id": p["id"], "code": p["code"], "version": p["version"]} for p in c.policies_snapshot],
            "diff": [{**r, "before": yuan_str(r["before_fen"]), "after": yuan_str(r["after_fen"]),
                      "change": yuan_str(r["change_fen"])} for r in c.diff]}


def precheck_out(data: dict) -> dict:
    return {"city": data["city"], "year": data["year"], "base_year": data["base_year"], "policies": [{
        "policy": row["policy"], "qualifies": row["qualifies"], "estimated_amount": yuan_str(row["estimated_fen"]),
        "estimated_low": yuan_str(row["estimated_low_fen"]), "estimated_high": yuan_str(row["estimated_high_fen"]),
        "base": yuan_str(row["base_fen"]), "received_before": yuan_str(row["received_before_fen"]),
        "steps": row["steps"], "pending": row["pending"] or None,
        "items": [{**i, "amount": yuan_str(i["amount_fen"])} for i in row["items"]],
        "reasons": row["reasons"], "missing": row["missing"]} for row in data["policies"]]}
