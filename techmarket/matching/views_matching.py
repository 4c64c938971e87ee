"""Pages of matching (X2), marks (B2) and push (X3).

* ``/manage/demands/<pk>/matches/`` and ``/manage/achievements/<pk>/matches/``: the ranked matches of a
  record with their explanations, the 有用 / 不适用 buttons, the declined targets, the reasons others
  declined this record, and for demands the push record (who was notified, who opened it).
* ``…/matches/panel/``: the same, short, loaded by HTMX into the record's managed detail page
  (``matching/_matches_panel.html``).
* ``…/matches/mark/``: POST of one mark.
* ``/subscriptions/fields/``: the technology fields a user follows for pushed demands.

Only owners and reviewers in scope see these pages (the record's managed view); everyone else gets 404.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.achievements.records import is_owner
from techmarket.core.errors import ApplicationError
from techmarket.core.views import forbidden
from techmarket.feedback.services import reason_codes_for

from .marks import (
    DECLINE_CONTEXT,
    match_decline_stats,
    match_declined_by_owner,
    match_mark,
    match_marks_for,
    match_source_get_for_user,
)
from .matching import DEFAULT_TARGETS, record_matches
from .models import DocType

PAGE_LIMIT = 30   # matches shown per type on the full page
PANEL_LIMIT = 5   # matches shown in the panel of the detail page

_NS = {"demands": DocType.DEMAND, "achievements": DocType.ACHIEVEMENT}
TYPE_LABELS = {DocType.ACHIEVEMENT: gettext_lazy("科技成果"), DocType.DEMAND: gettext_lazy("技术需求")}


def _type_labels(source_type: str) -> dict:
    labels = {DocType.ACHIEVEMENT: _("科技成果"), DocType.DEMAND: _("技术需求"), DocType.EXPERT: _("专家人才"),
              DocType.ORGANIZATION: _("高校院所") if source_type == DocType.DEMAND else _("企业")}
    return {t: labels[t] for t in DEFAULT_TARGETS[source_type]}


def _source(request, ns: str, pk: int):
    source_type = _NS.get(ns)
    if source_type is None:
        raise Http404
    return source_type, match_source_get_for_user(user=request.user, source_type=source_type, source_id=pk)


def _rows(matches, marks):
    return [{"match": m, "mark": marks.get((m.target_type, m.target_id))} for m in matches]


def _target_url(match) -> str:
    """The target's public page."""
    record = match.record
    if match.target_type == DocType.EXPERT:
        return reverse("directory:person_detail", kwargs={"pk": record.pk})
    if match.target_type == DocType.ORGANIZATION:
        return reverse("directory:organization_detail", kwargs={"pk": record.pk})
    return record.get_absolute_url()


def _context(request, source_type: str, record, *, target_type: str | None, limit: int) -> dict:
    from .push import push_summary

    labels = _type_labels(source_type)
    if target_type and target_type not in labels:
        target_type = None
    types = [target_type] if target_type else list(labels)
    matches = record_matches(record, user=request.user, target_types=types, limit=limit)
    marks = match_marks_for(source=record, user=request.user)
    rows = _rows(matches, marks)
    for row in rows:
        row["url"] = _target_url(row["match"])
        row["type_label"] = labels.get(row["match"].target_type, "")
    return {
        "object": record, "source_type": source_type, "rows": rows, "type_labels": labels,
        "target_type": target_type or "",
        "reasons": list(reason_codes_for(DECLINE_CONTEXT)),
        "push": push_summary(record) if source_type == DocType.DEMAND else None,
        "base_url": record.get_manage_url() + "matches/",
        "is_owner_view": is_owner(request.user, record),
    }


@login_required
@require_GET
def matches_page(request, ns: str, pk: int):
    source_type, record = _source(request, ns, pk)
    context = _context(request, source_type, record, target_type=request.GET.get("type") or None,
                       limit=PAGE_LIMIT)
    context.update({
        "declined": match_declined_by_owner(source=record),
        "decline_stats": match_decline_stats(record.owner_organization, record=record),
        "org_decline_stats": match_decline_stats(record.owner_organization),
        "noun": TYPE_LABELS[source_type],
    })
    return render(request, "matching/matches.html", context)


@login_required
@require_GET
def matches_panel(request, ns: str, pk: int):
    source_type, record = _source(request, ns, pk)
    return render(request, "matching/_matches_panel_body.html",
                  _context(request, source_type, record, target_type=None, limit=PANEL_LIMIT))


@login_required
@require_POST
def match_mark_post(request, ns: str, pk: int):
    _source_type, record = _source(request, ns, pk)
    data = request.POST
    useful = data.get("useful") in ("1", "true", "on")
    try:
        match_mark(source=record, target_type=data.get("target_type", ""), target_id=data.get("target_id"),
                   useful=useful, reason_code=data.get("reason_code") or None, comment=data.get("comment", ""),
                   by=request.user)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, _("已标记为有用") if useful else _("已标记为不适用，感谢反馈"))
    back = record.get_manage_url() + "matches/"
    tab = data.get("type")
    if tab in DEFAULT_TARGETS.get(_NS[ns], ()):
        back += f"?type={tab}"
    return redirect(back)


# --- per-field subscriptions ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def field_subscriptions(request):
    from techmarket.notifications.selectors import subscription_preference
    from techmarket.taxonomies.models import Term

    from .models import FieldSubscription
    from .push import PUSH_TOPIC, field_subscriptions_set

    terms = list(Term.objects.filter(scheme__code="hitech_domains", is_active=True, level__lte=2)
                 .order_by("sort_order", "code"))
    if request.method == "POST":
        ids = set()
        for value in request.POST.getlist("tech_fields"):
            if value.isdigit():
                ids.add(int(value))
        chosen = [t for t in terms if t.pk in ids]
        try:
            field_subscriptions_set(user=request.user, tech_fields=chosen)
        except ApplicationError as exc:
            for item in exc.errors:
                messages.error(request, item.message)
        else:
            messages.success(request, _("已保存关注的技术领域（{n} 个）").format(n=len(chosen)))
            return redirect("matching:field_subscriptions")
    followed = set(FieldSubscription.objects.filter(user=request.user).values_list("tech_field_id", flat=True))
    tops = [t for t in terms if t.level == 1]
    groups = [{"term": top, "children": [t for t in terms if t.parent_id == top.pk]} for top in tops]
    return render(request, "matching/subscriptions_fields.html", {
        "groups": groups, "followed": followed, "preference": subscription_preference(user=request.user,
                                                                                      topic=PUSH_TOPIC),
    })
