"""User-dependent reads of 揭榜挂帅: public and managed lists, fetch-and-authorise, the push log."""
from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff, scope_filter
from techmarket.achievements.selectors import filter_common
from techmarket.core.actors import is_system
from techmarket.core.errors import ApplicationError

from .choices import PUBLIC_CHALLENGE_STATUSES, ChallengeStatus, PanelMemberStatus, RoundStatus
from .models import Challenge, ChallengeApplication, CollectionRound, ConsortiumMember, PoolEntry
from .permissions import (
    PAST_PUBLICATION,
    SUBMITTED_APPLICATION_STATUSES,
    can_manage_challenge,
    can_view_application,
    can_view_challenge,
    can_view_pool_entry,
    panel_member_of,
)


def _user(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def _get_or_404(queryset: QuerySet, pk, allowed):
    """The row ``pk`` of ``queryset`` if ``allowed(row)``; Http404 otherwise (missing and not yours look the same)."""
    try:
        obj = queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not allowed(obj):
        raise Http404
    return obj


def _base() -> QuerySet:
    return Challenge.objects.select_related("tech_field", "region", "owner_organization", "eligible_region")


def _text_filter(queryset: QuerySet, q: str | None) -> QuerySet:
    for word in str(q or "").split()[:5]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(keywords__icontains=word)
                                   | Q(problem_statement__icontains=word))
    return queryset


def _staff_q(user, field: str = "region") -> Q | None:
    """Records in the staff member's region subtree (every record for superusers); None for non-staff."""
    if not is_region_staff(user):
        return None
    if user.is_superuser:
        return Q(pk__isnull=False)
    if user.region is None:
        return None
    return Q(**scope_filter(user, field))


# --- challenges ------------------------------------------------------------------------------------------


