"""Reads of the registries: public lists with filters, and managed lists scoped to the reader."""
from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techmarket.accounts.permissions import is_authenticated, is_region_staff, restrict_to_staff_scope
from techmarket.regions.models import Region
from techmarket.regions.selectors import normalize_code
from techmarket.taxonomies.models import Term
from techmarket.taxonomies.selectors import term_descendant_ids

from . import permissions
from .models import Organization, Person, Platform, Qualification


def _region_or_404(code: str) -> Region:
    try:
        return Region.objects.get(code=normalize_code(code))
    except Region.DoesNotExist:
        raise Http404


def _field_ids(code: str) -> list[int]:
    term = Term.objects.filter(scheme__code="hitech_domains", code=code).first()
    if term is None:
        raise Http404
    return term_descendant_ids(term)


def valid_qualification_exists(kind: str, day: datetime.date | None = None):
    day = day or timezone.localdate()
    return Exists(Qualification.objects.filter(
        organization=OuterRef("pk"), kind=kind, recognised_on__lte=day,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day)))


def organization_filter(qs: QuerySet, *, region: str | None = None, kind: str | None = None,
                        qualification: str | None = None, field: str | None = None,
                        q: str | None = None) -> QuerySet:
    if region:
        qs = qs.filter(region__path__startswith=_region_or_404(region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if qualification:
        qs = qs.filter(valid_qualification_exists(qualification))
    if field:
        qs = qs.filter(tech_fields__in=_field_ids(field)).distinct()
    if q:
        qs = qs.filter(Q(name__contains=q.strip()) | Q(credit_code=q.strip().upper()))
    return qs


def organization_list_public(**filters) -> QuerySet:
    qs = Organization.objects.select_related("region", "region__parent", "party_nature", "industry")
    return organization_filter(qs, **filters).prefetch_related("qualifications", "tech_fields")


def organization_list_managed(user, **filters) -> QuerySet:
    """Staff: their region subtree; organization users: their own organization."""
    qs = organization_list_public(**filters)
    if is_region_staff(user):
        return restrict_to_staff_scope(qs, user)
    if is_authenticated(user) and user.organization_id:
        return qs.filter(pk=user.organization_id)
    return qs.none()


def organization_get(pk: int) -> Organization:
    try:
        return Organization.objects.select_related("region", "region__parent", "party_nature", "industry").get(pk=pk)
    except (Organization.DoesNotExist, ValueError):
        raise Http404


def organization_get_managed(user, pk: int) -> Organization:
    """Same 404 for 'does not exist' and 'not yours' (STYLE §5.6)."""
    org = organization_get(pk)
    if not permissions.can_manage_organization(user, org):
        raise Http404
    return org


def person_filter(qs, *, region=None, kind=None, programme=None, field=None, q=None, organization=None):
    if region:
        qs = qs.filter(region__path__startswith=_region_or_404(region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if programme:
        qs = qs.filter(programmes__contains=[programme]) if _json_contains_supported() else \
            qs.filter(programmes__icontains=f'"{programme}"')
    if field:
        qs = qs.filter(tech_fields__in=_field_ids(field)).distinct()
    if organization:
        qs = qs.filter(organization_id=organization)
    if q:
        qs = qs.filter(Q(name__contains=q.strip()) | Q(expertise__contains=q.strip()))
    return qs


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def person_list_public(**filters):
    qs = Person.objects.select_related("region", "region__parent", "organization")
    return person_filter(qs, **filters).prefetch_related("tech_fields", "disciplines")


def person_list_managed(user, **filters):
    qs = person_list_public(**filters)
    if is_region_staff(user):
        return restrict_to_staff_scope(qs, user)
    if is_authenticated(user):
        return qs.filter(user=user)
    return qs.none()


def person_get(pk: int) -> Person:
    try:
        return Person.objects.select_related("region", "region__parent", "organization").get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404


def person_get_managed(user, pk: int) -> Person:
    person = person_get(pk)
    if not permissions.can_manage_person(user, person):
        raise Http404
    return person


def platform_filter(qs, *, region=None, kind=None, level=None, field=None, q=None, valid=None):
    if region:
        qs = qs.filter(region__path__startswith=_region_or_404(region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if field:
        qs = qs.filter(tech_fields__in=_field_ids(field)).distinct()
    if valid:
        today = timezone.localdate()
        qs = qs.filter(recognised_on__lte=today).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if q:
        qs = qs.filter(Q(name__contains=q.strip()) | Q(organization__name__contains=q.strip()))
    return qs


def platform_list_public(**filters):
    qs = Platform.objects.select_related("region", "region__parent", "organization")
    return platform_filter(qs, **filters).prefetch_related("tech_fields")


def platform_list_managed(user, **filters):
    qs = platform_list_public(**filters)
    if is_region_staff(user):
        return restrict_to_staff_scope(qs, user)
    if is_authenticated(user) and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def platform_get(pk: int) -> Platform:
    try:
        return Platform.objects.select_related("region", "region__parent", "organization").get(pk=pk)
    except (Platform.DoesNotExist, ValueError):
        raise Http404


def platform_get_managed(user, pk: int) -> Platform:
    platform = platform_get(pk)
    if not permissions.can_manage_platform(user, platform):
        raise Http404
    return platform
