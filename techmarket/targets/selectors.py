"""Reads of the targets app, scoped to the caller (404 for what lies outside it)."""
from __future__ import annotations

import datetime

from django.http import Http404

from techmarket.accounts.permissions import city_of, is_authenticated
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_get

from . import permissions
from .computations import computation_get
from .models import Indicator, ReportedValue
from .progress import CityProgress, city_progress


def region_for_user(*, user, code: str) -> Region:
    """A city or unit the caller may look at (its bureau, or the unit's officers); 404 otherwise."""
    try:
        region = region_get(code)
    except Region.DoesNotExist:
        raise Http404 from None
    if region.level == Region.Level.CITY:
        if permissions.can_view_city_targets(user, region) or permissions.visible_regions(user, region):
            return region
        raise Http404
    if region.level == Region.Level.COUNTY and permissions.can_view_unit_targets(user, region):
        return region
    raise Http404


def default_city(user) -> Region | None:
    if not is_authenticated(user):
        return None
    if user.region is not None:
        return city_of(user.region)
    if user.is_superuser:
        return Region.objects.filter(code="410100").first()
    return None


def progress_for_user(*, user, region: Region, year: int, indicator_code: str | None = None,
                      as_of: datetime.date | None = None) -> tuple[CityProgress, list]:
    """The city's progress and the rows the caller may see (the region asked for and, for a city, its units)."""
    city = region if region.level == Region.Level.CITY else city_of(region)
    indicator = None
    if indicator_code:
        indicator = Indicator.objects.filter(city=city, code=indicator_code).first()
        if indicator is None:
            raise Http404
    progress = city_progress(city=city, year=year, indicator=indicator, as_of=as_of)
    visible = permissions.visible_regions(user, city)
    rows = progress.rows
    if region.level != Region.Level.CITY:
        rows = [r for r in rows if r.region.pk == region.pk]
    if visible is not None:
        allowed = {r.pk for r in visible}
        rows = [r for r in rows if r.region.pk in allowed]
    return progress, rows


def indicator_get_for_user(*, user, city: Region, code: str) -> Indicator:
    indicator = Indicator.objects.filter(city=city, code=code).first()
    if indicator is None:
        raise Http404
    return indicator


def drill_for_user(*, user, indicator: Indicator, region: Region, year: int, as_of: datetime.date):
    """The records behind a computed figure (contracts, certificates, platforms) for a region in scope."""
    if not (permissions.can_view_city_targets(user, indicator.city)
            or (region.pk != indicator.city_id and permissions.can_view_unit_targets(user, region))):
        raise Http404
    if not indicator.is_computed:
        return None
    comp = computation_get(indicator.computation)
    return comp.records(params=indicator.params, unit=region, start=datetime.date(year, 1, 1), end=as_of)


def reported_values_visible_to(user):
    qs = ReportedValue.objects.select_related("indicator", "region", "reported_by")
    if not permissions.can_use_targets(user):
        return qs.none()
    if user.is_superuser:
        return qs
    if user.region is None:
        return qs.none()
    city = city_of(user.region)
    if city is not None and permissions.can_view_city_targets(user, city):
        return qs.filter(indicator__city=city)
    return qs.filter(region__path__startswith=user.region.path)


def reported_value_get_for_user(*, user, pk: int) -> ReportedValue:
    obj = reported_values_visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def reportable_indicators(user, region: Region):
    city = city_of(region)
    if city is None or not permissions.can_report_value(user, region):
        return Indicator.objects.none()
    return Indicator.objects.filter(city=city, source="reported", is_active=True).order_by("order", "pk")

