"""Builders for achievement and demand tests: records are created and moved through services."""
from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements import services
from techmarket.taxonomies.models import Term


def term(scheme: str, code: str) -> Term:
    return Term.objects.get(scheme__code=scheme, code=code)


def achievement_data(**overrides) -> dict:
    data = {
        "title": "一种高强度铝合金制备方法",
        "abstract": "通过微合金化提高强度的铝合金制备工艺。",
        "keywords": ["铝合金", "热处理"],
        "tech_field": term("hitech_domains", "10"),
        "trl": 5,
        "patent_numbers": ["CN202310000001.X"],
        "ip_type": term("ip_type", "01"),
        "transfer_modes": ["transfer", "licence_non_exclusive"],
        "price": "500000.00",
        "confidential_detail": "工艺参数：固溶温度 535℃。",
    }
    data.update(overrides)
    return data


def achievement(*, owner, **overrides):
    return services.achievement_create(by=owner, data=achievement_data(**overrides))


def achievement_in_state(state: str, *, owner, reviewer, **overrides):
    """An achievement brought to ``state`` through the services, as users would."""
    a = achievement(owner=owner, **overrides)
    if state == "draft":
        return a
    if state == "scheduled":
        services.achievement_update(achievement=a, by=owner,
                                    data={"publish_at": timezone.now() + datetime.timedelta(days=3)})
    a = services.achievement_act(achievement=a, action="submit", by=owner)
    if state == "submitted":
        return a
    if state in ("returned", "rejected"):
        action = "return" if state == "returned" else "reject"
        return services.achievement_act(achievement=a, action=action, by=reviewer, reason_code="other",
                                        comment="请补充")
    a = services.achievement_approve(achievement=a, by=reviewer)
    if state in ("scheduled", "published"):
        return a
    if state == "expired":
        with freeze_time(timezone.now() + datetime.timedelta(days=400)):
            services.achievements_freshness_run()
        a.refresh_from_db()
        return a
    if state == "traded":
        return services.achievement_mark_transferred(achievement=a, by=owner, exclusive=True)
    if state == "archived":
        return services.achievement_act(achievement=a, action="archive", by=owner)
    raise ValueError(state)
