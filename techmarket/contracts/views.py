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
from django.http import Http404, HttpResponse
from django.utils import timezone
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

from techmarket.achievements.api_common import attachment_response
from techmarket.core.forms import add_service_errors

from . import selectors, services
from .certificate import certificate_filename, contract_certificate_pdf
from .choices import ContractStatus
from .forms import (
    ContractFilterForm,
    ContractForm,
    PaymentForm,
    contract_action_form_factory,
    cost_formset,
    costs_from_formset,
    place_service_errors,
)
from .models import TechContract
from .payments import payment_record
from .permissions import (
    can_create_contract,
    can_edit_contract,
    can_record_payment,
    contract_edit_refusal,
    is_registrar,
    registrar_point_ids,
)
from .representations import contract_out

# Registrar actions are the reviews of the panel (their comment is an 审查意见).
REVIEW_ACTIONS = ("pre_examine", "register", "refuse", "return", "amend", "deregister")

PAGE_SIZE = 20


def _may_list(user) -> bool:
    return bool(user.organization_id) or is_region_staff(user) or is_registrar(user)


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
        "is_staff_view": is_region_staff(user), "is_registrar": is_registrar(user),
        "today": timezone.localdate(),
    })


@login_required
@require_GET
def registrar_inbox(request):
    """登记员待办: contracts of the registrar's point(s) waiting for a decision, oldest first; overdue
    ones (today > decision_due_on) flagged with the days overdue. 404 for anyone without a valid
    certificate."""
    user = request.user
    if not registrar_point_ids(user):
        raise Http404
    today = timezone.localdate()
    rows = [(c, c.days_overdue(today)) for c in selectors.registrar_inbox(user=user)]
    return render(request, "contracts/registrar_inbox.html", {
        "rows": rows, "today": today, "overdue_count": sum(1 for _c, d in rows if d > 0),
        "can_create": can_create_contract(user), "is_registrar": True,
    })


def _detail_page(request, contract, *, bound: ActionForm | None = None, payment_form: PaymentForm | None = None,
                 status: int = 200):
    user = request.user
    actions = workflow_action_panel(contract, user, bound=bound, review_actions=REVIEW_ACTIONS,
                                    form=contract_action_form_factory(contract))
    may_pay = can_record_payment(user, contract)
    today = timezone.localdate()
    return render(request, "contracts/manage_detail.html", {
        "object": contract, "data": contract_out(contract, user, detail=True), "actions": actions,
        "can_edit": can_edit_contract(user, contract), "deal_url": deal_url(contract),
        "achievement_url": achievement_url(contract), "costs": contract.non_technical_costs.all(),
        "can_create": can_create_contract(user), "is_registrar": is_registrar(user),
        "payments": selectors.payments_of(contract), "payment_totals": selectors.payment_totals(contract),
        "payment_form": payment_form or (PaymentForm(initial={"paid_on": today}) if may_pay else None),
        "days_overdue": contract.days_overdue(today),
        "is_registered": contract.status == ContractStatus.REGISTERED and bool(contract.registration_number),
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
    contract = selectors.contract_get_for_user(user=user, pk=pk)
    build = contract_action_form_factory(contract)

    def act(*, record, action, by, comment, reason_code):
        # The core view validated the bound form; the action's own inputs are read from the same POST.
        spec = type(record).TRANSITIONS[action]
        bound = build(request.POST, action=action, spec=spec, review=action in REVIEW_ACTIONS)
        bound.is_valid()
        return services.contract_act(contract=record, action=action, by=by, comment=comment,
                                     reason_code=reason_code, **bound.action_fields())

    return workflow_action_post(
        request, record=contract, action=action, act=act, review_actions=REVIEW_ACTIONS, form=build,
        page=lambda bound: _detail_page(request, selectors.contract_get_for_user(user=user, pk=pk), bound=bound),
        done=lambda contract, action: reverse("contracts:manage_detail", kwargs={"pk": contract.pk}))


@login_required
@require_GET
def manage_certificate(request, pk: int):
    """登记证明 PDF: whoever sees the contract (parties, staff in scope, registrars of the point); 404 for
    a contract that is not registered."""
    contract = selectors.contract_get_for_user(user=request.user, pk=pk)
    try:
        data = contract_certificate_pdf(contract)
    except ApplicationError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(contract)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def manage_payment_add(request, pk: int):
    """付款记录 from the contract page (the seller or buyer side)."""
    user = request.user
    contract = selectors.contract_get_for_user(user=user, pk=pk)
    form = PaymentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment_record(contract, by=user, paid_on=data["paid_on"], amount=data["amount"], note=data["note"],
                           voucher=data.get("voucher"), invoice=data.get("invoice"))
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            for item in add_service_errors(form, exc):
                form.add_error(None, item.message)
        else:
            messages.success(request, _("已登记付款记录"))
            return redirect(reverse("contracts:manage_detail", kwargs={"pk": contract.pk}) + "#payments")
    return _detail_page(request, contract, payment_form=form)


@login_required
@require_GET
def manage_payment_evidence(request, pk: int, payment_id: int, attachment_id: int):
    contract = selectors.contract_get_for_user(user=request.user, pk=pk)
    row = selectors.payment_evidence_get(contract=contract, payment_id=payment_id, attachment_id=attachment_id)
    return attachment_response(row, public=False)
