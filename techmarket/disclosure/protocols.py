"""What a record must offer to have a confidential tier (SPEC §2 B3).

A model becomes *disclosable* — others may ask to see its confidential detail —
by implementing **one** of the two owner hooks below; ``directory.Organization``
is disclosable out of the box (its owners are its users).

Owner hooks (pick one):

``disclosure_owner_user_ids(self) -> set[int]``
    The ids of the users who own the record and decide on requests.

``disclosure_owner_organization_id``  (attribute or property, ``int | None``)
    The owning organization; its active users are the owners.

Optional hooks:

``disclosure_records_owned_by(cls, user) -> QuerySet`` (classmethod)
    The records ``user`` owns, so "requests addressed to me" is one query.
    Without it, requests for the model's records are checked row by row.

``disclosure_region`` (attribute or property, ``Region | None``)
    The region whose bureau administrators may see the detail. Defaults to
    ``record.region``, then the owning organization's region.

``disclosure_open_to_requests(self) -> bool``
    False while the record is not public (e.g. an unpublished achievement);
    requests are then refused as if the record did not exist.

``get_absolute_url(self)``
    Used for links in notifications when present.

Records with neither owner hook but an ``organization`` foreign key fall back to
"users of record.organization" when asked for owners, but they are not
disclosable until they opt in with a hook. A minimal opt-in for such a model::

    class Achievement(models.Model):
        organization = models.ForeignKey("directory.Organization", ...)

        @property
        def disclosure_owner_organization_id(self):
            return self.organization_id

        @classmethod
        def disclosure_records_owned_by(cls, user):
            return cls.objects.filter(organization_id=user.organization_id)
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from django.contrib.auth import get_user_model
from django.db import models

from techmarket.directory.models import Organization


@runtime_checkable
class UserOwnedDisclosable(Protocol):
    def disclosure_owner_user_ids(self) -> set[int]: ...


@runtime_checkable
class OrganizationOwnedDisclosable(Protocol):
    disclosure_owner_organization_id: int | None


def _declares_user_ids(model_or_record) -> bool:
    return callable(getattr(model_or_record, "disclosure_owner_user_ids", None))


def _declares_organization(model_or_record) -> bool:
    return hasattr(type(model_or_record) if isinstance(model_or_record, models.Model) else model_or_record,
                   "disclosure_owner_organization_id")


def is_disclosable(model) -> bool:
    """Whether records of ``model`` (a class) have a confidential tier."""
    if model is None:
        return False
    return issubclass(model, Organization) or _declares_user_ids(model) or _declares_organization(model)


def owner_organization_id(record) -> int | None:
    if _declares_user_ids(record) and not _declares_organization(record):
        return None
    if _declares_organization(record):
        return record.disclosure_owner_organization_id
    if isinstance(record, Organization):
        return record.pk
    return getattr(record, "organization_id", None)


def owner_user_ids(record) -> set[int]:
    """The users who decide on requests for ``record`` (active users only)."""
    if _declares_user_ids(record):
        return {int(pk) for pk in record.disclosure_owner_user_ids()}
    org_id = owner_organization_id(record)
    if org_id is None:
        return set()
    return set(get_user_model().objects.filter(organization_id=org_id, is_active=True).values_list("pk", flat=True))


def is_owner(user, record) -> bool:
    """Cheap ownership test: no query for organization-owned records."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _declares_user_ids(record):
        return user.pk in owner_user_ids(record)
    org_id = owner_organization_id(record)
    return org_id is not None and user.organization_id == org_id


def records_owned_by(model, user) -> models.QuerySet | None:
    """Records of ``model`` owned by ``user`` as a queryset, or None when only a row check can tell."""
    hook = getattr(model, "disclosure_records_owned_by", None)
    if callable(hook):
        return hook(user)
    if _declares_user_ids(model) or _declares_organization(model):
        return None
    if issubclass(model, Organization):
        manager = model._default_manager
        return manager.filter(pk=user.organization_id) if user.organization_id else manager.none()
    return None


def record_region(record):
    if hasattr(type(record), "disclosure_region"):
        return record.disclosure_region
    if isinstance(getattr(record, "region", None), models.Model):
        return record.region
    org_id = owner_organization_id(record)
    if org_id is not None:
        org = Organization.objects.select_related("region").filter(pk=org_id).first()
        return org.region if org else None
    return None


def open_to_requests(record) -> bool:
    hook = getattr(record, "disclosure_open_to_requests", None)
    return bool(hook()) if callable(hook) else True


def viewer_allowed(user, record) -> bool:
    """Optional hook ``disclosure_viewer_allowed(self, user) -> bool``: viewers a record admits by rules of its
    own (e.g. the units that accepted a 揭榜挂帅 challenge's agreement), besides owners, administrators and
    active requests."""
    hook = getattr(record, "disclosure_viewer_allowed", None)
    return bool(hook(user)) if callable(hook) else False


def record_title(record) -> str:
    return str(record)[:200]


def record_link(record) -> str:
    getter = getattr(record, "get_absolute_url", None)
    try:
        return getter() if callable(getter) else ""
    except Exception:  # noqa: BLE001 - a broken URL must not block a notification
        return ""
