"""JSON shapes of listings and interests (SPEC §3): money as strings, datetimes +08:00.

The public sees the listing, its achievement's summary and the number of active interests; the seller
and reviewers in scope also get the workflow fields, the latest return reason and the history; an
organization that registered interest sees its own interest.
"""
from __future__ import annotations

from django.utils import timezone

from techmarket.achievements.representations import history_out, organization_out, region_out, review_out, term_out
from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str

from .choices import PUBLIC_STATUSES, InterestStatus, ListingStatus
from .permissions import can_manage_listing, can_see_interest_names, interest_refusal


def achievement_brief(achievement) -> dict:
    return {"id": achievement.pk, "title": achievement.title, "summary": achievement.abstract,
            "tech_field": term_out(achievement.tech_field), "region": region_out(achievement.region),
            "trl": achievement.trl, "owner_organization": organization_out(achievement.owner_organization)}


def seconds_left(listing) -> int | None:
    if listing.status != ListingStatus.OPEN or listing.ends_at is None:
        return None
    return max(0, int((listing.ends_at - timezone.now()).total_seconds()))


def _interest_count(listing) -> int:
    count = getattr(listing, "interest_count", None)
    return count if count is not None else listing.interests.filter(status=InterestStatus.ACTIVE).count()


def interest_out(interest, *, with_names: bool = True) -> dict:
    return {
        "id": interest.pk,
        "organization": organization_out(interest.organization) if with_names else None,
        "registered_by": (interest.user.display_name if interest.user_id else None) if with_names else None,
        "status": interest.status,
        "status_display": interest.get_status_display(),
        "note": interest.note if with_names else "",
        "created_at": iso(interest.created_at),
        "updated_at": iso(interest.updated_at),
    }


def listing_out(listing, user, *, detail: bool = False) -> dict:
    data = {
        "id": listing.pk,
        "achievement": achievement_brief(listing.achievement),
        "seller": organization_out(listing.seller),
        "transfer_mode": listing.transfer_mode,
        "transfer_mode_display": listing.transfer_mode_display,
        "price": yuan_str(listing.price_fen),
        "period_days": listing.period_days,
        "round": listing.round,
        "starts_at": iso(listing.starts_at),
        "ends_at": iso(listing.ends_at),
        "seconds_left": seconds_left(listing),
        "broker": None if listing.broker_id is None else {
            "id": listing.broker_id, "name": listing.broker.name,
            "agency": organization_out(listing.broker.organization) if listing.broker.organization_id else None},
        "conditions": listing.conditions,
        "interest_count": _interest_count(listing),
        "is_public": listing.status in PUBLIC_STATUSES,
        **workflow_fields(listing, user),
    }
    if detail:
        from .selectors import listing_my_interest

        mine = listing_my_interest(listing=listing, user=user)
        refusal = interest_refusal(user, listing)
        data["my_interest"] = None if mine is None else interest_out(mine)
        data["can_register_interest"] = refusal is None
        data["interest_refusal"] = None if refusal is None else refusal.as_list()[0]
        data["can_see_interests"] = can_see_interest_names(user, listing)
    if can_manage_listing(user, listing):
        data["managed"] = True
        data["created_at"] = iso(listing.created_at)
        data["updated_at"] = iso(listing.updated_at)
        if detail:
            data["review"] = review_out(listing)
            data["history"] = history_out(listing)
    else:
        data["managed"] = False
    return data
