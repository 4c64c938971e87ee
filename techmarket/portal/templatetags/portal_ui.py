"""Template helpers shared by every app's pages: Bootstrap form fields, status badges, history, figures.

    {% load portal_ui %}
    {% include "includes/form.html" with form=form %}           all fields, errors in Chinese
    {% include "includes/form_field.html" with field=form.title %}
    {% include "includes/status_badge.html" with obj=article %}  or with status=… label=…
    {% include "includes/pagination.html" with page=page_obj %}
    {% history_table article %}                                  rows of core.audit.history_for()
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

register = template.Library()

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Colours of workflow states across apps (Bootstrap contextual names); unknown states are grey.
STATUS_COLORS = {
    "draft": "secondary", "submitted": "primary", "pending": "primary", "in_review": "info",
    "reviewing": "info", "pre_approved": "info", "returned": "warning", "needs_changes": "warning",
    "approved": "success", "published": "success", "registered": "success", "listed": "success",
    "active": "success", "open": "success", "valid": "success", "traded": "dark", "closed": "dark",
    "archived": "dark", "rejected": "danger", "refused": "danger", "revoked": "danger", "void": "danger",
    "cancelled": "secondary", "withdrawn": "secondary", "expired": "secondary", "unpublished": "secondary",
    # market: listings, auctions and their bidders, deals
    "scheduled": "info", "succeeded": "success", "failed": "secondary", "defaulted": "danger",
    "relisted": "secondary", "won": "success", "lost": "secondary", "in_notice": "warning",
    "unsold": "secondary", "dealt": "dark", "to_auction": "info",
    # 揭榜挂帅: challenges, applications, pool entries, milestones
    "awarded": "success", "in_progress": "primary", "acceptance": "info", "accepted": "success",
    "unawarded": "secondary", "not_awarded": "secondary", "ineligible": "danger", "admitted": "success",
    "raised": "dark", "confirmed": "success",
}


@register.filter
def status_color(value) -> str:
    return STATUS_COLORS.get(str(value), "secondary")


def _widget_kind(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def field_kind(bound_field) -> str:
    return _widget_kind(bound_field.field.widget)


@register.filter
def bs_widget(bound_field):
    """The field's widget with Bootstrap classes, is-invalid and aria links to its help and errors."""
    kind = _widget_kind(bound_field.field.widget)
    css = {"checkbox": "form-check-input", "choices": "", "select": "form-select",
           "file": "form-control", "hidden": ""}.get(kind, "form-control")
    existing = bound_field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css, "is-invalid" if bound_field.errors else "") if c)
    attrs = {"class": classes} if classes else {}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def figure(value) -> str:
    """1234567 → 1,234,567; Decimal('1234.5') → 1,234.50."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) or isinstance(value, float):
        return "{:,.2f}".format(value)
    try:
        return "{:,}".format(int(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def shanghai(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A datetime shown in Asia/Shanghai (whatever the active time zone), a date as YYYY-MM-DD."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(SHANGHAI)
        return value.strftime(fmt)
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


# History ----------------------------------------------------------------------------------------

EMPTY = "（空）"


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    field = _model_field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return str(getattr(model, "AUDIT_LABELS", {}).get(name, name))


def _display_value(model, name: str, value, cache: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    field = _model_field(model, name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list) and value and isinstance(value[0], dict):
        # nested snapshots such as an organization's contacts: show each row's values
        return "；".join(" ".join(str(v) for v in row.values() if v not in (None, "")) for row in value)
    if field is not None and field.is_relation and field.related_model is not None:
        values = value if isinstance(value, list) else [value]
        names = []
        for pk in values:
            key = (field.related_model, pk)
            if key not in cache:
                row = field.related_model._default_manager.filter(pk=pk).first()
                cache[key] = str(row) if row is not None else "#{pk}".format(pk=pk)
            names.append(cache[key])
        return "、".join(names)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if not isinstance(value, str):
        return str(value)
    if field is not None and field.get_internal_type() == "DateTimeField":
        parsed = parse_datetime(value)
        if parsed is not None:
            return shanghai(parsed)
    if field is not None and field.get_internal_type() == "DateField":
        parsed = parse_date(value)
        if parsed is not None:
            return parsed.isoformat()
    return value if len(value) <= 80 else value[:80] + "…"


def history_rows(obj, rows=None) -> list[dict]:
    """Normalise ObjectChange and StatusChange rows of ``obj`` for display."""
    from techmarket.core.audit import history_for
    from techmarket.core.models import ObjectChange, StatusChange

    model = type(obj)
    status_field = _model_field(model, "status")
    status_labels = dict(status_field.flatchoices) if status_field is not None and status_field.choices else {}
    cache: dict = {}
    out = []
    for row in (history_for(obj) if rows is None else rows):
        item = {"time": row.created_at, "actor": getattr(row.actor, "display_name", None) or (
            str(row.actor) if row.actor else _("系统")), "comment": row.comment}
        if isinstance(row, StatusChange):
            item.update(kind="status", action=row.action_label or row.action,
                        from_label=str(status_labels.get(row.from_status, row.from_status)),
                        to_label=str(status_labels.get(row.to_status, row.to_status)),
                        reason_code=row.reason_code, changes=[])
        elif isinstance(row, ObjectChange):
            changes = []
            if row.action in (ObjectChange.Action.UPDATE, ObjectChange.Action.IMPORT) and row.before is not None:
                for name, before, after in row.changed_fields:
                    if name in ("updated_at", "created_at"):
                        continue
                    changes.append({"label": _field_label(model, name),
                                    "before": _display_value(model, name, before, cache),
                                    "after": _display_value(model, name, after, cache)})
            item.update(kind="change", action=row.get_action_display(), changes=changes)
        out.append(item)
    return out


@register.inclusion_tag("includes/history.html")
def history_table(obj, rows=None, title=None):
    return {"rows": history_rows(obj, rows), "title": title or _("变更记录")}


@register.filter
def elided_pages(page):
    """Page numbers around the current one, with Paginator.ELLIPSIS for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.simple_tag(takes_context=True)
