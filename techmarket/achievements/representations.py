"""JSON shapes of achievements: the public view (summary only) and the managed view (SPEC §3).

The confidential detail (B3) is added only for callers the disclosure service lets see it, and each
time it is shown ``disclosure_log_access`` records the view.
"""
from __future__ import annotations


from techmarket.core.api import iso, workflow_fields
from techmarket.core.audit import history_for
from techmarket.core.models import StatusChange
from techmarket.core.money import yuan_str

from .choices import TransferMode
from .records import can_view_managed, is_owner


def term_out(term) -> dict | None:
    return None if term is None else {"code": term.code, "name": term.name}


def region_out(region) -> dict | None:
    return None if region is None else {"code": region.code, "name": region.name}


def organization_out(org) -> dict | None:
    return None if org is None else {"id": org.pk, "name": org.name}


def attachment_out(attachment, *, url: str) -> dict:
    return {"id": attachment.pk, "name": attachment.original_name, "size": attachment.size,
            "is_confidential": attachment.is_confidential, "created_at": iso(attachment.created_at), "url": url}


def review_out(record) -> dict | None:
    """The latest return / rejection with its coded reason (B2): shown to the owner and reviewers."""
    from django.contrib.contenttypes.models import ContentType

    from techmarket.feedback.services import reason_label

    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    row = (StatusChange.objects.filter(content_type=ct, object_id=str(record.pk), action__in=("return", "reject"))
           .order_by("-created_at", "-pk").first())
    if row is None:
        return None
    context = type(record).TRANSITIONS[row.action].reason_context
    return {"action": row.action, "action_label": row.action_label, "reason_code": row.reason_code or None,
            "reason_label": reason_label(context, row.reason_code) if row.reason_code else "",
            "comment": row.comment, "at": iso(row.created_at)}


def history_out(record) -> list[dict]:
    rows = []
    for row in history_for(record):
        actor = str(row.actor) if row.actor_id else "系统"
        if isinstance(row, StatusChange):
            rows.append({"kind": "status", "at": iso(row.created_at), "actor": actor, "action": row.action,
                         "action_label": row.action_label, "from_status": row.from_status,
                         "to_status": row.to_status, "comment": row.comment, "reason_code": row.reason_code or None})
        else:
            rows.append({"kind": "change", "at": iso(row.created_at), "actor": actor, "action": row.action,
                         "action_label": row.get_action_display(), "comment": row.comment,
                         "fields": [name for name, _b, _a in row.changed_fields]})
    return rows


def freshness_out(record, user) -> dict:
    return {"published_at": iso(record.published_at), "expires_at": iso(record.expires_at),
            "last_confirmed_at": iso(record.last_confirmed_at)}


def confidential_out(record, user, *, ip: str | None = None, what: str) -> dict:
    """``has_confidential_detail`` always; ``confidential_detail`` only when allowed, and logged."""
    from techmarket.disclosure.services import disclosure_can_view, disclosure_log_access

    has_detail = bool(record.confidential_detail.strip())
    data = {"has_confidential_detail": has_detail, "confidential_detail": None,
            "can_view_confidential": False}
    if has_detail and disclosure_can_view(user=user, record=record):
        disclosure_log_access(user=user, record=record, ip=ip, what=what)
        data["confidential_detail"] = record.confidential_detail
        data["can_view_confidential"] = True
    return data


def managed_common(record, user) -> dict:
    data = workflow_fields(record, user)
    data.update({
        "publish_at": iso(record.publish_at),
        "contact": None if record.contact_id is None else {"id": record.contact_id, "name": record.contact.name},
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "can_edit": is_owner(user, record) and record.status in ("draft", "returned"),
        "can_renew": is_owner(user, record) and record.status in ("published", "expired"),
        "review": review_out(record),
        "history": history_out(record),
    })
    return data


def achievement_out(achievement, user, *, detail: bool = False, ip: str | None = None,
                    attachment_url=None) -> dict:
    """Public fields for everyone; the managed block for owners and reviewers in scope."""
    modes = dict(TransferMode.choices)
    data = {
        "id": achievement.pk,
        "title": achievement.title,
        "summary": achievement.abstract,
        "keywords": achievement.keywords,
        "tech_field": term_out(achievement.tech_field),
        "discipline": term_out(achievement.discipline),
        "trl": achievement.trl,
        "trl_display": achievement.get_trl_display(),
        "patent_numbers": achievement.patent_numbers,
        "ip_type": term_out(achievement.ip_type),
        "owner_organization": organization_out(achievement.owner_organization),
        "region": region_out(achievement.region),
        "transfer_modes": [{"value": m, "label": str(modes.get(m, m))} for m in achievement.transfer_modes],
        "price": yuan_str(achievement.price_fen),
        "price_min": yuan_str(achievement.price_min_fen),
        "price_max": yuan_str(achievement.price_max_fen),
        "negotiable": achievement.negotiable,
        "licence_count": achievement.licence_count,
        "is_public": achievement.is_public,
        **freshness_out(achievement, user),
    }
    if detail:
        data["co_owners"] = [organization_out(o) for o in achievement.co_owners.all()]
        data.update(confidential_out(achievement, user, ip=ip, what="成果保密信息"))
        if attachment_url is not None:
            from .selectors import attachments_visible_to

            data["attachments"] = [attachment_out(a, url=attachment_url(a))
                                   for a in attachments_visible_to(user=user, record=achievement)]
    if can_view_managed(user, achievement):
        data["managed"] = True
        data.update(workflow_fields(achievement, user))
        if detail:
            data.update(managed_common(achievement, user))
    else:
        data["managed"] = False
    return data


