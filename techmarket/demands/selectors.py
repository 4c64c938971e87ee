"""User-dependent reads of demands."""
from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from techmarket.achievements.records import can_view
from techmarket.achievements.selectors import attachments_visible_to, filter_common, managed_scope, public_filter, yuan_filter_value

from .choices import DemandStatus
from .models import Demand


def _base():
    return Demand.objects.select_related("tech_field", "region", "owner_organization", "contact")


def demand_list(*, user=None, mine: bool = False, manage: bool = False, region: str | None = None,
                field: str | None = None, budget_min=None, budget_max=None, q: str | None = None,
                status: str | None = None) -> QuerySet:
    """Public list (published, not expired) or, with ``mine`` / ``manage``, the caller's managed list."""
    qs = _base()
    if mine or manage:
        qs = managed_scope(qs, user, mine=mine, manage=manage)
    else:
        qs = public_filter(qs)
        status = None
    qs = filter_common(qs, region=region, field=field, q=q, status=status, status_choices=DemandStatus.values)
    low, high = yuan_filter_value(budget_min, "budget_min"), yuan_filter_value(budget_max, "budget_max")
    if low is not None or high is not None:
        qs = qs.annotate(_low=Coalesce("budget_min_fen", "budget_max_fen"),
                         _high=Coalesce("budget_max_fen", "budget_min_fen"))
        if low is not None:
            qs = qs.filter(_high__gte=low)
        if high is not None:
            qs = qs.filter(_low__lte=high)
    return qs.order_by(*(["-updated_at", "-pk"] if (mine or manage) else ["-published_at", "-pk"]))


def demand_get_for_user(*, user, pk) -> Demand:
    try:
        demand = _base().get(pk=int(pk))
    except (Demand.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view(user, demand):
        raise Http404
    return demand


def demand_attachments_visible_to(*, user, demand):
    return attachments_visible_to(user=user, record=demand)
