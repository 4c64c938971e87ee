"""JSON shapes of 揭榜挂帅 (SPEC §3): money as yuan strings, datetimes +08:00, regions by code.

Every reader gets the public view of a challenge; its setter and the staff in scope also get the managed
block (``"managed": true``). Whether a caller may see something is asked of the permission functions
(permissions.py, review_permissions.py); nothing is decided here. Personal data of natural persons
(a contact's phone and e-mail) is masked unless ``can_see_person_personal_data``; reviewers' names reach
the callers only through ``review.reviews_visible_to`` / ``review.ranking`` and, for acceptance opinions,
only bureau staff in scope see them (others read 专家1, 专家2 …).
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from techmarket.achievements.representations import (
    attachment_out,
    history_out,
    organization_out,
    region_out,
    review_out,
    term_out,
)
from techmarket.core.api import iso, workflow_fields
from techmarket.core.masking import mask
from techmarket.core.money import yuan_str

from . import permissions
from .choices import (
    APPLICANT_KINDS,
    EDITABLE_CHALLENGE_STATUSES,
    REASON_NOT_AWARDED,
    ApplicationStatus,
    ChallengeStatus,
)

# Statuses from which the winner is public (开榜 and after).
AWARDED_STATUSES = frozenset({ChallengeStatus.AWARDED, ChallengeStatus.IN_PROGRESS, ChallengeStatus.ACCEPTANCE,
                              ChallengeStatus.ACCEPTED, ChallengeStatus.FAILED})
DECIDED_APPLICATION_STATUSES = frozenset({ApplicationStatus.AWARDED, ApplicationStatus.NOT_AWARDED,
                                          ApplicationStatus.INELIGIBLE})


def jsonable(value):
    """Decimals as strings, dates in ISO 8601 (+08:00), model instances by id, containers recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return iso(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _choice_labels(values, choices) -> list[dict]:
    labels = dict(choices)
    return [{"value": v, "label": str(labels.get(v, v))} for v in values or []]


def person_brief(person) -> dict | None:
    """A person of the talent registry as a team member or panellist: no personal data."""
    if person is None:
        return None
    return {"id": person.pk, "name": person.name, "title": person.title,
            "organization": organization_out(person.organization) if person.organization_id else None}


def contact_out(person, user) -> dict | None:
    """An application's contact: phone and e-mail masked except for the person and administrators."""
    if person is None:
        return None
    from techmarket.directory.permissions import can_see_person_personal_data

    clear = can_see_person_personal_data(user, person)
    return {"id": person.pk, "name": person.name, "title": person.title,
            "phone": person.phone if clear else mask("phone", person.phone),
            "email": person.email if clear else mask("email", person.email)}


def contract_out(contract) -> dict | None:
    if contract is None:
        return None
    return {"id": contract.pk, "name": getattr(contract, "name", ""), "status": contract.status,
            "status_display": contract.get_status_display(),
            "url": _url("contracts:manage_detail", pk=contract.pk)}


# --- challenges ------------------------------------------------------------------------------------------

def criterion_out(criterion) -> dict:
    return {"id": criterion.pk, "name": criterion.name, "weight": criterion.weight,
            "sort_order": criterion.sort_order}


def _kind_choices():
    from techmarket.directory.choices import OrganizationKind

    return [(v, l) for v, l in OrganizationKind.choices if v in APPLICANT_KINDS]


def _qualification_choices():
    from techmarket.directory.choices import QualificationKind

    return QualificationKind.choices


def challenge_attachment_url(attachment) -> str:
    return f"/api/v1/challenges/{attachment.record_id}/attachments/{attachment.pk}"


def application_attachment_url(attachment) -> str:
    application = attachment.record
    return (f"/api/v1/challenges/{application.challenge_id}/applications/{application.pk}"
            f"/attachments/{attachment.pk}")


def milestone_evidence_url(attachment) -> str:
    milestone = attachment.record
    return f"/api/v1/challenges/{milestone.challenge_id}/milestones/{milestone.pk}/evidence/{attachment.pk}"


def _winner_out(challenge, *, managed: bool) -> dict | None:
    if challenge.winner_id is None or challenge.status not in AWARDED_STATUSES:
        return None
    winner = challenge.winner
    data = {"organization": organization_out(winner.organization)}
    if managed:
        data.update({"application": winner.pk, "price": yuan_str(winner.price_fen),
                     "duration_months": winner.duration_months})
    return data


def _caller_unit(user, challenge) -> dict:
    """What the caller's unit may do with a published challenge (the 揭榜 button)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "organization_id", None):
        return {"agreement_accepted": False, "can_apply": False, "apply_refusal": None}
    accepted = challenge.acceptances.filter(organization_id=user.organization_id).exists()
    refusal = permissions.apply_refusal(user, challenge)
    return {"agreement_accepted": accepted, "can_apply": refusal is None,
            "apply_refusal": None if refusal is None else str(refusal)}


def challenge_out(challenge, user, *, detail: bool = False) -> dict:
    """The public view for everyone; the managed block for the setter and the staff in scope."""
    managed = permissions.can_manage_challenge(user, challenge)
    data = {
        "id": challenge.pk,
        "title": challenge.title,
        "keywords": challenge.keywords,
        "problem_statement": challenge.problem_statement,
        "indicators": challenge.indicators,
        "tech_field": term_out(challenge.tech_field),
        "owner_organization": organization_out(challenge.owner_organization),
        "region": region_out(challenge.region),
        "budget_min": yuan_str(challenge.budget_min_fen),
        "budget_max": yuan_str(challenge.budget_max_fen),
        "application_deadline": iso(challenge.application_deadline),
        "duration_months": challenge.duration_months,
        "ip_terms": challenge.ip_terms,
        "ip_terms_display": challenge.get_ip_terms_display(),
        "ip_terms_note": challenge.ip_terms_note,
        "eligible_region": region_out(challenge.eligible_region),
        "eligible_kinds": _choice_labels(challenge.eligible_kinds, _kind_choices()),
        "eligible_qualifications": _choice_labels(challenge.eligible_qualifications, _qualification_choices()),
        "eligibility_note": challenge.eligibility_note,
        "published_at": iso(challenge.published_at),
        "awarded_at": iso(challenge.awarded_at),
        "closed_at": iso(challenge.closed_at),
        "is_public": challenge.is_public,
        "winner": _winner_out(challenge, managed=managed),
        "application_count": challenge.applications.filter(submitted_at__isnull=False).count(),
        "has_confidential_detail": bool(challenge.confidential_detail.strip())
        or challenge.attachments.filter(is_confidential=True).exists(),
        "can_view_confidential": permissions.can_see_confidential(user, challenge),
        "url": challenge.get_absolute_url(),
        **workflow_fields(challenge, user),
        "managed": managed,
    }
    if challenge.status == ChallengeStatus.PUBLISHED:
        data.update(_caller_unit(user, challenge))
    if detail:
        data["agreement_text"] = challenge.agreement_text
        data["criteria"] = [criterion_out(c) for c in challenge.criteria.all()]
        attachments = challenge.attachments.all()
        if not data["can_view_confidential"]:
            attachments = attachments.filter(is_confidential=False)
        data["attachments"] = [attachment_out(a, url=challenge_attachment_url(a)) for a in attachments]
    if managed:
        data.update({
            "manage_url": challenge.get_manage_url(),
            "demand": {"id": challenge.demand_id, "title": challenge.demand.title},
            "pool_entry": challenge.pool_entry_id,
            "started_on": iso(challenge.started_on),
            "due_on": iso(challenge.due_on),
            "contract": contract_out(challenge.contract) if challenge.contract_id else None,
            "created_at": iso(challenge.created_at),
            "updated_at": iso(challenge.updated_at),
            "can_edit": permissions.can_edit_challenge(user, challenge)
            and challenge.status in EDITABLE_CHALLENGE_STATUSES,
        })
        if detail:
            data["review"] = review_out(challenge)
            data["history"] = history_out(challenge)
    return data


def acceptance_out(acceptance) -> dict:
    return {"challenge": acceptance.challenge_id, "organization": organization_out(acceptance.organization),
            "accepted_at": iso(acceptance.accepted_at), "agreement_text": acceptance.agreement_text}


def confidential_out(result: dict) -> dict:
    """``services.confidential_view``'s answer: the detail and every attachment (the view is logged)."""
    return {"confidential_detail": result.get("detail", ""),
            "attachments": [attachment_out(a, url=challenge_attachment_url(a)) for a in result.get("attachments", [])]}


# --- applications ----------------------------------------------------------------------------------------

def member_out(member) -> dict:
    return {"organization": organization_out(member.organization), "role": member.role,
            "role_display": member.get_role_display(), "responsibility": member.responsibility}


def team_member_out(row) -> dict:
    return {"person": person_brief(row.person), "role": row.role, "is_leader": row.is_leader}


def planned_milestone_out(row) -> dict:
    return {"id": row.pk, "title": row.title, "deliverable": row.deliverable, "month": row.month}


def _sees_ranking(user, challenge) -> bool:
    from .review_permissions import can_view_ranking

    return can_view_ranking(user, challenge)


def _sees_feedback(user, application) -> bool:
    challenge = application.challenge
    return (_sees_ranking(user, challenge) or permissions.is_applicant(user, application)
            or application.members.filter(organization_id=getattr(user, "organization_id", None)).exists())


def application_out(application, user, *, detail: bool = False) -> dict:
    challenge = application.challenge
    data = {
        "id": application.pk,
        "challenge": {"id": challenge.pk, "title": challenge.title, "status": challenge.status,
                      "status_display": challenge.get_status_display()},
        "organization": organization_out(application.organization),
        "members": [member_out(m) for m in application.members.all()],
        "price": yuan_str(application.price_fen),
        "duration_months": application.duration_months,
        "submitted_at": iso(application.submitted_at),
        "created_at": iso(application.created_at),
        "updated_at": iso(application.updated_at),
        **workflow_fields(application, user),
        "can_edit": permissions.is_applicant(user, application) and application.status == ApplicationStatus.DRAFT,
        "score": None, "rank": None, "feedback": None,
    }
    if _sees_ranking(user, challenge):
        data["score"] = None if application.score is None else str(application.score)
        data["rank"] = application.rank
    if application.status in DECIDED_APPLICATION_STATUSES and _sees_feedback(user, application):
        from techmarket.feedback.services import reason_label

        code = application.feedback_code or None
        data["feedback"] = {"reason_code": code, "reason_label": reason_label(REASON_NOT_AWARDED, code) if code else "",
                            "comment": application.feedback}
    if detail:
        data.update({
            "technical_plan": application.technical_plan,
            "contact": contact_out(application.contact, user),
            "team": [team_member_out(t) for t in application.team.select_related("person__organization")],
            "milestones": [planned_milestone_out(m) for m in application.planned_milestones.all()],
            "attachments": [attachment_out(a, url=application_attachment_url(a))
                            for a in application.attachments.all()],
            "history": history_out(application),
        })
    return data


# --- review ----------------------------------------------------------------------------------------------

def panel_member_out(member, user) -> dict:
    return {"id": member.pk, "person": person_brief(member.person), "is_chair": member.is_chair,
            "appointed_at": iso(member.created_at), **workflow_fields(member, user)}


def candidate_out(person, conflict) -> dict:
    return {"person": person_brief(person), "has_account": person.user_id is not None,
            "conflict": None if conflict is None else str(conflict)}


def review_row_out(row: dict) -> dict:
    """One row of ``review.reviews_visible_to`` (reviewer already a name or 专家N there)."""
    return jsonable(row)


def own_review_out(review) -> dict | None:
    """The panellist's own review (scores by criterion id)."""
    if review is None:
        return None
    return {"id": review.pk, "application": review.application_id, "status": review.status,
            "status_display": review.get_status_display(), "scores": jsonable(review.scores),
            "total": None if review.total is None else str(review.total), "comment": review.comment,
            "submitted_at": iso(review.submitted_at)}


def ranking_row_out(row: dict) -> dict:
    application = row.get("application")
    data = {k: jsonable(v) for k, v in row.items() if k != "application"}
    if isinstance(application, Model):
        data["application"] = {"id": application.pk, "organization": organization_out(application.organization),
                               "price": yuan_str(application.price_fen), "status": application.status,
                               "status_display": application.get_status_display()}
    else:
        data["application"] = jsonable(application)
    return data


# --- delivery --------------------------------------------------------------------------------------------

def milestone_out(milestone, user) -> dict:
    return {
        "id": milestone.pk, "title": milestone.title, "deliverable": milestone.deliverable,
        "due_on": iso(milestone.due_on), "report": milestone.report, "submitted_at": iso(milestone.submitted_at),
        "confirmed_at": iso(milestone.confirmed_at), "sort_order": milestone.sort_order,
        "evidence": [attachment_out(a, url=milestone_evidence_url(a)) for a in milestone.attachments.all()],
        **workflow_fields(milestone, user),
    }


def acceptance_review_out(review, user) -> dict:
    """An acceptance meeting with the panellists' opinions; names for the staff in scope only."""
    challenge = review.challenge
    named = permissions.is_staff_in_scope(user, challenge)
    order = {pk: n for n, pk in enumerate(challenge.panel.order_by("pk").values_list("pk", flat=True), 1)}
    opinions = []
    for opinion in review.opinions.select_related("member__person"):
        opinions.append({
            "member": opinion.member.person.name if named else "专家{n}".format(n=order.get(opinion.member_id, "")),
            "outcome": opinion.outcome, "outcome_display": opinion.get_outcome_display(),
            "opinion": opinion.opinion, "at": iso(opinion.updated_at)})
    return {"id": review.pk, "held_on": iso(review.held_on), "outcome": review.outcome or None,
            "outcome_display": review.get_outcome_display() if review.outcome else "",
            "conclusion": review.conclusion, "extended_to": iso(review.extended_to),
            "decided_at": iso(review.decided_at), "opinions": opinions}


def support_out(result: dict) -> dict:
    """``support.challenge_support``'s answer: amounts in fen become yuan strings (``*_fen`` → ``*``)."""
    def convert(value):
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key.endswith("_fen"):
                    out[key[:-4]] = yuan_str(item)
                elif key == "policy" and isinstance(item, Model):
                    out[key] = {"id": item.pk, "code": item.code, "name": item.name,
                                "version": getattr(item, "version", None), "payer": getattr(item, "payer", None),
                                "payer_display": item.get_payer_display() if hasattr(item, "get_payer_display")
                                else None}
                else:
                    out[key] = convert(item)
            return out
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return jsonable(value)

    return convert(result)


# --- the pool --------------------------------------------------------------------------------------------

def round_out(round_, user) -> dict:
    return {"id": round_.pk, "city": region_out(round_.city), "title": round_.title,
            "description": round_.description, "opens_on": iso(round_.opens_on), "deadline": iso(round_.deadline),
            "entry_count": round_.entries.count(), "created_at": iso(round_.created_at),
            **workflow_fields(round_, user)}


def pool_entry_out(entry, user) -> dict:
    demand = entry.demand
    return {"id": entry.pk,
            "demand": {"id": demand.pk, "title": demand.title, "tech_field": term_out(demand.tech_field),
                       "owner_organization": organization_out(demand.owner_organization),
                       "region": region_out(demand.region), "budget_min": yuan_str(demand.budget_min_fen),
                       "budget_max": yuan_str(demand.budget_max_fen)},
            "round": None if entry.round_id is None else {"id": entry.round_id, "title": entry.round.title},
            "note": entry.note, "created_at": iso(entry.created_at), "updated_at": iso(entry.updated_at),
            "challenges": list(entry.challenges.values_list("pk", flat=True)),
            "review": review_out(entry),
            **workflow_fields(entry, user)}


def push_recipient_out(row) -> dict:
    get = (lambda k: row.get(k)) if isinstance(row, dict) else (lambda k: getattr(row, k, None))
    return {"name": get("name"), "organization": get("organization"), "sent_at": iso(get("sent_at")),
            "opened_at": iso(get("opened_at")), "read_at": iso(get("read_at"))}


def stats_row_out(row: dict) -> dict:
    """A statistics row: the awarded amount as a yuan string, ratios as decimal strings."""
    return {
        "key": row["key"], "label": row["label"], "published": row["published"],
        "applications": row["applications"],
        "applications_per_challenge": jsonable(row["applications_per_challenge"]),
        "awarded": row["awarded"], "median_days_to_award": jsonable(row["median_days_to_award"]),
        "awarded_amount": yuan_str(row["awarded_amount_fen"]),
        "accepted": row["accepted"], "failed": row["failed"], "acceptance_rate": jsonable(row["acceptance_rate"]),
    }


__all__ = [
    "AWARDED_STATUSES", "acceptance_out", "acceptance_review_out", "application_out",
    "candidate_out", "challenge_out", "confidential_out", "contact_out", "criterion_out", "jsonable",
    "milestone_out", "own_review_out", "panel_member_out", "pool_entry_out", "push_recipient_out",
    "ranking_row_out", "review_row_out", "round_out", "stats_row_out", "support_out",
]
