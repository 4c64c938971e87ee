"""Pages of 成交与公示: the public notices (with 提出异议), the parties' and staff's deal pages and the
agreement proposal form.

The pages only call selectors and services: a deal the user may not see is a 404, an action the user may
not take the Chinese 403 page, and ApplicationError messages go onto the named fields.
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

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm
from techmarket.core.views import forbidden, workflow_action_form, workflow_action_panel, workflow_action_post
from techmarket.core.workflows import action_choices
from techmarket.directory.forms import add_service_errors
from techmarket.listings.views import page_of, trade_nav

from . import selectors, services
from .forms import AgreementForm, DealFilterForm, NoticeFilterForm, ObjectionForm
from .models import Objection
from .permissions import can_see_objector, can_view_deal
from .representations import deal_out, notice_out

RESOLUTION_LABEL = gettext_lazy("处理意见")
# ``void`` follows an upheld objection; it is never a button of its own.
HIDDEN_ACTIONS = frozenset({"void"})


# Public notices -------------------------------------------------------------------------------------

@require_GET
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    qs = selectors.notice_list(**form.filters())
    return render(request, "deals/notice_list.html", {**trade_nav(request), "form": form,
                                                      "page_obj": page_of(request, qs)})


def _notice_page(request, notice, *, form=None):
    user = request.user
    return render(request, "deals/notice_detail.html", {
        **trade_nav(request), "object": notice, "data": notice_out(notice, user, detail=True),
        "form": form or ObjectionForm(),
        "can_view_deal": can_view_deal(user, notice.deal),
    })


@require_GET
def notice_detail(request, pk: int):
    return _notice_page(request, selectors.notice_get(pk=pk))


@login_required
@require_POST
def objection_create(request, pk: int):
    notice = selectors.notice_get(pk=pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_create(notice=notice, by=request.user, text=form.cleaned_data["text"])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("异议已提交，科技管理部门处理前该成交不能确认。"))
            return redirect("deals:notice_detail", pk=pk)
    return _notice_page(request, selectors.notice_get(pk=pk), form=form)


# Managed deals --------------------------------------------------------------------------------------

@login_required
@require_GET
def manage_list(request):
    user = request.user
    if not (user.organization_id or is_region_staff(user)):
        raise Http404
    form = DealFilterForm(request.GET or None)
    qs = selectors.deal_list_visible_to(user=user, **form.filters())
    return render(request, "deals/manage_list.html", {**trade_nav(request), "form": form,
                                                      "page_obj": page_of(request, qs)})


def _detail_page(request, deal, *, bound: ActionForm | None = None, resolve_bound=None):
    user = request.user
    data = deal_out(deal, user, detail=True)
    actions = workflow_action_panel(deal, user, bound=bound, hidden=HIDDEN_ACTIONS)
    objections = []
    notice = getattr(deal, "notice", None)
    if notice is not None:
        for objection in selectors.objections_for(notice=notice):
            forms = []
            for name, spec in action_choices(objection, user):
                key = (objection.pk, name)
                form = (resolve_bound[1] if resolve_bound is not None and resolve_bound[0] == key
                        else workflow_action_form(action=f"{name}-{objection.pk}", spec=spec, label=RESOLUTION_LABEL))
                forms.append({"name": name, "spec": spec, "form": form})
            objections.append({"object": objection, "forms": forms})
    return render(request, "deals/manage_detail.html", {
        **trade_nav(request), "object": deal, "data": data, "actions": actions, "notice": notice,
        "objections": objections, "show_objectors": can_see_objector(user, deal),
    })


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _detail_page(request, selectors.deal_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def manage_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=selectors.deal_get_for_user(user=user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.deal_act(
            deal=record, action=action, by=by, comment=comment),
        page=lambda bound: _detail_page(request, selectors.deal_get_for_user(user=user, pk=pk), bound=bound),
        done=lambda deal, action: reverse("deals:manage_detail", kwargs={"pk": deal.pk}),
        hidden=HIDDEN_ACTIONS)


@login_required
@require_POST
def objection_action(request, pk: int, objection_pk: int, action: str):
    user = request.user
    deal = selectors.deal_get_for_user(user=user, pk=pk)
    notice = getattr(deal, "notice", None)
    if notice is None or action not in Objection.TRANSITIONS:
        raise Http404
    objection = selectors.objection_get(notice=notice, pk=objection_pk)
    spec = Objection.TRANSITIONS[action]
    form = workflow_action_form(request.POST, action=f"{action}-{objection.pk}", spec=spec, label=RESOLUTION_LABEL)
    if form.is_valid():
        try:
            services.objection_resolve(objection=objection, action=action, by=user,
                                       comment=form.cleaned_data["comment"])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("异议已处理：{label}").format(label=spec.label))
            return redirect("deals:manage_detail", pk=pk)
    return _detail_page(request, selectors.deal_get_for_user(user=user, pk=pk),
                        resolve_bound=((objection.pk, action), form))


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    """协议定价: the seller proposes a price to a buyer (GET ?achievement=<id>)."""
    from techmarket.achievements.selectors import achievement_get_for_user

    user = request.user
    achievement = achievement_get_for_user(user=user, pk=request.GET.get("achievement"))
    if not user.organization_id or user.organization_id != achievement.owner_organization_id:
        raise Http404
    form = AgreementForm(request.POST if request.method == "POST" else None, achievement=achievement)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_propose_agreement(by=user, achievement=achievement, **form.service_data())
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已发起协议定价成交，等待受让方确认签约"))
            return redirect("deals:manage_detail", pk=deal.pk)
    return render(request, "deals/manage_form.html", {**trade_nav(request), "form": form, "achievement": achievement})
