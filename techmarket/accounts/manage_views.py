"""Back office pages of the accounts app (/manage/registrations/, /manage/users/).

Whoever may not see a page or a record gets 404, for pages and writes alike (SPEC §3).
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.core.masking import mask_email, mask_phone
from techmarket.core.models import StatusChange
from techmarket.core.workflows import action_choices

from . import services
from .forms import RegistrationActionForm, RegistrationFilterForm, UserFilterForm
from .models import RegistrationStatus, User
from .permissions import can_manage_user, can_manage_users, can_review_registrations, can_see_personal_data
from .selectors import (
    registration_get_for_reviewer,
    registration_list_for_reviewer,
    user_get_managed,
    user_list_managed_by,
)
from .uploads import letter_content_type, letter_extension
from .workflows import REJECT_REASON_CONTEXT

PAGE_SIZE = 20


def allowed_only(check):
    """404 unless ``check(user)``: the back office does not reveal itself."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _reason_choices():
    from techmarket.feedback.services import reason_codes_for

    return [(r.code, r.label) for r in reason_codes_for(REJECT_REASON_CONTEXT)]


# Registration requests ----------------------------------------------------------------------------

@allowed_only(can_review_registrations)
@require_GET
def registration_list(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = RegistrationStatus.SUBMITTED
    form = RegistrationFilterForm(data)
    status = q = None
    if form.is_valid():
        status, q = form.cleaned_data["status"] or None, form.cleaned_data["q"] or None
    qs = registration_list_for_reviewer(user=request.user, status=status, q=q)
    return render(request, "accounts/manage/registration_list.html", {
        "filter_form": form, "page_obj": _page(request, qs),
    })


@allowed_only(can_review_registrations)
@require_GET
def registration_detail(request, pk: int):
    from techmarket.directory.choices import OrganizationKind

    registration = registration_get_for_reviewer(user=request.user, pk=pk)
    clear = can_see_personal_data(request.user, region=registration.region)
    return render(request, "accounts/manage/registration_detail.html", {
        "registration": registration,
        "organization_kind_label": dict(OrganizationKind.choices).get(registration.organization_kind,
                                                                      registration.organization_kind),
        "applicant_phone": registration.phone if clear else mask_phone(registration.phone),
        "applicant_email": registration.email if clear else mask_email(registration.email),
        "actions": action_choices(registration, request.user),
        "action_form": RegistrationActionForm(reason_choices=_reason_choices()),
        "history": _history_rows(registration),
    })


def _history_rows(registration) -> list[dict]:
    """Audit and workflow rows in Chinese: status and reason labels, not codes."""
    from techmarket.feedback.services import reason_display

    labels = dict(RegistrationStatus.choices)
    rows = []
    for row in history_for(registration):
        if isinstance(row, StatusChange):
            text = "{a}：{f} → {t}".format(a=row.action_label or row.action, f=labels.get(row.from_status, row.from_status),
                                         t=labels.get(row.to_status, row.to_status))
            reason = reason_display(row)
        else:
            text, reason = row.get_action_display(), ""
        rows.append({"at": row.created_at, "actor": row.actor, "text": text, "reason": reason,
                     "comment": row.comment})
    return rows


@allowed_only(can_review_registrations)
@require_GET
def registration_letter(request, pk: int):
    """The authorisation letter, to in-scope reviewers only (uploads are never served directly)."""
    registration = registration_get_for_reviewer(user=request.user, pk=pk)
    letter = registration.authorization_letter
    if not letter:
        raise Http404
    try:
        handle = letter.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = "授权书-{pk}.{ext}".format(pk=registration.pk, ext=letter_extension(letter.name))
    response = FileResponse(handle, as_attachment=request.GET.get("inline") != "1", filename=filename,
                            content_type=letter_content_type(letter.name))
    response["Cache-Control"] = "private, no-store"
    return response


@allowed_only(can_review_registrations)
@require_POST
def registration_action(request, pk: int, action: str):
    registration = registration_get_for_reviewer(user=request.user, pk=pk)
    form = RegistrationActionForm(request.POST, reason_choices=_reason_choices())
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if action == "approve":
            services.registration_approve(request=registration, by=request.user, comment=comment)
            done = _("已通过注册申请，账号“{u}”已开通")
        elif action == "reject":
            services.registration_reject(request=registration, by=request.user, comment=comment,
                                         reason_code=request.POST.get("reason_code", ""))
            done = _("已将注册申请“{u}”标为不通过，并已邮件告知申请人")
        else:
            raise Http404
    except PermissionDenied as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, done.format(u=registration.username))
    return redirect("accounts:manage_registration_detail", pk=registration.pk)


# Users of the staff member's region ---------------------------------------------------------------

@allowed_only(can_manage_users)
@require_GET
def user_list(request):
    form = UserFilterForm(request.GET or None)
    q, active, locked = None, None, None
    if form.is_valid():
        q = form.cleaned_data["q"] or None
        state = form.cleaned_data["state"]
        active = {"active": True, "inactive": False}.get(state)
        locked = True if state == "locked" else None
    page = _page(request, user_list_managed_by(user=request.user, q=q, active=active, locked=locked))
    rows = []
    for u in page.object_list:
        u._role_names = {g.name for g in u.groups.all()}  # prefetched: no query per row
        rows.append({"user": u, "can_manage": can_manage_user(request.user, u)})
    return render(request, "accounts/manage/user_list.html", {"filter_form": form, "page_obj": page, "rows": rows})


def _user_action(request, pk: int, run, done: str):
    target = user_get_managed(user=request.user, pk=pk)
    try:
        run(target)
    except User.DoesNotExist:
        raise Http404 from None
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done.format(u=target.username))
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/manage/users/")
                    else "accounts:manage_user_list")


@allowed_only(can_manage_users)
@require_POST
def user_activate(request, pk: int):
    return _user_action(request, pk, lambda u: services.user_set_active(user=u, by=request.user, active=True),
                        _("已启用账号“{u}”"))


@allowed_only(can_manage_users)
@require_POST
def user_deactivate(request, pk: int):
    return _user_action(request, pk, lambda u: services.user_set_active(user=u, by=request.user, active=False),
                        _("已停用账号“{u}”"))


@allowed_only(can_manage_users)
@require_POST
def user_unlock(request, pk: int):
    return _user_action(request, pk, lambda u: services.user_unlock(user=u, by=request.user),
                        _("已解除账号“{u}”的登录锁定"))
