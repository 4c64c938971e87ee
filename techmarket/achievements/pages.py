"""Pages of the two market registries (成果库, 需求库), written once for both.

Each app's views.py declares a ``MarketKind`` (its selectors, representation, services and forms) and
``market_urlpatterns(kind)`` builds its routes. The pages only call those: who may see or do what is
decided by the selectors, the representations (the confidential tier, logged on every view) and the
services; a refusal is a 404 for records the user may not manage, the Chinese 403 page for
PermissionDenied, and the Chinese messages of ApplicationError on the form fields they name.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.errors import ApplicationError
from techmarket.core.views import forbidden as _forbidden
from techmarket.core.views import workflow_action_panel, workflow_action_post
from techmarket.directory.forms import add_service_errors

from .api_common import client_ip
from .forms import ActionForm, AttachmentForm, ManageFilterForm, discipline_terms
from .records import is_owner, is_reviewer
from .selectors import market_setting_current

PAGE_SIZE = 20
# Renewal has its own button (shown near expiry), so it is not repeated among the workflow actions.
OWN_BUTTON_ACTIONS = frozenset({"renew"})
REVIEW_ACTIONS = frozenset({"approve", "return", "reject"})
REVIEW_ORDER = {"approve": 1, "return": 2, "reject": 3}


@dataclass(frozen=True)
class MarketKind:
    ns: str                      # URL namespace and app label: "achievements"
    noun: str                    # 成果 / 需求
    registry: str                # 成果库 / 需求库
    icon: str
    model: type
    filter_form: type
    edit_form: type
    select_list: Callable        # (user=, mine=, manage=, **filters) -> QuerySet
    select_get: Callable         # (user=, pk=) -> record, Http404 when not visible
    represent: Callable          # (record, user, detail=, ip=, attachment_url=) -> dict
    attachment_url: Callable     # attachment -> download URL (the API's, which logs confidential views)
    create: Callable             # (by=, data=)
    update: Callable             # (record=, by=, data=)
    act: Callable                # (record=, action=, by=, comment=, reason_code=)
    renew: Callable              # (record=, by=)
    attachment_add: Callable     # (record=, upload=, by=, is_confidential=)
    attachment_delete: Callable  # (attachment=, by=)
    can_create: Callable         # (user) -> bool
    can_manage: Callable         # (user, record) -> bool
    can_edit: Callable           # (user, record) -> bool
    can_manage_attachments: Callable
    create_hint: str = ""

    @property
    def record_type(self) -> str:
        return "{app}.{model}".format(app=self.model._meta.app_label, model=self.model._meta.model_name)

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"{self.ns}:{name}", kwargs=kwargs or None)


# Helpers ------------------------------------------------------------------------------------------

def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _managed(kind: MarketKind, user, pk):
    """The record if ``user`` may manage it (owner or reviewer in scope); 404 otherwise."""
    record = kind.select_get(user=user, pk=pk)
    if not kind.can_manage(user, record):
        raise Http404
    return record


def _may_see_own_list(kind: MarketKind, user) -> bool:
    return bool(user.organization_id) and (
        kind.can_create(user) or kind.model.objects.filter(owner_organization_id=user.organization_id).exists())


def renewal_due(record) -> bool:
    """Expired, or published and inside the reminder window before expiry (B1)."""
    if record.status == "expired":
        return True
    if record.status != "published" or record.expires_at is None:
        return False
    window = datetime.timedelta(days=market_setting_current().renewal_reminder_days)
    return record.expires_at - timezone.now() <= window


def _open_disclosure_request(user, record):
    """The viewer's own (or their organization's) unfinished request for this record's detail."""
    if not user.is_authenticated:
        return None
    from techmarket.disclosure.choices import OPEN_STATUSES
    from techmarket.disclosure.selectors import BOX_SENT, disclosure_requests_for_record, disclosure_requests_visible_to

    mine = disclosure_requests_visible_to(user, box=BOX_SENT, status=None)
    return mine.filter(pk__in=disclosure_requests_for_record(record).values("pk"),
                       status__in=OPEN_STATUSES).first()


def _base_context(kind: MarketKind, request) -> dict:
    user = request.user
    return {"kind": kind, "can_create": kind.can_create(user),
            "show_mine": user.is_authenticated and _may_see_own_list(kind, user),
            "show_review": is_region_staff(user),
            "reminder_days": market_setting_current().renewal_reminder_days}


