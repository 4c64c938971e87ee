"""Who may see reason statistics and edit reason codes."""
from __future__ import annotations

from techmarket.accounts.permissions import is_authenticated, is_bureau_admin, is_region_staff, region_in_staff_scope


def can_view_reason_statistics(user) -> bool:
    """Bureau and district staff see all; organization users see their own organization's."""
    return is_region_staff(user) or (is_authenticated(user) and user.organization_id is not None)


def can_view_reason_statistics_of(user, organization) -> bool:
    if not is_authenticated(user) or organization is None:
        return False
    if is_region_staff(user):
        return region_in_staff_scope(user, organization.region)
    return user.organization_id == organization.pk


def can_edit_reason_codes(user) -> bool:
    return is_bureau_admin(user)
