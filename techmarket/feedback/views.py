"""Back-office page: reason statistics (/manage/reasons/)."""
from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from techmarket.accounts.permissions import is_region_staff

from .models import ReasonContext
from .selectors import reason_statistics, reason_statistics_organization_for


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date_or_none(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def reason_statistics_view(request):
    user = request.user
    organization = reason_statistics_organization_for(
        user=user, organization_id=_int_or_none(request.GET.get("organization")))
    contexts = list(ReasonContext.objects.all())
    context = request.GET.get("context") or None
    if context not in {c.slug for c in contexts}:
        context = None
    since = _date_or_none(request.GET.get("since"))
    rows = reason_statistics(context=context, organization=organization, since=since)
    groups = []
    for slug, items in groupby(rows, key=lambda r: r["context"]):
        items = list(items)
        total = sum(r["count"] for r in items)
        for r in items:
            r["share"] = round(100 * r["count"] / total) if total else 0
        groups.append({"context": slug, "label": items[0]["context_label"], "total": total, "items": items})
    return render(request, "feedback/reason_statistics.html", {
        "groups": groups,
        "contexts": contexts,
        "selected_context": context,
        "organization": organization,
        "since": since,
        "is_staff_view": is_region_staff(user),
        "grand_total": sum(g["total"] for g in groups),
    })
