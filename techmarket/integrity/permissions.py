"""Who may see and change research-integrity records (科研诚信记录, SPEC I1).

* bureau administrators (市科技局管理员) create, edit and revoke the records of their region subtree: a
  record is an administrative finding of the city (认定), so the city enters it;
* district officers (县区科技管理部门) see the records of their subtree (managed view, read only); a
  district that finds misconduct reports it to the city with its documents and the city enters the
  record — there is no "proposed" state, because an unconfirmed record must never block anyone;
* superusers: everything;
* everybody, logged in or not: the public query (published records in effect or expired, never revoked).
"""
from __future__ import annotations

from techmarket.accounts.permissions import is_bureau_admin, is_region_staff, region_in_staff_scope

__all__ = ["can_view_managed", "can_see_record", "can_create_record_in", "can_create_records", "can_change_record",
           "change_refusal"]


def can_view_managed(user) -> bool:
    """The managed pages and the managed API view: region staff."""
    return is_region_staff(user)


def can_see_record(user, record) -> bool:
    """The managed view of one record: staff whose region subtree holds the record's region."""
    return is_region_staff(user) and region_in_staff_scope(user, record.region)


def can_create_records(user) -> bool:
    return is_bureau_admin(user)


def can_create_record_in(user, region) -> bool:
    return is_bureau_admin(user) and region_in_staff_scope(user, region)


def can_change_record(user, record) -> bool:
    """Edit and revoke: bureau administrators of the record's region."""
    return can_create_record_in(user, record.region)


def change_refusal(user, record) -> str | None:
    """Why ``user`` (who can see ``record``) may not change it, in Chinese; None when they may."""
    from django.utils.translation import gettext as _

    if can_change_record(user, record):
        return None
    return _("只有记录所在地区的市科技局管理员可以修改或撤销科研诚信记录")
