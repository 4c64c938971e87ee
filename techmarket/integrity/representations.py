"""What an integrity record looks like in the API and the exports: the public view (what anyone may see)
and the managed view (staff in scope). Neither ever holds a natural person's ID number, phone or e-mail:
the record stores none, and free text is passed through ``core.masking.mask_text``."""
from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from techmarket.core.api import iso
from techmarket.core.masking import mask_text
from techmarket.core.xlsx import Column

from .choices import SubjectKind
from .models import IntegrityRecord
from .selectors import RecordState, record_state


def record_public_out(record: IntegrityRecord, *, on: datetime.date) -> dict:
    state = record_state(record, on)
    return {
        "id": record.pk,
        "subject_kind": record.subject_kind,
        "subject_kind_display": record.get_subject_kind_display(),
        "subject_name": record.subject_name,
        # A natural person has no credit code; only units show one.
        "subject_credit_code": record.subject_credit_code if record.subject_kind == SubjectKind.ORGANIZATION else "",
        "record_type": record.record_type,
        "record_type_display": record.get_record_type_display(),
        "facts": mask_text(record.facts),
        "source_document": record.source_document,
        "source_authority": record.source_authority,
        "effective_from": iso(record.effective_from),
        "effective_to": iso(record.effective_to),
        "state": state,
        "state_display": str(RecordState.LABELS[state]),
    }


def record_managed_out(record: IntegrityRecord, *, on: datetime.date, user=None) -> dict:
    from .permissions import can_change_record

    data = record_public_out(record, on=on)
    data.update({
        "organization": record.organization_id,
        "person": record.person_id,
        "subject_credit_code": record.subject_credit_code,
        "is_published": record.is_published,
        "region": record.region.code,
        "region_name": record.region.full_name,
        "revoked_on": iso(record.revoked_on),
        "revocation_reason": record.revocation_reason,
        "note": mask_text(record.note),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "can_change": bool(user is not None and can_change_record(user, record) and record.revoked_on is None),
    })
    return data


def public_columns() -> list[Column]:
    return [
        Column("subject_name", _("主体名称"), width=30),
        Column("subject_kind_display", _("主体类型"), width=8),
        Column("subject_credit_code", _("统一社会信用代码"), width=22),
        Column("record_type_display", _("记录类型"), width=22),
        Column("facts", _("失信行为"), width=50),
        Column("source_document", _("认定文件"), width=30),
        Column("source_authority", _("认定机关"), width=20),
        Column("effective_from", _("生效日期"), width=12),
        Column("effective_to", _("失效日期"), width=12),
        Column("state_display", _("状态"), width=10),
    ]


def managed_columns() -> list[Column]:
    return [Column("id", _("编号"), width=8), *public_columns(),
            Column("is_published", _("公开"), width=6),
            Column("region_name", _("记录地区"), width=24),
            Column("revoked_on", _("撤销日期"), width=12),
            Column("revocation_reason", _("撤销理由"), width=30),
            Column("note", _("内部备注"), width=30)]


def export_rows(records, *, managed: bool, on: datetime.date, user=None):
    columns = managed_columns() if managed else public_columns()
    for record in records:
        data = record_managed_out(record, on=on) if managed else record_public_out(record, on=on)
        if managed:
            data["is_published"] = _("是") if record.is_published else _("否")
        yield [data[c.key] for c in columns]