# Public view --------------------------------------------------------------------------------------

@require_GET
def public_list(request, kind: MarketKind):
    form = kind.filter_form(request.GET or None)
    filters = form.filters()
    try:
        qs = kind.select_list(user=request.user, **filters)
    except ApplicationError as exc:
        add_service_errors(form, exc)
        qs = kind.select_list(user=request.user)
    return render(request, "market/list.html", {
        **_base_context(kind, request), "form": form, "page_obj": _page(request, qs),
    })


@require_GET
def public_detail(request, kind: MarketKind, pk: int):
    user = request.user
    record = kind.select_get(user=user, pk=pk)
    data = kind.represent(record, user, detail=True, ip=client_ip(request), attachment_url=kind.attachment_url)
    can_request = (data["has_confidential_detail"] and not data["can_view_confidential"] and record.is_public)
    return render(request, "market/detail.html", {
        **_base_context(kind, request), "object": record, "data": data,
        "can_request": can_request,
        "open_request": _open_disclosure_request(user, record) if can_request else None,
    })


# Managed view -------------------------------------------------------------------------------------

@login_required
@require_GET
def manage_mine(request, kind: MarketKind):
    user = request.user
    if not _may_see_own_list(kind, user):
        raise Http404
    form = ManageFilterForm(request.GET or None, status_choices=kind.model._meta.get_field("status").choices)
    qs = kind.select_list(user=user, mine=True, **form.filters())
    return render(request, "market/manage_list.html", {
        **_base_context(kind, request), "form": form, "page_obj": _page(request, qs), "mode": "mine",
        "title": _("我的{noun}").format(noun=kind.noun), "nav_url": kind.url("manage_mine"),
    })


@login_required
@require_GET
def manage_review(request, kind: MarketKind):
    user = request.user
    if not is_region_staff(user):
        raise Http404
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "submitted"  # the inbox: what waits for review
    form = ManageFilterForm(data, status_choices=kind.model._meta.get_field("status").choices)
    qs = kind.select_list(user=user, manage=True, **form.filters())
    if form.filters().get("status") == "submitted":
        qs = qs.order_by("updated_at", "pk")  # oldest first: first come, first reviewed
    return render(request, "market/manage_list.html", {
        **_base_context(kind, request), "form": form, "page_obj": _page(request, qs), "mode": "review",
        "title": _("{noun}审核").format(noun=kind.noun), "nav_url": kind.url("manage_review"),
    })


