"""Pages of 科研诚信记录 (SPEC I1).

* ``/integrity/`` 科研诚信记录查询: anyone; published records in effect or expired, by name or credit code.
* ``/manage/integrity/…``: region staff of the record's subtree see (404 otherwise); bureau administrators of
  the record's region record, correct and revoke (403 page for staff who see but may not change).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from techmarket.core.errors import ApplicationError
from techmarket.core.forms import add_service_errors
from techmarket.core.masking import mask_text
from techmarket.core.views import forbidden
from techmarket.core.xlsx import xlsx_response

from . import permissions, selectors, services
from .forms import ManagedFilterForm, PublicQueryForm, RecordForm, RevokeForm
from .representations import export_rows, managed_columns, public_columns
from .selectors import RecordState, record_state

PAGE_SIZE = 20


def export_response(user, *, managed: bool, params):
    """The public or the managed list as .xlsx, with the list's filters (``q``, and for staff
    ``record_type``, ``state``, ``published``). Managed exports need region staff (404 otherwise)."""
    today = timezone.localdate()
    if managed:
        if not permissions.can_view_managed(user):
            raise Http404
        form = ManagedFilterForm(params)
        qs = selectors.integrity_records_managed(user, on=today, **form.filters())
        columns = managed_columns()
    else:
        form = PublicQueryForm(params)
        q = form.cleaned_data.get("q", "") if form.is_valid() else ""
        qs = selectors.integrity_public_records(q=q, on=today)
        columns = public_columns()
    stamp = today.strftime("%Y%m%d")
    return xlsx_response(_("科研诚信记录-{d}.xlsx").format(d=stamp), columns,
                         export_rows(qs.iterator(chunk_size=2000), managed=managed, on=today),
                         title=_("科研诚信记录"), row_count=qs.count())


def _annotate(records, today):
    """State for the badge; free text with phone and ID numbers masked (SPEC §3)."""
    for r in records:
        r.state = record_state(r, today)
        r.state_display = RecordState.LABELS[r.state]
        r.facts_shown = mask_text(r.facts)
    return records


@require_GET
def public_query(request):
    today = timezone.localdate()
    form = PublicQueryForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.integrity_public_records(q=q, on=today), PAGE_SIZE).get_page(request.GET.get("page"))
    _annotate(page.object_list, today)
    return render(request, "integrity/public_query.html", {"form": form, "page_obj": page, "q": q,
                                                           "today": today})


@require_GET
def public_export(request):
    return export_response(request.user, managed=False, params=request.GET)


@login_required
@require_GET
def manage_export(request):
    return export_response(request.user, managed=True, params=request.GET)


@login_required
@require_GET
def manage_list(request):
    user = request.user
    if not permissions.can_view_managed(user):
        raise Http404
    today = timezone.localdate()
    form = ManagedFilterForm(request.GET or None)
    qs = selectors.integrity_records_managed(user, on=today, **form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _annotate(page.object_list, today)
    return render(request, "integrity/manage_list.html", {
        "form": form, "page_obj": page, "can_create": permissions.can_create_records(user),
        "query": request.GET.urlencode()})


def _detail(request, record, *, revoke_form=None, status=200):
    user = request.user
    today = timezone.localdate()
    _annotate([record], today)
    record.note_shown = mask_text(record.note)
    can_change = permissions.can_change_record(user, record) and record.revoked_on is None
    return render(request, "integrity/manage_detail.html", {
        "object": record, "can_change": can_change,
        "revoke_form": revoke_form or (RevokeForm() if can_change else None),
        "can_create": permissions.can_create_records(user),
        "block_reason": selectors.integrity_block_reason(organization=record.organization, person=record.person,
                                                         credit_code=record.subject_credit_code, on=today),
    }, status=status)


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _detail(request, selectors.integrity_record_get_for_user(user=request.user, pk=pk))


def _form_page(request, *, record=None):
    user = request.user
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                if record is None:
                    record = services.integrity_record_create(by=user, data=form.service_data())
                    messages.success(request, _("已登记科研诚信记录“{n}”").format(n=record.subject_name))
                else:
                    services.integrity_record_update(record=record, by=user, data=form.service_data())
                    messages.success(request, _("已保存"))
            except PermissionDenied as exc:
                return forbidden(request, exc)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("integrity:manage_detail", pk=record.pk)
    else:
        form = RecordForm(initial=RecordForm.initial_for(record) if record is not None else {})
    return render(request, "integrity/manage_form.html", {"form": form, "object": record,
                                                          "can_create": permissions.can_create_records(user)},
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    if not permissions.can_create_records(request.user):
        raise Http404
    return _form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    record = selectors.integrity_record_get_for_user(user=request.user, pk=pk)
    refusal = permissions.change_refusal(request.user, record)
    if refusal:
        return forbidden(request, PermissionDenied(refusal))
    if record.revoked_on is not None:
        messages.error(request, _("记录已撤销，不能再修改"))
        return redirect("integrity:manage_detail", pk=record.pk)
    return _form_page(request, record=record)


@login_required
@require_http_methods(["POST"])
def manage_revoke(request, pk: int):
    record = selectors.integrity_record_get_for_user(user=request.user, pk=pk)
    refusal = permissions.change_refusal(request.user, record)
    if refusal:
        return forbidden(request, PermissionDenied(refusal))
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.integrity_record_revoke(record=record, by=request.user, reason=form.cleaned_data["reason"],
                                             revoked_on=form.cleaned_data["revoked_on"])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已撤销该记录"))
            return redirect("integrity:manage_detail", pk=record.pk)
    return _detail(request, selectors.integrity_record_get_for_user(user=request.user, pk=pk), revoke_form=form,
                   status=422)