def page_links(context, page) -> str:
    """The page links of a pagination bar (includes/pagination.html): previous, the numbers around the current
    page with “…” for a gap, next; each URL keeps the request's other parameters, encoded once for the whole bar.
    Written here rather than as a template loop: a bar of nine links cost a search page 0.2 ms in the template."""
    from html import escape

    from django.core.paginator import Paginator
    from django.utils.safestring import mark_safe

    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is not None:
        params.pop("page", None)
    rest = params.urlencode() if params else ""
    prefix = escape(f"?{rest}&page=" if rest else "?page=")
    previous, following = _("‹ 上一页"), _("下一页 ›")

    def link(number, text, rel="") -> str:
        return f'<li class="page-item"><a class="page-link" href="{prefix}{number}"{rel}>{text}</a></li>'

    def inactive(text, state="disabled", current="") -> str:
        return f'<li class="page-item {state}"{current}><span class="page-link">{text}</span></li>'

    items = [link(page.previous_page_number(), previous, ' rel="prev"') if page.has_previous()
             else inactive(previous)]
    for number in elided_pages(page):
        if number == Paginator.ELLIPSIS:
            items.append(inactive("…"))
        elif number == page.number:
            items.append(inactive(number, "active", ' aria-current="page"'))
        else:
            items.append(link(number, number))
    items.append(link(page.next_page_number(), following, ' rel="next"') if page.has_next() else inactive(following))
    return mark_safe('<ul class="pagination pagination-sm mb-0">' + "".join(items) + "</ul>")  # noqa: S308


@register.filter
def file_size(value) -> str:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size >= 1024 * 1024:
        return "{:.1f} MB".format(size / 1024 / 1024)
    return "{:.0f} KB".format(max(size, 1) / 1024) if size >= 1024 else "{} B".format(size)


@register.filter
def file_icon(extension: str) -> str:
    return {"pdf": "file-earmark-pdf", "doc": "file-earmark-word", "docx": "file-earmark-word",
            "wps": "file-earmark-word", "xls": "file-earmark-excel", "xlsx": "file-earmark-excel",
            "zip": "file-earmark-zip", "png": "file-earmark-image", "jpg": "file-earmark-image",
            "ofd": "file-earmark-text"}.get(str(extension).lower(), "file-earmark")
