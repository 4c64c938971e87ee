"""Pages of 竞价拍卖: the public list, the live auction page (polled every second by htmx), the chain
file, and the bureau's managed page (terms, deposits, offer to the next bidder, relist, history).

The pages only call selectors and services: a refusal is a 404 for records the user may not manage,
the Chinese 403 page for PermissionDenied, and the Chinese messages of ApplicationError.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techmarket.accounts.permissions import is_region_staff
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import fen_to_yuan
from techmarket.core.views import forbidden as _forbidden
from techmarket.core.views import workflow_action_panel, workflow_action_post
from techmarket.directory.forms import add_service_errors

from . import selectors, services
from .choices import AuctionPhase, AuctionStatus
from .forms import BidForm, DepositForm, TermsForm
from .models import Bidder
from .permissions import can_see_bidder_names, is_auction_manager
from .representations import auction_out, bidders_out

PAGE_SIZE = 20
# The live page lists at most this many bids (newest first); the chain file and the API hold them all.
LIVE_BIDS = 50


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# Public -----------------------------------------------------------------------------------------------

@require_GET
def auction_list(request):
    counts = selectors.auction_phase_counts()
    phase = request.GET.get("phase") or (AuctionPhase.OPEN if counts[AuctionPhase.OPEN] else AuctionPhase.UPCOMING)
    if phase not in AuctionPhase.values:
        phase = AuctionPhase.OPEN
    q = (request.GET.get("q") or "").strip()[:100]
    qs = selectors.auction_list(phase=phase, q=q or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "auctions/list.html", {
        "page_obj": page, "rows": [(a, auction_out(a, request.user)) for a in page], "phase": phase, "q": q,
        "tabs": [(p, AuctionPhase(p).label, counts[p]) for p in (AuctionPhase.OPEN, AuctionPhase.UPCOMING,
                                                                   AuctionPhase.ENDED)],
        "show_manage": request.user.is_authenticated and (
            is_region_staff(request.user) or selectors.auction_list_managed(user=request.user).exists()),
    })


def _live_context(request, auction) -> dict:
    user = request.user
    data = auction_out(auction, user, detail=True)
    show_names = can_see_bidder_names(user, auction)
    bids = list(selectors.auction_bids(auction, newest_first=True)[:LIVE_BIDS])
    return {"object": auction, "data": data, "bids": bids, "show_names": show_names,
            "bids_hidden": max(0, auction.bid_count - len(bids))}


@require_GET
def auction_detail(request, pk: int):
    auction = selectors.auction_get_for_user(user=request.user, pk=pk)
    context = _live_context(request, auction)
    context.update(form=BidForm(), is_manager=is_auction_manager(request.user, auction),
                   can_manage_view=context["data"]["managed"])
    return render(request, "auctions/detail.html", context)


@require_GET
def auction_live(request, pk: int):
    """The fragment the live page polls every second. When the phase changed since the page was drawn
    (opened, ended), it asks htmx to reload the whole page (the bid form and the result change)."""
    auction = selectors.auction_get_for_user(user=request.user, pk=pk)
    context = _live_context(request, auction)
    drawn = request.GET.get("phase")
    if _is_htmx(request) and drawn and drawn != context["data"]["phase"]:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "auctions/_live.html", context)


@require_POST
def auction_bid(request, pk: int):
    """The bid form: via htmx the answer is a small fragment (the refusal message in Chinese), without
    JavaScript a redirect back to the page with the message."""
    auction = selectors.auction_get_for_user(user=request.user, pk=pk, refresh=False)
    form = BidForm(request.POST)
    ok, message = False, ""
    if not request.user.is_authenticated:
        message = _("请先登录后出价")
    elif form.is_valid():
        try:
            bid = services.bid_place(auction=auction, by=request.user,
                                     amount_fen=int(form.cleaned_data["amount"] * 100))
        except ApplicationError as exc:
            message = exc.errors[0].message
        else:
            ok = True
            message = _("出价成功：竞买号 {a}，{p} 元（第 {n} 次出价）").format(
                a=bid.bidder.alias, p=f"{fen_to_yuan(bid.amount_fen):,.2f}", n=bid.seq)
    else:
        message = "；".join(str(e) for errors in form.errors.values() for e in errors)
    if _is_htmx(request):
        response = render(request, "auctions/_bid_feedback.html", {"ok": ok, "message": message})
        if ok:
            response["HX-Trigger"] = "auction-bid"
        return response
    (messages.success if ok else messages.error)(request, message)
    return redirect("auctions:detail", pk=pk)


@require_GET
def auction_chain(request, pk: int):
    """The published bid log as text: one line per bid, ``<hashed text> <hash>``."""
    auction = selectors.auction_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(selectors.auction_chain_text(auction), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="auction-{auction.pk}-chain.txt"'
    return response


# Managed ----------------------------------------------------------------------------------------------

@login_required
@require_GET
def manage_list(request):
    user = request.user
    if not (is_region_staff(user) or user.organization_id):
        raise Http404
    status = request.GET.get("status") or None
    if status not in (None, *AuctionStatus.values):
        status = None
    qs = selectors.auction_list_managed(user=user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "auctions/manage_list.html", {
        "page_obj": page, "rows": [(a, auction_out(a, user)) for a in page], "status": status,
        "statuses": AuctionStatus.choices,
    })


def _deposit_log(auction) -> list[dict]:
    """Every deposit change of the auction's bidders (bidder_deposit_move writes one row each)."""
    bidders = {str(b.pk): b for b in auction.bidders.all()}
    labels = dict(Bidder._meta.get_field("deposit_status").flatchoices)
    rows = (ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Bidder),
                                        object_id__in=list(bidders)).select_related("actor").order_by("created_at",
                                                                                                       "pk"))
    out = []
    for row in rows:
        before, after = row.before or {}, row.after or {}
        out.append({"time": row.created_at, "actor": row.actor.display_name if row.actor else _("系统"),
                    "alias": bidders[row.object_id].alias,
                    "from": labels.get(before.get("deposit_status"), before.get("deposit_status")),
                    "to": labels.get(after.get("deposit_status"), after.get("deposit_status")),
                    "reference": after.get("deposit_reference") or "", "comment": row.comment})
    return out


