"""Field-level audit: snapshot a record, then record what changed and who did it.

Models name their personal-data fields in ``PERSONAL_FIELDS = {"field": "phone"|"id_number"|"email"}``;
snapshots mask them, so no audit row ever holds clear personal data.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from .masking import mask
from .models import ObjectChange


def _plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict:
    """The record's concrete and many-to-many field values, personal data masked."""
    personal = getattr(obj, "PERSONAL_FIELDS", {})
    data: dict = {}
    for field in obj._meta.concrete_fields:
        if field.name in getattr(obj, "AUDIT_EXCLUDE", ()):
            continue
        value = getattr(obj, field.attname)
        if field.name in personal:
            value = mask(personal[field.name], value)
        data[field.name] = _plain(value)
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def record_change(*, obj: models.Model, action: str, by, before: dict | None = None,
                  after: dict | None = None, comment: str = "") -> ObjectChange:
    if after is None and action != ObjectChange.Action.DELETE:
        after = snapshot(obj)
    return ObjectChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        action=action,
        actor=by if getattr(by, "pk", None) else None,
        before=before,
        after=after,
        comment=comment[:200],
    )


def record_bulk_import(*, model, objs, by, comment: str) -> None:
    """One batch entry per import plus one per-record entry, written in bulk."""
    ct = ContentType.objects.get_for_model(model)
    actor = by if getattr(by, "pk", None) else None
    rows = [ObjectChange(content_type=ct, object_id=str(o.pk), object_repr=str(o)[:200],
                         action=ObjectChange.Action.IMPORT, actor=actor, after=snapshot_flat(o),
                         comment=comment[:200]) for o in objs]
    ObjectChange.objects.bulk_create(rows, batch_size=2000)


def snapshot_flat(obj: models.Model) -> dict:
    """Like snapshot() without many-to-many lookups (one query less per row in bulk)."""
    personal = getattr(obj, "PERSONAL_FIELDS", {})
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.name in personal:
            value = mask(personal[field.name], value)
        data[field.name] = _plain(value)
    return data


def history_for(obj: models.Model):
    """Audit rows and status changes of one record, oldest first."""
    from .models import StatusChange

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    changes = list(ObjectChange.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor"))
    transitions = list(StatusChange.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor"))
    return sorted(changes + transitions, key=lambda row: (row.created_at, row.pk))
