from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements.tests.factories import term
from techmarket.demands import services


def demand_data(**overrides) -> dict:
    data = {"title": "数控机床主轴热变形补偿", "description": "主轴温升导致加工精度下降，寻求补偿方案。",
            "keywords": ["数控机床", "热变形"], "tech_field": term("hitech_domains", "10"),
            "budget_min": "200000.00", "budget_max": "500000.00",
            "deadline": timezone.localdate() + datetime.timedelta(days=90),
            "confidential_detail": "现有主轴型号及温升曲线。"}
    data.update(overrides)
    return data


def demand(*, owner, **overrides):
    return services.demand_create(by=owner, data=demand_data(**overrides))


def demand_in_state(state: str, *, owner, reviewer, **overrides):
    d = demand(owner=owner, **overrides)
    if state == "draft":
        return d
    if state == "scheduled":
        services.demand_update(demand=d, by=owner, data={"publish_at": timezone.now() + datetime.timedelta(days=3)})
    d = services.demand_act(demand=d, action="submit", by=owner)
    if state == "submitted":
        return d
    if state in ("returned", "rejected"):
        action = "return" if state == "returned" else "reject"
        return services.demand_act(demand=d, action=action, by=reviewer, reason_code="other")
    d = services.demand_approve(demand=d, by=reviewer)
    if state in ("scheduled", "published"):
        return d
    if state == "expired":
        with freeze_time(timezone.now() + datetime.timedelta(days=400)):
            services.demands_freshness_run()
        d.refresh_from_db()
        return d
    if state == "archived":
        return services.demand_act(demand=d, action="archive", by=owner)
    raise ValueError(state)
