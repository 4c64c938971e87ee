"""Pages of 挂牌交易: the public list and detail (with 登记受让意向), and the seller's and reviewers' pages.

The pages only call selectors and services: a listing the user may not see or manage is a 404, an action
the user may not take is the Chinese 403 page, and ApplicationError messages go onto the named fields.
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

from techmarket.accounts.permissions import is_region_staff
from techmarket.achievements.forms import ManageFilterForm
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import ActionForm
from techmarket.core.views import forbidden, workflow_action_panel, workflow_action_post
from techmarket.directory.forms import add_service_errors

from . import selectors, services
from .choices import ListingStatus
from .forms import InterestForm, ListingFilterForm, ListingForm
from .models import Listing
from .permissions import can_create_listing_for, can_edit_listing, can_manage_listing
from .representations import listing_out

PAGE_SIZE = 20
REVIEW_ACTIONS = frozenset({"approve", "return"})
# The platform's own actions are never buttons.
SYSTEM_ACTIONS = frozenset({"end_unsold", "end_dealt", "end_to_auction"})


def page_of(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def trade_nav(request) -> dict:
    """Context of the trade pages' side navigation (listings/_nav.html, shared with deals)."""
    user = request.user
    staff = is_region_staff(user)
    # Staff belong to the bureau's own organization, which neither sells nor buys: they get the review
    # and management entries, not "我的挂牌/我的成交".
    return {"show_mine": user.is_authenticated and bool(user.organization_id) and not staff,
            "show_review": staff}


# Public ---------------------------------------------------------------------------------------------

@require_GET
def public_list(request):
    form = ListingFilterForm(request.GET or None)
    try:
        qs = selectors.listing_list(user=request.user, **form.filters())
    except ApplicationError as exc:
        add_service_errors(form, exc)
        qs = selectors.listing_list(user=request.user)
    return render(request, "listings/list.html", {**trade_nav(request), "form": form, "page_obj": page_of(request, qs)})


def _detail_page(request, listing, *, interest_form=None, status: int = 200):
    user = request.user
    data = listing_out(listing, user, detail=True)
    interests = selectors.listing_interests_for(listing=listing, user=user) if data["can_see_interests"] else None
    return render(request, "listings/detail.html", {
        **trade_nav(request), "object": listing, "data": data, "interests": interests,
        "my_interest": selectors.listing_my_interest(listing=listing, user=user),
        "interest_form": interest_form or InterestForm(),
    }, status=status)


@require_GET
def public_detail(request, pk: int):
    return _detail_page(request, selectors.listing_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def interest_register(request, pk: int):
    listing = selectors.listing_get_for_user(user=request.user, pk=pk)
    form = InterestForm(request.POST)
    if form.is_valid():
        try:
            services.listing_register_interest(listing=listing, by=request.user, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记受让意向。挂牌期满时如仅贵单位一家登记，将按挂牌价格成交；"
                                        "两家及以上将转入竞价。"))
            return redirect("listings:detail", pk=pk)
    return _detail_page(request, selectors.listing_get_for_user(user=request.user, pk=pk), interest_form=form)


@login_required
@require_POST
def interest_withdraw(request, pk: int):
    listing = selectors.listing_get_for_user(user=request.user, pk=pk)
    try:
        services.listing_withdraw_interest(listing=listing, by=request.user)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ApplicationError as exc:
        for item in exc.errors:
            messages.error(request, item.message)
    else:
        messages.success(request, _("已撤回本单位的受让意向"))
    return redirect("listings:detail", pk=pk)


# Managed --------------------------------------------------------------------------------------------

def _managed(user, pk) -> Listing:
    listing = selectors.listing_get_for_user(user=user, pk=pk)
    if not can_manage_listing(user, listing):
        raise Http404
    return listing


@login_required
@require_GET
def manage_mine(request):
    user = request.user
    if not user.organization_id:
        raise Http404
    form = ManageFilterForm(request.GET or None, status_choices=ListingStatus.choices)
    qs = selectors.listing_list(user=user, mine=True, **form.filters())
    return render(request, "listings/manage_list.html", {
        **trade_nav(request), "form": form, "page_obj": page_of(request, qs), "mode": "mine", "title": _("我的挂牌")})


@login_required
@require_GET
def manage_review(request):
    user = request.user
    if not is_region_staff(user):
        raise Http404
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = ListingStatus.SUBMITTED  # the inbox: what waits for review
    form = ManageFilterForm(data, status_choices=ListingStatus.choices)
    qs = selectors.listing_list(user=user, manage=True, **form.filters())
    return render(request, "listings/manage_list.html", {
        **trade_nav(request), "form": form, "page_obj": page_of(request, qs), "mode": "review", "title": _("挂牌审核")})


def _achievement_for_new_listing(request):
    from techmarket.achievements.selectors import achievement_get_for_user

    achievement = achievement_get_for_user(user=request.user, pk=request.GET.get("achievement"))
    if not can_create_listing_for(request.user, achievement):
        raise Http404
    return achievement


def _form_page(request, *, achievement, listing=None):
    user = request.user
    form = ListingForm(request.POST if request.method == "POST" else None, achievement=achievement, listing=listing)
    if request.method == "POST" and form.is_valid():
        try:
            if listing is None:
                listing = services.listing_create(by=user, achievement=achievement, **form.service_data())
                messages.success(request, _("已保存挂牌草稿，确认无误后请提交审核"))
            else:
                services.listing_update(listing=listing, by=user, data=form.service_data())
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc, aliases={"price_fen": "price"})
        else:
            return redirect("listings:manage_detail", pk=listing.pk)
    return render(request, "listings/manage_form.html", {
        **trade_nav(request), "form": form, "object": listing, "achievement": achievement})


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    return _form_page(request, achievement=_achievement_for_new_listing(request))


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    listing = _managed(request.user, pk)
    if not can_edit_listing(request.user, listing):
        return forbidden(request, PermissionDenied(
            _("只有转让方可以在草稿或退回修改状态下修改挂牌（当前：{s}）").format(s=listing.get_status_display())))
    return _form_page(request, achievement=listing.achievement, listing=listing)


def _manage_page(request, listing, *, bound: ActionForm | None = None, status: int = 200):
    user = request.user
    data = listing_out(listing, user, detail=True)
    actions = workflow_action_panel(listing, user, bound=bound, hidden=SYSTEM_ACTIONS,
                                    review_actions=REVIEW_ACTIONS)
    return render(request, "listings/manage_detail.html", {
        **trade_nav(request), "object": listing, "data": data, "actions": actions,
        "interests": selectors.listing_interests_for(listing=listing, user=user),
        "can_edit": can_edit_listing(user, listing), "deals": listing.deals.select_related("buyer").all(),
        "auction": getattr(listing, "auction", None),
    }, status=status)


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _manage_page(request, _managed(request.user, pk))


@login_required
@require_POST
def manage_action(request, pk: int, action: str):
    user = request.user
    return workflow_action_post(
        request, record=_managed(user, pk), action=action,
        act=lambda *, record, **kwargs: services.listing_act(listing=record, **kwargs),
        page=lambda bound: _manage_page(request, _managed(user, pk), bound=bound),
        done=lambda listing, action: reverse("listings:manage_review") if action in REVIEW_ACTIONS
        else reverse("listings:manage_detail", kwargs={"pk": listing.pk}),
        hidden=SYSTEM_ACTIONS, review_actions=REVIEW_ACTIONS)
