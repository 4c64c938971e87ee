"""Reads over coded reasons: which transitions carry them, labels, statistics.

``core.StatusChange`` stores the reason code but not its context; the context is
derived from the model's ``TRANSITIONS[action].reason_context``. Records say how
to find their owning organization with ``REASON_OWNER_FIELD`` (a lookup path from
the record to ``directory.Organization``, e.g. ``"organization"`` or
``"seller__organization"``; ``"pk"`` for an Organization itself).
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.models import StatusChange
from techmarket.directory.models import Organization

from .models import ReasonCode, ReasonContext
from .permissions import can_view_reason_statistics, can_view_reason_statistics_of


@dataclass(frozen=True)
class ReasonTransition:
    """One workflow action that needs a reason code."""

    model: type
    action: str
    context: str


def reason_transitions(*, context: str | None = None) -> list[ReasonTransition]:
    """Every (model, action) whose Transition has a ``reason_context``, optionally of one context."""
    found: list[ReasonTransition] = []
    for model in apps.get_models():
        table = getattr(model, "TRANSITIONS", None)
        if not isinstance(table, dict):
            continue
        for action, spec in table.items():
            reason_context = getattr(spec, "reason_context", None)
            if reason_context and (context is None or reason_context == context):
                found.append(ReasonTransition(model=model, action=action, context=reason_context))
    return found


def reason_context_for(model, action: str) -> str | None:
    spec = getattr(model, "TRANSITIONS", {}).get(action)
    return getattr(spec, "reason_context", None)


def reason_codes_for(context: str, *, include_inactive: bool = False) -> QuerySet[ReasonCode]:
    """The codes offered for a context, in display order (active ones only unless asked)."""
    qs = ReasonCode.objects.filter(context_id=context).select_related("context")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "code")


def reason_label(context: str | None, code: str | None) -> str:
    """The Chinese label of a code; the raw code if it is unknown, "" without a code."""
    if not code:
        return ""
    if context:
        label = ReasonCode.objects.filter(context_id=context, code=code).values_list("label", flat=True).first()
        if label:
            return label
    return code


def reason_display(change: StatusChange) -> str:
    """The label of the reason a StatusChange row carries, for histories the owner sees."""
    if not change.reason_code:
        return ""
    model = change.content_type.model_class()
    return reason_label(reason_context_for(model, change.action) if model else None, change.reason_code)


def reason_context_labels() -> dict[str, str]:
    return dict(ReasonContext.objects.values_list("slug", "label"))


def reason_code_is_used(reason_code: ReasonCode) -> bool:
    """True once any status change of its context carries the code."""
    query = _changes_query(reason_transitions(context=reason_code.context_id))
    if query is None:
        return False
    return StatusChange.objects.filter(query, reason_code=reason_code.code).exists()


def _changes_query(transitions: list[ReasonTransition]) -> Q | None:
    by_model: dict[type, list[str]] = defaultdict(list)
    for t in transitions:
        by_model[t.model].append(t.action)
    query = None
    for model, actions in by_model.items():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        part = Q(content_type=ct, action__in=actions)
        query = part if query is None else query | part
    return query


def _start_of(since) -> datetime.datetime:
    if isinstance(since, datetime.datetime):
        return since if timezone.is_aware(since) else timezone.make_aware(since)
    return timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))


def reason_statistics(*, context: str | None = None, organization=None, since=None) -> list[dict]:
    """How often each reason was given: ``[{"context", "context_label", "code", "label", "count"}]``.

    ``organization`` (an Organization or its pk) limits the count to records that
    belong to it through their model's ``REASON_OWNER_FIELD``; models without one
    are left out of organization statistics. ``since`` is a date or datetime.
    """
    org_pk = getattr(organization, "pk", organization)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for model, context_actions in _group(reason_transitions(context=context)).items():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        for ctx, actions in context_actions.items():
            qs = StatusChange.objects.filter(content_type=ct, action__in=actions).exclude(reason_code="")
            if since is not None:
                qs = qs.filter(created_at__gte=_start_of(since))
            if org_pk is not None:
                owner_field = getattr(model, "REASON_OWNER_FIELD", None)
                if not owner_field:
                    continue
                owned = (model._default_manager.filter(**{owner_field: org_pk})
                         .annotate(_pk_text=Cast("pk", output_field=CharField())).values("_pk_text"))
                qs = qs.filter(object_id__in=owned)
            for row in qs.values("reason_code").annotate(n=Count("pk")):
                counts[(ctx, row["reason_code"])] += row["n"]
    if not counts:
        return []
    contexts = {c.slug: c for c in ReasonContext.objects.filter(slug__in={k[0] for k in counts})}
    codes = {(rc.context_id, rc.code): rc for rc in
             ReasonCode.objects.filter(context_id__in={k[0] for k in counts}, code__in={k[1] for k in counts})}
    rows = []
    for (ctx, code), n in counts.items():
        rc = codes.get((ctx, code))
        context_obj = contexts.get(ctx)
        rows.append({
            "context": ctx,
            "context_label": context_obj.label if context_obj else ctx,
            "code": code,
            "label": rc.label if rc else code,
            "count": n,
            "_order": (context_obj.sort_order if context_obj else 9999, ctx, -n, rc.sort_order if rc else 9999,
                       code),
        })
    rows.sort(key=lambda r: r["_order"])
    for row in rows:
        del row["_order"]
    return rows


def _group(transitions: list[ReasonTransition]) -> dict[type, dict[str, list[str]]]:
    grouped: dict[type, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in transitions:
        grouped[t.model][t.context].append(t.action)
    return grouped


def reason_statistics_organization_for(*, user, organization_id: int | None):
    """The organization a caller's statistics are limited to, authorised.

    Staff may ask for any organization in their scope or none (all); an
    organization user gets their own organization when they name none,
    and 404 for another one. Raises PermissionDenied for callers with neither.
    """
    if not can_view_reason_statistics(user):
        raise PermissionDenied(_("无权查看原因统计"))
    if organization_id is None:
        if is_region_staff(user):
            return None
        organization_id = user.organization_id
    organization = Organization.objects.select_related("region").filter(pk=organization_id).first()
    if organization is None or not can_view_reason_statistics_of(user, organization):
        raise Http404
    return organization
