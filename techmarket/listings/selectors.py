"""User-dependent reads of listings and interests.

Reading a listing whose end time has passed closes it first ("reading an ended listing closes it"), so
nobody ever sees an open listing after its exact end, even if the scheduler has not run yet.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, restrict_to_staff_scope
from techmarket.core.errors import ApplicationError
from techmarket.core.money import yuan_to_fen

from .choices import LIVE_STATUSES, InterestStatus, ListingStatus
from .models import Interest, Listing
from .permissions import can_see_interest_names, can_view_listing


def _base() -> QuerySet:
    return (Listing.objects
            .select_related("achievement", "achievement__region", "achievement__tech_field",
                            "achievement__owner_organization", "seller", "broker", "broker__organization")
            .annotate(interest_count=Count("interests", filter=Q(interests__status=InterestStatus.ACTIVE))))


def _filters(qs, *, region=None, field=None, price_min=None, price_max=None, q=None) -> QuerySet:
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term
    from techmarket.taxonomies.selectors import term_descendant_ids

    if region:
        node = Region.objects.filter(code=str(region).strip()).first()
        if node is None:
            raise ApplicationError(_("区域代码无效：{c}").format(c=region), field="region", code="invalid_region")
        qs = qs.filter(achievement__region__path__startswith=node.path)
    if field:
        term = Term.objects.filter(scheme__code="hitech_domains", code=str(field).strip()).first()
        if term is None:
            raise ApplicationError(_("技术领域代码无效：{c}").format(c=field), field="field", code="unknown_term")
        qs = qs.filter(achievement__tech_field_id__in=term_descendant_ids(term))
    if price_min not in (None, ""):
        qs = qs.filter(price_fen__gte=yuan_to_fen(price_min, field="price_min"))
    if price_max not in (None, ""):
        qs = qs.filter(price_fen__lte=yuan_to_fen(price_max, field="price_max"))
    if q:
        for word in str(q).split()[:5]:
            qs = qs.filter(Q(achievement__title__icontains=word) | Q(achievement__keywords_text__icontains=word)
                           | Q(seller__name__icontains=word))
    return qs


def listing_list(*, user=None, mine: bool = False, manage: bool = False, status: str | None = None,
                 **filters) -> QuerySet:
    """Public: open listings not yet ended, ending soonest first. ``mine``: the caller's organization's
    listings; ``manage``: listings of achievements in the reviewer's region (any status filter)."""
    qs = _base()
    if mine or manage:
        if not is_authenticated(user):
            raise ApplicationError(_("请先登录"), code="not_authenticated")
        if mine:
            qs = qs.filter(seller_id=user.organization_id) if user.organization_id else qs.none()
        else:
            qs = restrict_to_staff_scope(qs, user, field="achievement__region")
        if status:
            if status not in ListingStatus.values:
                raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
            qs = qs.filter(status=status)
        order = ["updated_at", "pk"] if status == ListingStatus.SUBMITTED else ["-updated_at", "-pk"]
    else:
        qs = qs.filter(status=ListingStatus.OPEN, ends_at__gt=timezone.now())
        order = ["ends_at", "pk"]
    return _filters(qs, **filters).order_by(*order)


def listing_get_for_user(*, user, pk) -> Listing:
    """The listing if ``user`` may see it (public states, the seller, reviewers in scope); Http404 otherwise.
    An open listing past its end is closed first."""
    from .services import listing_close_if_due

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    listing = _base().filter(pk=pk).first()
    if listing is None:
        raise Http404
    if listing.status == ListingStatus.OPEN and listing.ends_at is not None and listing.ends_at <= timezone.now():
        listing_close_if_due(listing=listing)
        listing = _base().get(pk=pk)
    if not can_view_listing(user, listing):
        raise Http404
    return listing


def listing_interests_for(*, listing: Listing, user) -> QuerySet:
    """Interests with the organizations' names: the seller and reviewers in scope only (403 otherwise)."""
    if not can_see_interest_names(user, listing):
        raise PermissionDenied(_("只有转让方和科技管理部门可以查看意向受让方名单"))
    return listing.interests.select_related("organization", "user").order_by("created_at", "pk")


def listing_my_interest(*, listing: Listing, user) -> Interest | None:
    """The caller's organization's interest in ``listing`` (active or withdrawn), if any."""
    if not is_authenticated(user) or not getattr(user, "organization_id", None):
        return None
    return listing.interests.filter(organization_id=user.organization_id).first()


def active_interests(listing: Listing) -> QuerySet:
    return listing.interests.filter(status=InterestStatus.ACTIVE).select_related("organization")


def achievement_live_listing(achievement, *, exclude_pk: int | None = None) -> Listing | None:
    """The achievement's draft / submitted / returned / open listing, if any (at most one)."""
    qs = Listing.objects.filter(achievement=achievement, status__in=LIVE_STATUSES)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def listings_due() -> QuerySet:
    """Open listings whose end time has passed (the scheduler closes them)."""
    return Listing.objects.filter(status=ListingStatus.OPEN, ends_at__lte=timezone.now()).order_by("ends_at", "pk")
