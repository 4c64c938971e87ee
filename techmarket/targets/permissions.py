"""Who sees and edits targets (T1–T3); the workflow policies of reported values are registered here.

* bureau administrators (and superusers) of a city see all its progress, edit its indicators and targets,
  import decompositions, review reported values and produce reports;
* district officers see their own unit's progress and report its figures for reported indicators; they
  cannot edit city targets or indicators;
* the public and other users see nothing of targets (no public headline in this issue).
"""
from __future__ import annotations

from techmarket.accounts.permissions import (city_of, is_authenticated, is_bureau_admin, is_district_officer,
                                             region_in_staff_scope)
from techmarket.core.workflows import register_policy
from techmarket.regions.models import Region

from . import workflows


def _city_admin(user, city: Region | None) -> bool:
    return city is not None and is_bureau_admin(user) and region_in_staff_scope(user, city)


def can_view_city_targets(user, city: Region) -> bool:
    """The whole city's progress: its bureau administrators."""
    return _city_admin(user, city)


def can_view_unit_targets(user, region: Region) -> bool:
    """One unit's progress: the city's administrators and the unit's officers."""
    if _city_admin(user, city_of(region) or region):
        return True
    return is_district_officer(user) and region_in_staff_scope(user, region)


def can_use_targets(user) -> bool:
    return is_authenticated(user) and (is_bureau_admin(user) or is_district_officer(user))


def can_edit_targets(user, city: Region) -> bool:
    return _city_admin(user, city)


def can_report_value(user, region: Region) -> bool:
    """Officers report for their unit; administrators may enter a figure for any unit of their city."""
    if _city_admin(user, city_of(region)):
        return True
    return is_district_officer(user) and region_in_staff_scope(user, region) and region.level > Region.Level.CITY


def can_review_value(user, value) -> bool:
    return _city_admin(user, value.indicator.city)


def visible_regions(user, city: Region) -> list[Region] | None:
    """None: the whole city; otherwise the units of the city the user may see."""
    from .progress import city_units

    if can_view_city_targets(user, city):
        return None
    return [u for u in city_units(city) if can_view_unit_targets(user, u)]


@register_policy(workflows.REPORT)
def _policy_report(user, value) -> bool:
    return can_report_value(user, value.region)


@register_policy(workflows.REVIEW)
def _policy_review(user, value) -> bool:
    return can_review_value(user, value)
