"""JSON shapes of deals, public notices and objections (SPEC §3): money as strings, datetimes +08:00.

A deal is seen by its parties and staff in scope only. A notice is public: result name, parties,
price, period and the number of objections — never the objectors; staff in scope see those.
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from techmarket.achievements.representations import history_out, organization_out
from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str

from .permissions import can_resolve_objections, can_see_objector, notice_required
from .selectors import NOTICE_STATES, notice_state, objections_for


def contract_url(contract_id: int | None) -> str | None:
    """The contract's managed page (contracts app), or None when that page is not there."""
    if contract_id is None:
        return None
    try:
        return reverse("contracts:manage_detail", kwargs={"pk": contract_id})
    except NoReverseMatch:
        return None


def objection_out(objection, user, *, deal) -> dict:
    named = can_see_objector(user, deal)
    data = {
        "id": objection.pk,
        "text": objection.text,
        **workflow_fields(objection, user),
        "resolution": objection.resolution,
        "resolved_at": iso(objection.resolved_at),
        "created_at": iso(objection.created_at),
        "objector": None, "objector_organization": None,
    }
    if named:
        data["objector"] = objection.user.display_name
        data["objector_organization"] = organization_out(objection.organization)
    return data


def notice_out(notice, user=None, *, detail: bool = False) -> dict:
    deal = notice.deal
    state = notice_state(notice)
    count = getattr(notice, "objection_count", None)
    data = {
        "id": notice.pk,
        "title": notice.title,
        "achievement": {"id": deal.achievement_id, "title": deal.achievement.title},
        "seller": organization_out(deal.seller),
        "buyer": organization_out(deal.buyer),
        "transfer_mode": deal.transfer_mode,
        "transfer_mode_display": deal.transfer_mode_display,
        "price": yuan_str(deal.price_fen),
        "published_at": iso(notice.published_at),
        "ends_on": iso(notice.ends_on),
        "closes_from": iso(notice.closes_from),
        "state": state,
        "state_display": str(NOTICE_STATES[state]),
        "objection_count": count if count is not None else notice.objections.count(),
        "accepts_objections": state == "running",
    }
    if detail and user is not None and can_see_objector(user, deal):
        data["objections"] = [objection_out(o, user, deal=deal) for o in objections_for(notice=notice)]
    return data


def deal_out(deal, user, *, detail: bool = False) -> dict:
    notice = getattr(deal, "notice", None)
    data = {
        "id": deal.pk,
        "achievement": {"id": deal.achievement_id, "title": deal.achievement.title},
        "seller": organization_out(deal.seller),
        "buyer": organization_out(deal.buyer),
        "broker": None if deal.broker_id is None else {"id": deal.broker_id, "name": deal.broker.name},
        "method": deal.method,
        "method_display": deal.get_method_display(),
        "transfer_mode": deal.transfer_mode,
        "transfer_mode_display": deal.transfer_mode_display,
        "price": yuan_str(deal.price_fen),
        "listing_id": deal.listing_id,
        "auction_id": deal.auction_id,
        "sign_by": iso(deal.sign_by),
        "closed_at": iso(deal.closed_at),
        "notice_required": notice_required(deal),
        "notice": None if notice is None else notice_out(notice, user),
        "contract_id": deal.contract_id,
        "contract_url": contract_url(deal.contract_id),
        "created_at": iso(deal.created_at),
        "updated_at": iso(deal.updated_at),
        **workflow_fields(deal, user),
    }
    if detail:
        data["history"] = history_out(deal)
        data["can_resolve_objections"] = can_resolve_objections(user, deal)
        if notice is not None:
            data["objections"] = [objection_out(o, user, deal=deal) for o in objections_for(notice=notice)]
    return data
