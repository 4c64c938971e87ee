"""Who may do what, by role and region scope. Every server-side check goes through here."""
from __future__ import annotations

from techmarket.regions.models import Region

from .roles import Role


def is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_bureau_admin(user) -> bool:
    return is_authenticated(user) and (user.is_superuser or user.has_role(Role.BUREAU_ADMIN))


def is_district_officer(user) -> bool:
    return is_authenticated(user) and user.has_role(Role.DISTRICT_OFFICER)


def is_region_staff(user) -> bool:
    """Bureau administrators and district officers: they manage records of their region subtree."""
    return is_bureau_admin(user) or is_district_officer(user)


def staff_scope(user) -> Region | None:
    """The region a staff member manages; None with ``is_superuser`` means everywhere."""
    if not is_region_staff(user) or user.is_superuser:
        return None
    return user.region


def region_in_staff_scope(user, region: Region | None) -> bool:
    if not is_region_staff(user):
        return False
    if user.is_superuser:
        return True
    scope = user.region
    if scope is None or region is None:
        return False
    return region.path.startswith(scope.path)


def scope_filter(user, field: str = "region") -> dict:
    """Queryset filter kwargs limiting records to the staff member's subtree ({} for everywhere)."""
    scope = staff_scope(user)
    if scope is None:
        return {}
    return {f"{field}__path__startswith": scope.path}


def is_member_of(user, organization) -> bool:
    return (is_authenticated(user) and organization is not None
            and user.organization_id == getattr(organization, "pk", organization))  # obj or id


def can_see_personal_data(user, *, owner_user_id: int | None = None, region: Region | None = None) -> bool:
    """Clear personal data for the owner and administrators only (SPEC §3).

    Administrators are superusers and bureau administrators whose scope holds the record;
    district officers see masked values like everyone else.
    """
    if not is_authenticated(user):
        return False
    if user.is_superuser:
        return True
    if owner_user_id is not None and user.pk == owner_user_id:
        return True
    if user.has_role(Role.BUREAU_ADMIN):
        return region is None or region_in_staff_scope(user, region)
    return False


def city_of(region: Region | None) -> Region | None:
    node = region
    while node is not None and node.level > Region.Level.CITY:
        node = node.parent
    return node if node is not None and node.level == Region.Level.CITY else None


def restrict_to_staff_scope(queryset, user, field: str = "region"):
    """Records inside the staff member's region subtree (all for superusers, none for non-staff)."""
    if not is_region_staff(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.region is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": user.region.path})
