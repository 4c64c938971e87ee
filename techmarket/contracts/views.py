"""Pages of 技术合同 (managed view only: contracts have no public view).

Who may see or do what is decided by the selectors (404 outside scope), the permissions and the services
(403 page for PermissionDenied, Chinese messages of ApplicationError on the fields they name).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm
from techmarket.core.views import forbidden as _forbidden
from techmarket.core.views import workflow_action_panel, workflow_action_post
from techmarket.directory.forms import SEED_CITY_CODES
from techmarket.regions.models import Region

from . import selectors, services
from .forms import ContractFilterForm, ContractForm, cost_formset, costs_from_formset, place_service_errors
from .models import TechContract
from .permissions import can_create_contract, can_edit_contract, contract_edit_refusal
from .representations import contract_out

PAGE_SIZE = 20


def _may_list(user) -> bool:
    return bool(user.organization_id) or is_region_staff(user)


def deal_url(contract: TechContract) -> str | None:
    """/manage/deals/<pk>/ of the deal the contract came from, while the deals pages exist."""
    deal = contract.deal_or_none
    if deal is None:
        return None
    try:
        return reverse("deals:manage_detail", kwargs={"pk": deal.pk})
    except NoReverseMatch:
        return None


def achievement_url(contract: TechContract) -> str | None:
    if contract.achievement_id is None:
        return None
    try:
        return reverse("achievements:detail", kwargs={"pk": contract.achievement_id})
    except NoReverseMatch:
        return None


def region_datalist():
    """The seed cities and their units, offered as 6-digit codes in the region inputs."""
    return Region.objects.filter(Q(code__in=SEED_CITY_CODES) | Q(parent__code__in=SEED_CITY_CODES)) \
        .select_related("parent", "parent__parent").order_by("code")


@login_required
@require_GET
def manage_list(request):
    user = request.user
    if not _may_list(user):
        raise Http404
    form = ContractFilterForm(request.GET or None)
    try:
        qs = selectors.contract_list(user=user, **form.filters())
    except ApplicationError:
        qs = selectors.contract_list(user=user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/manage_list.html", {
        "form": form, "page_obj": page, "can_create": can_create_contract(user),
        "is_staff_view": is_region_staff(user),
    })


def _detail_page(request, contract, *, bound: ActionForm | None = None, status: int = 200):
    user = request.user
    actions = workflow_action_panel(contract, user, bound=bound)
    return render(request, "contracts/manage_detail.html", {
        "object": contract, "data": contract_out(contract, user, detail=True), "actions": actions,
        "can_edit": can_edit_contract(user, contract), "deal_url": deal_url(contract),
        "achievement_url": achievement_url(contract), "costs": contract.non_technical_costs.all(),
        "can_create": can_create_contract(user),
    }, status=status)


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _detail_page(request, selectors.contract_get_for_user(user=request.user, pk=pk))


def _form_page(request, *, contract=None):
    user = request.user
    post = request.POST if request.method == "POST" else None
    form = ContractForm(post, contract=contract, seller=user.organization if contract is None else None)
    costs = cost_formset(post, contract=contract)
    if post is not None:
        form_ok, costs_ok = form.is_valid(), costs.is_valid()
        if form_ok and costs_ok:
            rows, row_forms = costs_from_formset(costs)
            data = {**form.service_data(), "non_technical_costs": rows}
            try:
                if contract is None:
                    contract = services.contract_create(by=user, data=data)
                    messages.success(request, _("已保存合同草稿“{n}”").format(n=contract.name))
                else:
                    services.contract_update(contract=contract, by=user, data=data)
                    messages.success(request, _("已保存"))
            except PermissionDenied as exc:
                return _forbidden(request, exc)
            except ApplicationError as exc:
                place_service_errors(exc, form, row_forms)
            else:
                return redirect("contracts:manage_detail", pk=contract.pk)
    return render(request, "contracts/manage_form.html", {
        "form": form, "costs": costs, "object": contract, "regions": region_datalist(),
        "can_create": can_create_contract(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    if not can_create_contract(request.user):
        raise Http404
    return _form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    contract = selectors.contract_get_for_user(user=request.user, pk=pk)
    refusal = contract_edit_refusal(request.user, contract)
    if refusal:
        return _forbidden(request, PermissionDenied(refusal))
    return _form_page(request, contract=contract)


@login_required
@require_POST
def manage_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=selectors.contract_get_for_user(user=user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.contract_act(
            contract=record, action=action, by=by, comment=comment),
        page=lambda bound: _detail_page(request, selectors.contract_get_for_user(user=user, pk=pk), bound=bound),
        done=lambda contract, action: reverse("contracts:manage_detail", kwargs={"pk": contract.pk}))
