"""Who may do what, by role and region scope. Every server-side check goes through here."""
from __future__ import annotations

from techmarket.core.workflows import register_policy
from techmarket.regions.models import Region

from .roles import STAFF_ROLES, Role

REVIEW_REGISTRATION_PERMISSION = "accounts.review_registration"


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


# Accounts: registration review, user management, API tokens --------------------------------------

def can_review_registrations(user) -> bool:
    """The reviewer inbox: staff holding accounts.review_registration (each request is scoped below)."""
    return is_region_staff(user) and user.has_perm("accounts.review_registration")


def can_review_registration(user, registration) -> bool:
    """Bureau administrators and district officers whose region holds the request's region."""
    return can_review_registrations(user) and region_in_staff_scope(user, registration.region)


def can_manage_users(user) -> bool:
    return is_region_staff(user) and user.has_perm("accounts.manage_users")


def user_in_staff_scope(user, target) -> bool:
    """A user lies in a staff member's scope through its organization's region or its own (staff) region."""
    if not can_manage_users(user):
        return False
    org_region = target.organization.region if target.organization_id else None
    return region_in_staff_scope(user, org_region) or region_in_staff_scope(user, target.region)


def can_manage_user(user, target) -> bool:
    """Activate, deactivate or unlock ``target``.

    Staff manage users of their region, never themselves; accounts of staff (bureau administrators,
    district officers, Django-admin users) are managed by bureau administrators only, superusers by
    superusers only.
    """
    if not user_in_staff_scope(user, target) or target.pk == user.pk:
        return False
    if target.is_superuser:
        return user.is_superuser
    if target.is_staff or (set(target.role_names) & {r.value for r in STAFF_ROLES}):
        return is_bureau_admin(user)
    return True


def can_revoke_api_token(user, token) -> bool:
    """Owners revoke their own tokens; superusers any (the admin's token list)."""
    return is_authenticated(user) and (user.is_superuser or token.user_id == user.pk)


register_policy(REVIEW_REGISTRATION_PERMISSION)(can_review_registration)
