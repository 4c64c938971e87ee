"""Who may read contract statistics, and for which regions.

* bureau administrators and district officers: their region subtree (superusers: everywhere);
* registrars (技术合同登记员): their city;
* nobody else (authenticated callers get 403; an out-of-scope region is 404).
"""
from __future__ import annotations

from techmarket.accounts.permissions import city_of, is_authenticated, is_region_staff, region_in_staff_scope
from techmarket.accounts.roles import Role
from techmarket.regions.models import Region


def is_registrar(user) -> bool:
    return is_authenticated(user) and user.has_role(Role.REGISTRAR)


def can_view_contract_stats(user) -> bool:
    return is_region_staff(user) or is_registrar(user)


def contract_stats_home_region(user) -> Region | None:
    """The region the dashboard opens on: the staff member's region, the registrar's city; None = all."""
    if user.is_superuser:
        return None
    if is_region_staff(user):
        return user.region
    return city_of(user.region)


def can_view_contract_stats_of(user, region: Region | None) -> bool:
    """``region`` None is every region (superusers only)."""
    if not is_authenticated(user):
        return False
    if user.is_superuser:
        return True
    if region is None:
        return False
    if is_region_staff(user):
        return region_in_staff_scope(user, region)
    if is_registrar(user):
        city = city_of(user.region)
        return city is not None and region.is_within(city)
    return False