def _form_page(request, kind: MarketKind, *, record=None):
    user = request.user
    organization = record.owner_organization if record is not None else user.organization
    form = kind.edit_form(request.POST if request.method == "POST" else None, organization=organization,
                          record=record)
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                record = kind.create(by=user, data=form.service_data())
                messages.success(request, _("已保存草稿“{t}”，确认无误后请提交审核").format(t=record.title))
            else:
                kind.update(record=record, by=user, data=form.service_data())
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(f"{kind.ns}:manage_detail", pk=record.pk)
    return render(request, "market/manage_form.html", {
        **_base_context(kind, request), "form": form, "object": record,
        "discipline_terms": discipline_terms() if "discipline" in form.fields else None,
        "nav_url": kind.url("manage_mine"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request, kind: MarketKind):
    if not kind.can_create(request.user):
        raise Http404
    return _form_page(request, kind)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, kind: MarketKind, pk: int):
    record = _managed(kind, request.user, pk)
    if not kind.can_edit(request.user, record):
        return _forbidden(request, PermissionDenied(
            _("只有所属单位可以在草稿或退回修改状态下修改（当前：{s}）").format(s=record.get_status_display())))
    return _form_page(request, kind, record=record)


def _detail_page(request, kind: MarketKind, record, *, bound: ActionForm | None = None,
                 attachment_form: AttachmentForm | None = None, status: int = 200):
    user = request.user
    data = kind.represent(record, user, detail=True, ip=client_ip(request), attachment_url=kind.attachment_url)
    actions = workflow_action_panel(record, user, bound=bound, hidden=OWN_BUTTON_ACTIONS,
                                    review_actions=REVIEW_ACTIONS)
    actions.sort(key=lambda a: REVIEW_ORDER.get(a["name"], 0))
    return render(request, "market/manage_detail.html", {
        **_base_context(kind, request), "object": record, "data": data, "actions": actions,
        "can_edit": kind.can_edit(user, record),
        "renewal_due": data.get("can_renew") and renewal_due(record),
        "can_manage_attachments": kind.can_manage_attachments(user, record),
        "attachment_form": attachment_form or AttachmentForm(),
        "is_reviewer": is_reviewer(user, record),
        # 挂牌 / 协议定价: the owner sells a public achievement (listings and deals apps).
        "can_sell": kind.ns == "achievements" and record.is_public and is_owner(user, record),
        "nav_url": kind.url("manage_review" if is_reviewer(user, record) else "manage_mine"),
    }, status=status)


@login_required
@require_GET
def manage_detail(request, kind: MarketKind, pk: int):
    return _detail_page(request, kind, _managed(kind, request.user, pk))


@login_required
@require_POST
def manage_action(request, kind: MarketKind, pk: int, action: str):
    user = request.user

    def done(record, action):
        if action in REVIEW_ACTIONS and is_region_staff(user):
            return kind.url("manage_review")
        return kind.url("manage_detail", pk=record.pk)

    return workflow_action_post(
        request, record=_managed(kind, user, pk), action=action, act=kind.act, done=done,
        page=lambda bound: _detail_page(request, kind, _managed(kind, user, pk), bound=bound),
        review_actions=REVIEW_ACTIONS)


@login_required
@require_POST
def manage_renew(request, kind: MarketKind, pk: int):
    record = _managed(kind, request.user, pk)
    try:
        record = kind.renew(record=record, by=request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, _("已确认续期，有效期至 {d}").format(
            d=timezone.localtime(record.expires_at).strftime("%Y-%m-%d")))
    return redirect(f"{kind.ns}:manage_detail", pk=pk)


@login_required
@require_POST
def manage_attachment_add(request, kind: MarketKind, pk: int):
    record = _managed(kind, request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            row = kind.attachment_add(record=record, upload=form.cleaned_data["file"], by=request.user,
                                      is_confidential=form.cleaned_data["is_confidential"])
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已上传附件“{name}”").format(name=row.original_name))
            return redirect(kind.url("manage_detail", pk=pk) + "#attachments")
    return _detail_page(request, kind, record, attachment_form=form)


@login_required
@require_POST
def manage_attachment_delete(request, kind: MarketKind, pk: int, attachment_pk: int):
    record = _managed(kind, request.user, pk)
    attachment = record.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        kind.attachment_delete(attachment=attachment, by=request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    messages.success(request, _("已删除附件“{name}”").format(name=attachment.original_name))
    return redirect(kind.url("manage_detail", pk=pk) + "#attachments")


# Routes -------------------------------------------------------------------------------------------

def market_urlpatterns(kind: MarketKind) -> list:
    """/<ns>/ and /<ns>/<pk>/ (public), /manage/<ns>/… (managed), named like the registry pages."""
    def bind(view):
        def bound(request, *args, **kwargs):
            return view(request, kind, *args, **kwargs)
        bound.__name__ = bound.__qualname__ = f"{kind.ns}_{view.__name__}"
        bound.__doc__ = view.__doc__
        return bound

    base, manage = f"{kind.ns}/", f"manage/{kind.ns}/"
    return [
        path(base, bind(public_list), name="list"),
        path(base + "<int:pk>/", bind(public_detail), name="detail"),
        path(manage, bind(manage_mine), name="manage_mine"),
        path(manage + "review/", bind(manage_review), name="manage_review"),
        path(manage + "new/", bind(manage_create), name="manage_create"),
        path(manage + "<int:pk>/", bind(manage_detail), name="manage_detail"),
        path(manage + "<int:pk>/edit/", bind(manage_edit), name="manage_edit"),
        path(manage + "<int:pk>/renew/", bind(manage_renew), name="manage_renew"),
        path(manage + "<int:pk>/actions/<slug:action>/", bind(manage_action), name="manage_action"),
        path(manage + "<int:pk>/attachments/", bind(manage_attachment_add), name="manage_attachment_add"),
        path(manage + "<int:pk>/attachments/<int:attachment_pk>/delete/", bind(manage_attachment_delete),
             name="manage_attachment_delete"),
    ]
