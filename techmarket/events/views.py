"""Pages of 对接活动: the public list and detail with registration, and the managed view (organizer and
staff in scope): edit, workflow actions, participant list and its .xlsx export.

Refusals: 404 for events the user may not see or manage, the Chinese 403 page for PermissionDenied,
ApplicationError messages on the form fields they name.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm
from techmarket.core.views import forbidden as _forbidden
from techmarket.core.views import workflow_action_panel, workflow_action_post
from techmarket.directory.forms import add_service_errors

from . import selectors, services
from .exporters import participants_xlsx_response
from .forms import EventFilterForm, EventForm, ManageFilterForm, RegistrationForm
from .permissions import can_create_event, can_edit_event, event_edit_refusal
from .representations import event_out, registration_out, showcased

PAGE_SIZE = 20
UPCOMING_LIMIT = 50


def _nav(request) -> dict:
    user = request.user
    return {"may_manage": selectors.may_manage_events(user), "can_create": can_create_event(user)}


# Public ---------------------------------------------------------------------------------------------------

@require_GET
def public_list(request):
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    try:
        upcoming = selectors.event_list_public(when="upcoming", **filters)
        past = selectors.event_list_public(when="past", **filters)
    except ApplicationError as exc:
        add_service_errors(form, exc)
        upcoming, past = selectors.event_list_public(when="upcoming"), selectors.event_list_public(when="past")
    upcoming_rows = [(e, selectors.places_left(e)) for e in upcoming[:UPCOMING_LIMIT]]
    return render(request, "events/list.html", {
        **_nav(request), "form": form, "upcoming": upcoming_rows,
        "past_page": Paginator(past, PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _public_detail(request, event, *, form: RegistrationForm | None = None, status: int = 200):
    user = request.user
    data = event_out(event, user, detail=True)
    if form is None and user.is_authenticated and data["my_registration"] is None:
        form = RegistrationForm(initial={"attendee_name": user.name or user.username, "attendee_count": 1})
    return render(request, "events/detail.html", {
        **_nav(request), "object": event, "data": data, "form": form,
        "achievements": showcased(event),
    }, status=status)


@require_GET
def public_detail(request, pk: int):
    return _public_detail(request, selectors.event_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def register(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.event_register(event=event, by=request.user, data=form.cleaned_data)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("报名成功"))
            return redirect("events:detail", pk=pk)
    return _public_detail(request, event, form=form)


@login_required
@require_POST
def unregister(request, pk: int):
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    try:
        services.event_registration_cancel(event=event, by=request.user)
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, _("已取消报名"))
    return redirect("events:detail", pk=pk)


# Managed --------------------------------------------------------------------------------------------------

@login_required
@require_GET
def manage_list(request):
    user = request.user
    if not selectors.may_manage_events(user):
        raise Http404
    form = ManageFilterForm(request.GET or None)
    try:
        qs = selectors.event_list_managed(user=user, **form.filters())
    except ApplicationError as exc:
        add_service_errors(form, exc)
        qs = selectors.event_list_managed(user=user)
    return render(request, "events/manage_list.html", {
        **_nav(request), "form": form, "page_obj": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
    })


def _manage_detail(request, event, *, bound: ActionForm | None = None):
    user = request.user
    actions = workflow_action_panel(event, user, bound=bound)
    registrations = selectors.event_registrations_for(user=user, event=event)
    return render(request, "events/manage_detail.html", {
        **_nav(request), "object": event, "data": event_out(event, user, detail=True), "actions": actions,
        "can_edit": can_edit_event(user, event),
        "participants": [registration_out(r, user) for r in registrations],
    })


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _manage_detail(request, selectors.event_get_managed(user=request.user, pk=pk))


def _form_page(request, *, event=None):
    user = request.user
    form = EventForm(request.POST if request.method == "POST" else None, user=user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = services.event_create(by=user, data=form.service_data())
                messages.success(request, _("已保存活动草稿“{t}”").format(t=event.title))
            else:
                services.event_update(event=event, by=user, data=form.service_data())
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("events:manage_detail", pk=event.pk)
    return render(request, "events/manage_form.html", {**_nav(request), "form": form, "object": event})


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    if not can_create_event(request.user):
        raise Http404
    return _form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    event = selectors.event_get_managed(user=request.user, pk=pk)
    refusal = event_edit_refusal(request.user, event)
    if refusal:
        return _forbidden(request, PermissionDenied(refusal))
    return _form_page(request, event=event)


@login_required
@require_POST
def manage_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=selectors.event_get_managed(user=user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.event_act(
            event=record, action=action, by=by, comment=comment),
        page=lambda bound: _manage_detail(request, selectors.event_get_managed(user=user, pk=pk), bound=bound),
        done=lambda event, action: reverse("events:manage_detail", kwargs={"pk": event.pk}))


@login_required
@require_GET
def manage_export(request, pk: int):
    event = selectors.event_get_managed(user=request.user, pk=pk)
    return participants_xlsx_response(user=request.user, event=event)