def challenges_public(*, q: str = "", field: str | None = None, region: str | None = None,
                      status: str | None = None) -> QuerySet:
    """Published challenges and what followed (not withdrawn): 揭榜中 first, by deadline, then the newest."""
    if status and status not in PUBLIC_CHALLENGE_STATUSES:
        raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
    qs = filter_common(_base().filter(status__in=PUBLIC_CHALLENGE_STATUSES), region=region, field=field,
                       status=status)
    open_first = Case(When(status=ChallengeStatus.PUBLISHED, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    return _text_filter(qs, q).annotate(_open_first=open_first).order_by("_open_first", "-published_at", "-pk")


def _visible_q(user) -> Q:
    """The managed list: the setter's own, staff scope, panels the expert sits on, challenges the unit applied to."""
    parts = Q(pk__in=[])
    staff = _staff_q(user)
    if staff is not None:
        parts |= staff
    if user.organization_id:
        parts |= Q(owner_organization_id=user.organization_id)
        parts |= Q(pk__in=ConsortiumMember.objects.filter(organization_id=user.organization_id)
                   .values("challenge_id"))
    parts |= Q(panel__person__user=user, panel__status=PanelMemberStatus.ACTIVE)
    return parts


def challenges_visible_to(user, *, q: str = "", status: str | None = None) -> QuerySet:
    if not _user(user):
        return Challenge.objects.none()
    if status and status not in ChallengeStatus.values:
        raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
    qs = _base().filter(pk__in=Challenge.objects.filter(_visible_q(user)).values("pk"))
    if status:
        qs = qs.filter(status=status)
    return _text_filter(qs, q).order_by("-updated_at", "-pk")


def challenge_get_for_user(*, user, pk, managed: bool = False) -> Challenge:
    """The challenge if ``user`` may see it: the public view, or with ``managed`` the managed view (setter,
    staff in scope, the panel); Http404 otherwise (missing and not yours look the same)."""
    if managed:
        return _get_or_404(_base(), pk,
                           lambda c: can_manage_challenge(user, c) or panel_member_of(user, c) is not None)
    return _get_or_404(_base(), pk, lambda c: can_view_challenge(user, c))


# --- applications ---------------------------------------------------------------------------------------------


def _applications_base() -> QuerySet:
    return ChallengeApplication.objects.select_related("challenge", "organization", "contact")


def applications_visible_to(*, user, challenge: Challenge) -> QuerySet:
    """The challenge's applications ``user`` may see (permissions.can_view_application, as one query)."""
    qs = _applications_base().filter(challenge=challenge)
    if not _user(user):
        return qs.none()
    from .permissions import is_setter, is_staff_in_scope

    if is_staff_in_scope(user, challenge):
        return qs
    seen = Q(pk__in=[])
    if user.organization_id:
        seen |= Q(pk__in=ConsortiumMember.objects.filter(challenge=challenge, organization_id=user.organization_id)
                  .values("application_id"))
    if (is_setter(user, challenge) and challenge.status in PAST_PUBLICATION) or panel_member_of(user, challenge):
        seen |= Q(status__in=SUBMITTED_APPLICATION_STATUSES)
    return qs.filter(seen)


def application_get_for_user(*, user, pk) -> ChallengeApplication:
    return _get_or_404(_applications_base(), pk, lambda a: can_view_application(user, a))


def my_applications(user) -> QuerySet:
    """Applications of the user's unit, as lead or consortium member."""
    if not _user(user) or not user.organization_id:
        return ChallengeApplication.objects.none()
    ids = ConsortiumMember.objects.filter(organization_id=user.organization_id).values("application_id")
    return _applications_base().filter(pk__in=ids).order_by("-updated_at", "-pk")


# --- the pool and its rounds ----------------------------------------------------------------------------------


def pool_entries_visible_to(user, *, status: str | None = None, round_=None) -> QuerySet:
    """The enterprise's own entries; staff: the entries of their region subtree."""
    qs = PoolEntry.objects.select_related("demand", "demand__region", "demand__owner_organization", "round")
    if not _user(user):
        return qs.none()
    seen = Q(pk__in=[])
    staff = _staff_q(user, "demand__region")
    if staff is not None:
        seen |= staff
    if user.organization_id:
        seen |= Q(demand__owner_organization_id=user.organization_id)
    qs = qs.filter(seen)
    if status:
        qs = qs.filter(status=status)
    if round_ is not None:
        qs = qs.filter(round=round_)
    return qs.order_by("-created_at", "-pk")


def pool_entry_get_for_user(*, user, pk) -> PoolEntry:
    return _get_or_404(PoolEntry.objects.select_related("demand", "demand__region", "round"), pk,
                       lambda e: can_view_pool_entry(user, e))


def _cities_holding(region) -> list[str]:
    """The paths of ``region`` and of every region above it."""
    parts = [p for p in region.path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts) + 1)]


def rounds_visible_to(user) -> QuerySet:
    """Staff: rounds of the cities in or above their scope (a district officer sees its city's); other users:
    the open and closed rounds of the city their unit is in."""
    qs = CollectionRound.objects.select_related("city")
    if not _user(user):
        return qs.none()
    seen = Q(pk__in=[])
    staff = _staff_q(user, "city")
    if staff is not None:
        seen |= staff
        if user.region is not None:
            seen |= Q(city__path__in=_cities_holding(user.region))
    if user.organization_id and user.organization.region_id:
        seen |= Q(city__path__in=_cities_holding(user.organization.region)) & ~Q(status=RoundStatus.DRAFT)
    return qs.filter(seen).order_by("-deadline", "-pk")


def round_get_for_user(*, user, pk) -> CollectionRound:
    return _get_or_404(rounds_visible_to(user), pk, lambda r: True)


# --- the push log ---------------------------------------------------------------------------------------------


def push_log(challenge: Challenge) -> list:
    """Who was notified of the published challenge and who opened it (matching's push log: names and units,
    no contacts). The caller checks ``can_manage_challenge``."""
    from techmarket.matching.push import push_log as matching_push_log

    return matching_push_log(challenge)
