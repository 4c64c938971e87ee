"""Pages for disclosure requests: my list, one request with its actions, the request form post."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import action_choices, status_history

from .choices import DisclosureStatus
from .permissions import can_view_accesses, is_record_owner
from .selectors import (
    BOX_RECEIVED,
    BOX_SENT,
    disclosure_accesses_for_request,
    disclosure_request_get_for_user,
    disclosure_requests_visible_to,
)
from .services import disclosure_action, disclosure_record_resolve, disclosure_request


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_GET
def request_list(request):
    box = request.GET.get("box") if request.GET.get("box") in (BOX_SENT, BOX_RECEIVED) else BOX_RECEIVED
    status = request.GET.get("status") if request.GET.get("status") in DisclosureStatus.values else None
    rows = disclosure_requests_visible_to(request.user, box=box, status=status)[:200]
    return render(request, "disclosure/request_list.html", {
        "rows": rows, "box": box, "status": status, "statuses": DisclosureStatus.choices,
    })


@login_required
@require_GET
def request_detail(request, pk: int):
    from techmarket.feedback.services import reason_codes_for, reason_display

    req = disclosure_request_get_for_user(user=request.user, pk=pk)
    actions = action_choices(req, request.user)
    reason_options = {spec.reason_context: list(reason_codes_for(spec.reason_context))
                      for _name, spec in actions if spec.reason_context}
    history = list(status_history(req))
    for change in history:
        change.reason_text = reason_display(change)
    show_accesses = can_view_accesses(request.user, req)
    return render(request, "disclosure/request_detail.html", {
        "req": req,
        "actions": [(name, spec, reason_options.get(spec.reason_context)) for name, spec in actions],
        "history": history,
        "is_owner": is_record_owner(request.user, req.record),
        "accesses": disclosure_accesses_for_request(req)[:200] if show_accesses else None,
    })


@login_required
@require_POST
def request_act(request, pk: int, action: str):
    req = disclosure_request_get_for_user(user=request.user, pk=pk)
    if action == "accept_terms" and request.POST.get("agree") != "1":
        messages.error(request, _("请先阅读保密协议并勾选“我已阅读并同意”"))
        return redirect("disclosure:detail", pk=req.pk)
    try:
        req = disclosure_action(request=req, action=action, by=request.user,
                                comment=request.POST.get("comment", ""),
                                reason_code=request.POST.get("reason_code") or None, ip=_client_ip(request))
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, _("操作成功，当前状态：{s}").format(s=req.get_status_display()))
    return redirect("disclosure:detail", pk=pk)


@login_required
@require_POST
def request_create(request):
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = ""
    try:
        record = disclosure_record_resolve(record_type=request.POST.get("record_type", ""),
                                           record_id=request.POST.get("record_id"))
        req = disclosure_request(record=record, by=request.user, message=request.POST.get("message", ""))
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
        return redirect(back or "disclosure:list")
    messages.success(request, _("申请已提交，等待对方审批"))
    return redirect("disclosure:detail", pk=req.pk)
