"""User-dependent reads of deals, public notices (公示) and objections."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.accounts.permissions import is_authenticated, is_region_staff, staff_scope
from techmarket.accounts.roles import Role
from techmarket.core.actors import is_system
from techmarket.core.errors import ApplicationError

from .choices import EXCLUSIVE_MODES, OPEN_DEAL_STATUSES, DealMethod, DealStatus, ObjectionStatus
from .models import Deal, Objection, PublicNotice
from .permissions import can_view_deal

# The state of a notice as the public sees it (derived from the deal and the clock).
NOTICE_STATES = {
    "running": gettext_lazy("公示中"),
    "ended": gettext_lazy("公示期满"),
    "closed": gettext_lazy("已成交"),
    "cancelled": gettext_lazy("已终止"),
}


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _base() -> QuerySet:
    return Deal.objects.select_related(
        "achievement", "achievement__region", "achievement__tech_field", "seller", "seller__region",
        "seller__party_nature", "buyer", "buyer__region", "broker", "broker__organization", "listing", "contract",
        "notice")


def deal_list_visible_to(*, user, status: str | None = None, method: str | None = None,
                         achievement_id: int | None = None) -> QuerySet:
    """Deals of the caller's organization (either side, or as broker's agency) and, for staff, in scope."""
    if not is_authenticated(user) or is_system(user):
        return Deal.objects.none()
    condition = Q(pk__in=[])
    if user.organization_id:
        org = user.organization_id
        condition |= Q(seller_id=org) | Q(buyer_id=org) | Q(broker__organization_id=org)
    if is_region_staff(user):
        scope = staff_scope(user)
        if scope is not None:
            condition |= Q(seller__region__path__startswith=scope.path)
    qs = _base() if user.is_superuser else _base().filter(condition)
    if status:
        if status not in DealStatus.values:
            raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
        qs = qs.filter(status=status)
    if method:
        if method not in DealMethod.values:
            raise ApplicationError(_("成交方式取值无效：{m}").format(m=method), field="method", code="invalid_choice")
        qs = qs.filter(method=method)
    if achievement_id:
        qs = qs.filter(achievement_id=achievement_id)
    return qs.order_by("-created_at", "-pk")


def deal_get_for_user(*, user, pk) -> Deal:
    """The deal if ``user`` is a party or staff in scope; Http404 otherwise (missing or not visible)."""
    deal = _base().filter(pk=_pk(pk)).first()
    if deal is None or not can_view_deal(user, deal):
        raise Http404
    return deal


def achievement_exclusive_deal(achievement) -> Deal | None:
    """A transfer or exclusive licence of ``achievement`` that is signed or awaiting signature."""
    return (Deal.objects.filter(achievement=achievement, status__in=OPEN_DEAL_STATUSES,
                                transfer_mode__in=EXCLUSIVE_MODES).order_by("pk").first())


def bureau_admins_for(region) -> list:
    """Active bureau administrators whose scope holds ``region`` (for notifications)."""
    parts = [p for p in region.path.split("/") if p]
    paths = ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    return list(get_user_model().objects.filter(
        is_active=True, groups__name=Role.BUREAU_ADMIN.value, region__path__in=paths).distinct())


def organization_users(*organization_ids) -> list:
    ids = [i for i in organization_ids if i]
    return list(get_user_model().objects.filter(is_active=True, organization_id__in=ids)) if ids else []


# --- public notices ------------------------------------------------------------------------------------

def notice_state(notice: PublicNotice) -> str:
    status = notice.deal.status
    if status == DealStatus.CLOSED:
        return "closed"
    if status == DealStatus.CANCELLED:
        return "cancelled"
    return "running" if timezone.now() < notice.closes_from else "ended"


def notice_list(*, state: str | None = None, q: str | None = None) -> QuerySet:
    """Every published notice (public): running ones first, then the ended, newest first."""
    qs = (PublicNotice.objects.select_related("deal", "deal__achievement", "deal__seller", "deal__buyer")
          .annotate(objection_count=Count("objections")))
    now = timezone.now()
    if state:
        if state not in NOTICE_STATES:
            raise ApplicationError(_("公示状态取值无效：{s}").format(s=state), field="state", code="invalid_choice")
        qs = {
            "running": qs.filter(deal__status=DealStatus.IN_NOTICE, closes_from__gt=now),
            "ended": qs.filter(deal__status=DealStatus.IN_NOTICE, closes_from__lte=now),
            "closed": qs.filter(deal__status=DealStatus.CLOSED),
            "cancelled": qs.filter(deal__status=DealStatus.CANCELLED),
        }[state]
    if q:
        for word in str(q).split()[:5]:
            qs = qs.filter(Q(title__icontains=word) | Q(deal__achievement__title__icontains=word)
                           | Q(deal__seller__name__icontains=word))
    return qs.order_by("-published_at", "-pk")


def notice_get(*, pk) -> PublicNotice:
    notice = (PublicNotice.objects.select_related("deal", "deal__achievement", "deal__seller", "deal__buyer",
                                                  "deal__seller__region")
              .annotate(objection_count=Count("objections")).filter(pk=_pk(pk)).first())
    if notice is None:
        raise Http404
    return notice


def objections_for(*, notice: PublicNotice) -> QuerySet:
    return notice.objections.select_related("user", "organization", "resolved_by").order_by("created_at", "pk")


def objection_get(*, notice: PublicNotice, pk) -> Objection:
    objection = objections_for(notice=notice).filter(pk=_pk(pk)).first()
    if objection is None:
        raise Http404
    return objection


def open_objection_count(notice: PublicNotice) -> int:
    return notice.objections.filter(status=ObjectionStatus.OPEN).count()
