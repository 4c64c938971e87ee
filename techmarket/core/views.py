"""View glue shared by the apps' managed pages: the 403 page and the workflow "办理" panel.

Each app's detail page offers the actions of ``core.workflows.action_choices`` with one form each and
posts them to ``manage_action``; the lookup, the form, the refusals and the success message are the
same everywhere, so they are written once here. What differs per app (which service acts, which page is
re-rendered, where to go afterwards) is passed in as callables.
"""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm, add_service_errors, permission_message
from techmarket.core.workflows import action_choices


def forbidden(request, exc: PermissionDenied | None = None):
    """The Chinese 403 page naming why (the PermissionDenied text, or the generic refusal)."""
    return render(request, "403.html", {"exception": permission_message(exc or PermissionDenied())}, status=403)


def workflow_action_form(data=None, *, action: str, spec, review: bool = False,
                         label: str | None = None) -> ActionForm:
    """The form of one action; a required comment says so in its label and its error message."""
    form = ActionForm(data, action=action, spec=spec, review=review)
    form.fields["comment"].error_messages["required"] = _("请填写意见")
    if label is not None:
        form.fields["comment"].label = label
    elif spec.comment_required and not spec.reason_context:
        form.fields["comment"].label = _("{action}说明").format(action=spec.label)
    return form


def workflow_action_panel(record, user, *, bound: ActionForm | None = None, hidden=(), review_actions=(),
                          form: Callable = workflow_action_form) -> list[dict]:
    """The "办理" panel rows ``{"name", "spec", "form", "is_review"}`` of what ``user`` may do now.

    ``bound`` is the posted form of a failed action: it is shown again (with its errors) in its row.
    ``hidden`` actions have a button of their own or are the platform's, never a row.
    """
    rows = []
    for name, spec in action_choices(record, user):
        if name in hidden:
            continue
        is_review = name in review_actions
        row_form = (bound if bound is not None and bound.action == name
                    else form(action=name, spec=spec, review=is_review))
        rows.append({"name": name, "spec": spec, "form": row_form, "is_review": is_review})
    return rows


def workflow_action_post(request, *, record, action: str, act: Callable, page: Callable, done: Callable,
                         hidden=(), review_actions=(), form: Callable = workflow_action_form,
                         message: Callable | None = None):
    """POST of one panel action: 404 for an unknown or hidden action, the 403 page for PermissionDenied,
    ApplicationError messages on the form re-rendered by ``page(bound)``, else a success message and a
    redirect to ``done(result, action)``.

    ``act(record=, action=, by=, comment=, reason_code=)`` calls the app's service and returns the record
    (or what ``done`` and ``message(spec, result)`` need; the default message names the new status).
    """
    spec = type(record).TRANSITIONS.get(action)
    if spec is None or action in hidden:
        raise Http404
    bound = form(request.POST, action=action, spec=spec, review=action in review_actions)
    if bound.is_valid():
        try:
            result = act(record=record, action=action, by=request.user, comment=bound.cleaned_data["comment"],
                         reason_code=bound.cleaned_data.get("reason_code") or None)
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            for item in add_service_errors(bound, exc):
                bound.add_error(None, item.message)
        else:
            text = message(spec, result) if message else _("已{action}，当前状态：{status}").format(
                action=spec.label, status=result.get_status_display())
            messages.success(request, text)
            return redirect(done(result, action))
    return page(bound)


def healthz(request):
    """Liveness probe for load balancers and the bare page of ``bench_web``: no database, no template."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
