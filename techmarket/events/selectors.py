"""User-dependent reads of events: public lists, the managed list, one event (404 when not visible), the
participant list (organizer and staff in scope; 403 for others who can see the event)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff
from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region
from techmarket.regions.selectors import normalize_code

from .choices import EventKind, EventStatus, RegistrationStatus
from .models import Event, EventRegistration
from .permissions import can_manage_event, can_view_event, is_agency_user

WHEN_UPCOMING, WHEN_PAST = "upcoming", "past"


def _base() -> QuerySet:
    return Event.objects.select_related("region", "region__parent", "organizer_organization",
                                        "created_by__organization")


def _filter(qs: QuerySet, *, kind: str | None = None, city: str | None = None) -> QuerySet:
    if kind:
        if kind not in EventKind.values:
            raise ApplicationError(_("活动类型取值无效：{k}").format(k=kind), field="kind", code="invalid_choice")
        qs = qs.filter(kind=kind)
    if city:
        region = Region.objects.filter(code=normalize_code(city)).first()
        if region is None:
            raise ApplicationError(_("区域代码无效：{c}").format(c=city), field="city", code="invalid_region")
        qs = qs.filter(region__path__startswith=region.path)
    return qs


def event_list_public(*, kind: str | None = None, city: str | None = None, when: str | None = None) -> QuerySet:
    """Published events; ``upcoming`` (not yet over, soonest first) or ``past`` (latest first)."""
    qs = _filter(_base().filter(status=EventStatus.PUBLISHED), kind=kind, city=city)
    now = timezone.now()
    if when == WHEN_UPCOMING:
        return qs.filter(ends_at__gt=now).order_by("starts_at", "pk")
    if when == WHEN_PAST:
        return qs.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    if when:
        raise ApplicationError(_("when 应为 upcoming 或 past"), field="when", code="invalid_choice")
    return qs.order_by("-starts_at", "-pk")


def event_list_managed(*, user, status: str | None = None, kind: str | None = None,
                       city: str | None = None) -> QuerySet:
    """Events the caller manages: their agency's events; for staff, events in their region subtree."""
    if not is_authenticated(user):
        return Event.objects.none()
    condition = Q(pk__in=[])
    if is_agency_user(user):
        condition |= Q(organizer_organization_id=user.organization_id)
    if is_region_staff(user):
        if user.is_superuser:
            condition = Q()
        elif user.region_id is not None:
            condition |= Q(region__path__startswith=user.region.path)
    qs = _filter(_base().filter(condition), kind=kind, city=city)
    if status:
        if status not in EventStatus.values:
            raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


def may_manage_events(user) -> bool:
    return is_authenticated(user) and (is_region_staff(user) or is_agency_user(user))


def event_get_for_user(*, user, pk) -> Event:
    try:
        event = _base().get(pk=int(pk))
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_event(user, event):
        raise Http404
    return event


def event_get_managed(*, user, pk) -> Event:
    """The event if the caller manages it; 404 otherwise (also for a published event of someone else)."""
    event = event_get_for_user(user=user, pk=pk)
    if not can_manage_event(user, event):
        raise Http404
    return event


def event_registrations_for(*, user, event: Event, include_cancelled: bool = False) -> QuerySet:
    """The participant list: organizer and staff in scope; 403 for others who can see the event."""
    if not can_manage_event(user, event):
        raise PermissionDenied(_("只有主办单位和所在区域的科技管理部门可以查看报名名单"))
    qs = EventRegistration.objects.filter(event=event).select_related("user", "organization", "event__region")
    if not include_cancelled:
        qs = qs.filter(status=RegistrationStatus.REGISTERED)
    return qs.order_by("created_at", "pk")


def my_registration(*, user, event: Event) -> EventRegistration | None:
    if not is_authenticated(user):
        return None
    return event.registrations.filter(user_id=user.pk, status=RegistrationStatus.REGISTERED).first()


def places_left(event: Event) -> int | None:
    from .services import registered_count

    if event.capacity is None:
        return None
    return max(event.capacity - registered_count(event), 0)


def registration_open(event: Event) -> bool:
    now = timezone.now()
    return (event.status == EventStatus.PUBLISHED and now < event.starts_at
            and (event.registration_deadline is None or now <= event.registration_deadline))
