"""Field-level audit: snapshot a record, then record what changed and who did it.

Models name their personal-data fields in ``PERSONAL_FIELDS = {"field": "phone"|"id_number"|"email"}``;
snapshots mask them, so no audit row ever holds clear personal data.
"""
from __future__ import annotations

import datetime
import json
import operator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .masking import MASKERS, mask
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
    """One audit entry per imported record, written in bulk inside the caller's transaction.

    Each entry holds exactly what ``record_change(obj=o, action=IMPORT, by=by, comment=comment)``
    would store: ``snapshot(o)`` (personal fields masked, ``AUDIT_EXCLUDE`` left out, many-to-many
    pks sorted) and ``str(o)`` as the record's name. The per-model work (field list, maskers) is
    prepared once; the rows go in as plain tuples: ``COPY`` on PostgreSQL, one prepared
    ``executemany`` elsewhere. (The import's batch entry is the caller's ``record_change`` on its job.)
    """
    objs = list(objs)
    if not objs:
        return
    connection = connections[router.db_for_write(ObjectChange)]
    plan = _snapshot_plan(model)
    m2m = _m2m_pks(model, [o.pk for o in objs], connection.alias, plan)
    ct_id = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
    actor_id = by.pk if getattr(by, "pk", None) else None
    comment = comment[:200]
    created_at = timezone.now()
    action = ObjectChange.Action.IMPORT.value
    dumps = json.dumps if connection.vendor != "postgresql" else _dumps_unicode

    def rows():
        for o in objs:
            after = plan.snapshot(o, m2m)
            yield (ct_id, str(o.pk), str(o)[:200], action, actor_id, dumps(after), comment, created_at)

    meta = ObjectChange._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in
               ("content_type", "object_id", "object_repr", "action", "actor", "after", "comment", "created_at")]
    column_list = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the server parses the text rows directly (jsonb from the JSON text, timestamptz from
            # the aware datetime); the fastest way in, and still part of the surrounding transaction.
            sql = "COPY {t} ({c}) FROM STDIN".format(t=qn(meta.db_table), c=column_list)
            with cursor.cursor.copy(sql) as copy:
                for row in rows():
                    copy.write_row(row)
            return
        created = connection.ops.adapt_datetimefield_value(created_at)
        sql = "INSERT INTO {t} ({c}) VALUES ({p})".format(t=qn(meta.db_table), c=column_list,
                                                          p=", ".join(["%s"] * len(columns)))
        batch: list[tuple] = []
        for row in rows():
            batch.append(row[:-1] + (created,))
            if len(batch) >= _BULK_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


_BULK_BATCH = 2000


def _dumps_unicode(value) -> str:
    # jsonb stores the parsed value, so escaping non-ASCII text would only make the server unescape it.
    return json.dumps(value, ensure_ascii=False)


_PLAIN_AS_IS = frozenset({str, int, float, bool, type(None)})


class _SnapshotPlan:
    """``snapshot()``'s per-model decisions, taken once: which fields, under which keys, which masked."""

    def __init__(self, model):
        personal = getattr(model, "PERSONAL_FIELDS", {})
        excluded = getattr(model, "AUDIT_EXCLUDE", ())
        fields = [f for f in model._meta.concrete_fields if f.name not in excluded]
        self.names = tuple(f.name for f in fields)
        attnames = [f.attname for f in fields]
        self.values = operator.attrgetter(*attnames) if len(attnames) > 1 else (
            lambda obj, _a=attnames[0]: (getattr(obj, _a),))
        self.maskers = tuple((i, MASKERS[personal[f.name]]) for i, f in enumerate(fields) if f.name in personal)
        self.m2m = tuple(model._meta.many_to_many)

    def snapshot(self, obj, m2m: dict) -> dict:
        values = self.values(obj)
        if self.maskers:
            values = list(values)
            for i, masker in self.maskers:
                values[i] = masker(values[i])
        data = {name: (value if type(value) in _PLAIN_AS_IS else _plain(value))
                for name, value in zip(self.names, values)}
        for field in self.m2m:
            data[field.name] = m2m[field.name].get(obj.pk, [])
        return data


_PLANS: dict[type, _SnapshotPlan] = {}


def _snapshot_plan(model) -> _SnapshotPlan:
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = _SnapshotPlan(model)
    return plan


def _m2m_pks(model, pks: list, using: str, plan: _SnapshotPlan) -> dict[str, dict]:
    """``{field name: {record pk: sorted target pks}}`` for the records' many-to-many fields, read from
    each through table in a few queries (what ``snapshot()`` reads one query per record and field)."""
    out: dict[str, dict] = {}
    for field in plan.m2m:
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name())
        target = through._meta.get_field(field.m2m_reverse_field_name())
        by_pk: dict = {}
        for i in range(0, len(pks), 5000):
            rows = through._default_manager.using(using).filter(**{source.name + "__in": pks[i:i + 5000]}) \
                .values_list(source.attname, target.attname)
            for source_pk, target_pk in rows:
                by_pk.setdefault(source_pk, []).append(target_pk)
        for values in by_pk.values():
            values.sort()
        out[field.name] = by_pk
    return out


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
