"""Decisions on registry records. Public views need no permission; everything here is for the managed view."""
from __future__ import annotations

from techmarket.accounts.permissions import (
    can_see_personal_data,
    is_authenticated,
    is_bureau_admin,
    is_member_of,
    is_region_staff,
    region_in_staff_scope,
)


def _staff_may(user, perm: str, region) -> bool:
    return is_region_staff(user) and user.has_perm(perm) and region_in_staff_scope(user, region)


# Organizations ------------------------------------------------------------------------------------

def can_manage_organization(user, org) -> bool:
    """Managed view (contacts, notes, history): in-scope staff and the organization's own users."""
    return _staff_may(user, "directory.view_organization", org.region) or is_member_of(user, org)


def can_edit_organization(user, org) -> bool:
    return _staff_may(user, "directory.change_organization", org.region) or is_member_of(user, org)


def can_edit_organization_identity(user, org) -> bool:
    """Credit code, kind and region are changed by staff only: members cannot move their organization."""
    return _staff_may(user, "directory.change_organization", org.region)


def can_manage_qualifications(user, org) -> bool:
    # Qualifications are recognised by government: staff record them, the organization cannot.
    return _staff_may(user, "directory.change_organization", org.region)


def can_create_organization_in(user, region) -> bool:
    return _staff_may(user, "directory.add_organization", region)


def can_delete_organization(user, org) -> bool:
    return is_bureau_admin(user) and _staff_may(user, "directory.delete_organization", org.region)


def can_see_organization_contacts(user, org) -> bool:
    """Clear phone/e-mail of contacts: administrators in scope and the organization's users."""
    return can_see_personal_data(user, region=org.region) or is_member_of(user, org)


# People -------------------------------------------------------------------------------------------

def _is_person_owner(user, person) -> bool:
    return is_authenticated(user) and person.user_id is not None and person.user_id == user.pk


def can_manage_person(user, person) -> bool:
    return _staff_may(user, "directory.view_person", person.region) or _is_person_owner(user, person)


def can_edit_person(user, person) -> bool:
    return _staff_may(user, "directory.change_person", person.region) or _is_person_owner(user, person)


def can_create_person_in(user, region) -> bool:
    return _staff_may(user, "directory.add_person", region)


def can_delete_person(user, person) -> bool:
    return is_bureau_admin(user) and _staff_may(user, "directory.delete_person", person.region)


def can_see_person_personal_data(user, person) -> bool:
    return can_see_personal_data(user, owner_user_id=person.user_id, region=person.region)


# Platforms ----------------------------------------------------------------------------------------

def can_manage_platform(user, platform) -> bool:
    return (_staff_may(user, "directory.view_platform", platform.region)
            or is_member_of(user, platform.organization_id))


def can_edit_platform(user, platform) -> bool:
    # Recognition (level, validity) is a government act: staff only.
    return _staff_may(user, "directory.change_platform", platform.region)


def can_create_platform_in(user, region) -> bool:
    return _staff_may(user, "directory.add_platform", region)


def can_delete_platform(user, platform) -> bool:
    return is_bureau_admin(user) and _staff_may(user, "directory.delete_platform", platform.region)


def can_import_registry(user) -> bool:
    return is_region_staff(user) and user.has_perm("directory.import_registry")


def can_export_registry(user) -> bool:
    return is_authenticated(user)
