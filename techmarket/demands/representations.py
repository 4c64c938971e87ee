"""JSON shapes of demands: the public view (description only) and the managed view (SPEC §3)."""
from __future__ import annotations

from techmarket.achievements.records import can_view_managed
from techmarket.achievements.representations import (
    attachment_out,
    confidential_out,
    freshness_out,
    managed_common,
    organization_out,
    region_out,
    term_out,
)
from techmarket.core.api import iso, workflow_fields
from techmarket.core.money import yuan_str


def demand_out(demand, user, *, detail: bool = False, ip: str | None = None, attachment_url=None) -> dict:
    data = {
        "id": demand.pk,
        "title": demand.title,
        "summary": demand.description,
        "keywords": demand.keywords,
        "tech_field": term_out(demand.tech_field),
        "owner_organization": organization_out(demand.owner_organization),
        "region": region_out(demand.region),
        "budget_min": yuan_str(demand.budget_min_fen),
        "budget_max": yuan_str(demand.budget_max_fen),
        "deadline": iso(demand.deadline),
        "is_public": demand.is_public,
        **freshness_out(demand, user),
    }
    if detail:
        data.update(confidential_out(demand, user, ip=ip, what="需求保密信息"))
        if attachment_url is not None:
            from techmarket.achievements.selectors import attachments_visible_to

            data["attachments"] = [attachment_out(a, url=attachment_url(a))
                                   for a in attachments_visible_to(user=user, record=demand)]
    data["managed"] = can_view_managed(user, demand)
    if data["managed"]:
        data.update(workflow_fields(demand, user))
        if detail:
            data.update(managed_common(demand, user))
    return data