def _manage_page(request, auction, *, terms_form=None, deposit_errors=None, bound=None, status=200):
    user = request.user
    data = auction_out(auction, user, detail=True)
    is_manager = is_auction_manager(user, auction)
    editable = is_manager and "cancel" in data["available_actions"]
    actions = workflow_action_panel(auction, user, bound=bound)
    bidders = bidders_out(auction, user)
    for row in bidders:
        row["errors"] = (deposit_errors or {}).get(row["id"], [])
    return render(request, "auctions/manage_detail.html", {
        "object": auction, "data": data, "is_manager": is_manager, "editable": editable,
        "terms_form": terms_form or (TermsForm.for_auction(auction) if editable else None),
        "bidders": bidders,
        "actions": actions, "deposit_log": _deposit_log(auction),
        "deal": selectors.auction_current_deal(auction),
    }, status=status)


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _manage_page(request, selectors.auction_get_managed(user=request.user, pk=pk))


@login_required
@require_POST
def manage_terms(request, pk: int):
    auction = selectors.auction_get_managed(user=request.user, pk=pk)
    form = TermsForm.for_auction(auction, data=request.POST)
    if form.is_valid():
        try:
            services.auction_update_terms(auction=auction, by=request.user, data=form.service_data(),
                                          comment=form.cleaned_data["comment"])
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存拍卖条件"))
            return redirect("auctions:manage_detail", pk=pk)
    return _manage_page(request, selectors.auction_get_managed(user=request.user, pk=pk), terms_form=form,
                        status=422)


@login_required
@require_POST
def manage_deposit(request, pk: int, bidder_pk: int, action: str):
    auction = selectors.auction_get_managed(user=request.user, pk=pk)
    bidder = auction.bidders.filter(pk=bidder_pk).first()
    if bidder is None or action not in ("confirm_deposit", "refund_deposit"):
        raise Http404
    form = DepositForm(request.POST)
    form.is_valid()
    try:
        bidder = services.bidder_deposit_act(bidder=bidder, action=action, by=request.user,
                                             reference=form.cleaned_data.get("reference", ""))
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ApplicationError as exc:
        return _manage_page(request, auction, deposit_errors={bidder.pk: [e.message for e in exc.errors]}, status=422)
    messages.success(request, _("竞买号 {a}：保证金{s}").format(a=bidder.alias, s=bidder.get_deposit_status_display()))
    return redirect("auctions:manage_detail", pk=pk)


@login_required
@require_POST
def manage_action(request, pk: int, action: str):
    def done(result, action):
        if action == "relist" and hasattr(result, "get_absolute_url"):
            return result.get_absolute_url()
        return reverse("auctions:manage_detail", kwargs={"pk": pk})

    return workflow_action_post(
        request, record=selectors.auction_get_managed(user=request.user, pk=pk), action=action,
        act=lambda *, record, action, by, comment, reason_code: services.auction_act(
            auction=record, action=action, by=by, comment=comment),
        page=lambda bound: _manage_page(request, selectors.auction_get_managed(user=request.user, pk=pk),
                                        bound=bound, status=422),
        done=done, message=lambda spec, result: _("已办理：{a}").format(a=spec.label))
