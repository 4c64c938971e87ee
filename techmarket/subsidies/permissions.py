"""Who may do what with subsidy policies, rounds and declarations (registered in apps.ready).

* bureau administrators of the city (region = the city, or superusers) edit policies, run rounds,
  compute, approve (never a round whose current computation they made: maker-checker), city review;
* district officers pre-review (初审) declarations of units in their district; they see the rounds of
  their city read-only and never edit policies, compute or approve. In a city without district
  officers the bureau administrator (whose scope holds every district) does the pre-review;
* unit users (enterprise, university/institute, agency …) declare for their own organization.
"""
from __future__ import annotations

from techmarket.accounts.permissions import (
    city_of,
    is_authenticated,
    is_bureau_admin,
    is_region_staff,
    region_in_staff_scope,
)
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import RoundStatus


def _person(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def is_city_bureau(user, city) -> bool:
    """A bureau administrator whose scope holds the whole city."""
    if not (_person(user) and is_bureau_admin(user)):
        return False
    if user.is_superuser:
        return True
    return user.region is not None and city is not None and city.path.startswith(user.region.path)


def is_city_staff(user, city) -> bool:
    """Bureau administrators of the city and district officers of its districts (read access)."""
    if not (_person(user) and is_region_staff(user)):
        return False
    if user.is_superuser:
        return True
    region = user.region
    return region is not None and city is not None and (
        city.path.startswith(region.path) or region.path.startswith(city.path))


def can_edit_policy(user, policy) -> bool:
    return is_city_bureau(user, policy.city)


def can_create_policy(user, city) -> bool:
    return is_city_bureau(user, city)


def can_view_round(user, round_) -> bool:
    return is_city_staff(user, round_.city)


def can_manage_round(user, round_) -> bool:
    return is_city_bureau(user, round_.city)


def is_unit_user(user) -> bool:
    return _person(user) and getattr(user, "organization_id", None) is not None and not is_region_staff(user)


def city_of_user(user):
    org = getattr(user, "organization", None) if _person(user) else None
    return city_of(org.region) if org is not None else None


def can_declare_in(user, round_) -> bool:
    """Unit users declare while the round is open; whether their location fits the chosen policy
    (本市 / 本省 / 不限) is the policy's condition, checked by the service."""
    return is_unit_user(user) and round_.status == RoundStatus.OPEN


def is_declarant(user, declaration) -> bool:
    return is_unit_user(user) and user.organization_id == declaration.organization_id


def can_view_declaration(user, declaration) -> bool:
    return is_declarant(user, declaration) or is_city_staff(user, declaration.round.city) and (
        is_city_bureau(user, declaration.round.city)
        or region_in_staff_scope(user, declaration.organization.region))


def can_assess_declaration(user, declaration) -> bool:
    """Grade / one-time amount: the city bureau during city review."""
    return is_city_bureau(user, declaration.round.city) and declaration.status in ("pre_approved", "accepted") \
        and declaration.round.status in (RoundStatus.OPEN, RoundStatus.REVIEWING, RoundStatus.COMPUTED)


def can_edit_declaration(user, declaration) -> bool:
    return (is_declarant(user, declaration) and declaration.status in ("draft", "returned")
            and declaration.round.status == RoundStatus.OPEN)


def computed_by_id(round_):
    computation = round_.current_computation
    return computation.computed_by_id if computation is not None else None


@register_policy(workflows.MANAGE_ROUND)
def _may_manage_round(user, round_) -> bool:
    return can_manage_round(user, round_)


@register_policy(workflows.COMPUTE_ROUND)
def _may_compute_round(user, round_) -> bool:
    return can_manage_round(user, round_)


@register_policy(workflows.APPROVE_ROUND)
def _may_approve_round(user, round_) -> bool:
    """The city bureau, except whoever made the current computation (maker-checker; the service
    refuses it with its own message)."""
    return can_manage_round(user, round_) and computed_by_id(round_) != getattr(user, "pk", None)


@register_policy(workflows.DECLARE)
def _may_declare(user, declaration) -> bool:
    return is_declarant(user, declaration) and declaration.round.status == RoundStatus.OPEN


@register_policy(workflows.PRE_REVIEW)
def _may_pre_review(user, declaration) -> bool:
    """District officers of the unit's district, or the city bureau (cities without officers); units
    outside the city (rules open to the province or to any agency) are pre-reviewed by the city bureau."""
    city = declaration.round.city
    region = declaration.organization.region
    if not region.path.startswith(city.path):
        return is_city_bureau(user, city)
    return (_person(user) and is_region_staff(user) and region_in_staff_scope(user, region)
            and is_city_staff(user, city))


@register_policy(workflows.CITY_REVIEW)
def _may_city_review(user, declaration) -> bool:
    return is_city_bureau(user, declaration.round.city)
