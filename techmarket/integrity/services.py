"""Every write of research-integrity records (科研诚信记录, SPEC I1): record, correct, revoke.

Bureau administrators of the record's region act (``permissions``); each change is one transaction with
one audit entry (``core.audit``: before and after), so the record's history shows who recorded,
corrected or revoked it and when. Records are never deleted: a record found wrong on review, or whose
subject completed credit repair (信用修复), is revoked with the date and the reason.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.dates import date_clean
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.directory.credit_code import credit_code_problem, normalize
from techmarket.directory.models import Organization, Person
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_resolve

from . import permissions
from .choices import RecordType, SubjectKind
from .models import IntegrityRecord

__all__ = ["integrity_record_create", "integrity_record_update", "integrity_record_revoke", "FIELDS"]

FIELDS = ("subject_kind", "organization", "person", "subject_name", "subject_credit_code", "record_type", "facts",
          "source_document", "source_authority", "effective_from", "effective_to", "is_published", "region", "note")
TEXT_FIELDS = {"subject_name": (_("主体名称"), 200, True), "facts": (_("失信行为"), 5000, True),
               "source_document": (_("认定文件"), 200, True), "source_authority": (_("认定机关"), 100, True),
               "note": (_("内部备注"), 5000, False)}
DATE_LABELS = {"effective_from": _("生效日期"), "effective_to": _("失效日期"), "revoked_on": _("撤销日期")}


class _Errors:
    def __init__(self):
        self.items: list[ErrorItem] = []

    def add(self, field: str | None, code: str, message: str) -> None:
        self.items.append(ErrorItem(field, code, message))

    def take(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ApplicationError as exc:
            self.items.extend(exc.errors)
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise ApplicationError(errors=self.items)


def _instance(model, value, *, field: str, label: str):
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.select_related("region").get(pk=int(value))
    except (model.DoesNotExist, ValueError, TypeError):
        raise ApplicationError(_("{label}不存在").format(label=label), field=field, code="invalid_choice") from None


def _region(value) -> Region | None:
    if value is None or value == "":
        return None
    if isinstance(value, Region):
        return value
    return region_resolve(str(value), field="region")


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "是")
    return bool(value)


def _apply(record: IntegrityRecord, data: dict) -> None:
    """Copy ``data`` onto ``record`` with every rule of a record; all errors at once, naming the field."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(unknown)), field=unknown[0],
                               code="not_editable")
    e = _Errors()
    if "subject_kind" in data:
        if data["subject_kind"] not in SubjectKind.values:
            e.add("subject_kind", "invalid_choice", _("主体类型应为“单位”或“个人”"))
        else:
            record.subject_kind = data["subject_kind"]
    if "record_type" in data:
        if data["record_type"] not in RecordType.values:
            e.add("record_type", "invalid_choice", _("记录类型“{v}”不是有效的选项").format(v=data["record_type"]))
        else:
            record.record_type = data["record_type"]
    if "organization" in data:
        org = e.take(_instance, Organization, data["organization"], field="organization", label=_("单位"))
        if org is not None or not data["organization"]:
            record.organization = org
    if "person" in data:
        person = e.take(_instance, Person, data["person"], field="person", label=_("个人"))
        if person is not None or not data["person"]:
            record.person = person
    if "subject_credit_code" in data:
        code = normalize(data["subject_credit_code"])
        problem = credit_code_problem(code) if code else None
        if problem:
            e.add("subject_credit_code", "invalid_credit_code",
                  _("统一社会信用代码无效：{p}").format(p=problem))
        else:
            record.subject_credit_code = code
    for name in ("effective_from", "effective_to"):
        if name in data:
            day = e.take(date_clean, data[name], field=name, label=DATE_LABELS[name])
            if day is not None or not data[name]:
                setattr(record, name, day)
    if "region" in data:
        region = e.take(_region, data["region"])
        if region is not None or not data["region"]:
            record.region = region
    if "is_published" in data:
        record.is_published = _bool(data["is_published"])
    e.raise_if_any()

    # The subject: a unit (linked when in the registry, found by credit code) or a natural person.
    if record.subject_kind == SubjectKind.ORGANIZATION:
        record.person = None
        if record.organization is None and record.subject_credit_code:
            record.organization = Organization.objects.select_related("region").filter(
                credit_code=record.subject_credit_code).first()
        if record.organization is not None:
            if not record.subject_credit_code:
                record.subject_credit_code = record.organization.credit_code or ""
            elif record.organization.credit_code and record.subject_credit_code != record.organization.credit_code:
                e.add("subject_credit_code", "mismatch",
                      _("统一社会信用代码与单位库中“{n}”的代码 {c} 不一致").format(
                          n=record.organization.name, c=record.organization.credit_code))
            if not str(data.get("subject_name") or record.subject_name or "").strip():
                data = {**data, "subject_name": record.organization.name}
    elif record.subject_kind == SubjectKind.PERSON:
        record.organization = None
        if record.subject_credit_code:
            e.add("subject_credit_code", "not_applicable", _("个人主体不填写统一社会信用代码"))
        if record.person is not None and not str(data.get("subject_name") or record.subject_name or "").strip():
            data = {**data, "subject_name": record.person.name}
    else:
        e.add("subject_kind", "required", _("请选择主体类型"))
    for name, (label, max_length, required) in TEXT_FIELDS.items():
        if name in data or (required and not getattr(record, name)):
            text = str(data.get(name) if name in data else getattr(record, name) or "").strip()
            if required and not text:
                e.add(name, "required", _("请填写{label}").format(label=label))
            elif len(text) > max_length:
                e.add(name, "too_long", _("{label}不能超过 {n} 个字").format(label=label, n=max_length))
            else:
                setattr(record, name, text)
    if not record.record_type:
        e.add("record_type", "required", _("请选择记录类型"))
    if record.effective_from is None:
        e.add("effective_from", "required", _("请填写生效日期"))
    elif record.effective_to is not None and record.effective_to < record.effective_from:
        e.add("effective_to", "invalid_range", _("失效日期不能早于生效日期"))
    if record.region_id is None:
        subject = record.organization or record.person
        if subject is not None and subject.region_id:
            record.region = subject.region
        else:
            e.add("region", "required", _("请填写记录地区（6 位行政区划代码或名称）"))
    e.raise_if_any()


def _check_scope(by, region: Region) -> None:
    if not permissions.can_create_record_in(by, region):
        raise ApplicationError(
            _("记录地区“{r}”不在您的管辖范围内，只能登记本地区的科研诚信记录").format(r=region.full_name),
            field="region", code="out_of_scope")


@transaction.atomic
def integrity_record_create(*, by, data: dict) -> IntegrityRecord:
    """A bureau administrator records a finding (认定) of research misconduct or serious dishonesty."""
    if not permissions.can_create_records(by):
        raise PermissionDenied(_("只有市科技局管理员可以登记科研诚信记录"))
    record = IntegrityRecord(created_by=by if getattr(by, "pk", None) else None)
    data = dict(data)
    data.setdefault("subject_name", "")
    _apply(record, data)
    _check_scope(by, record.region)
    record.save()
    record_change(obj=record, action=ObjectChange.Action.CREATE, by=by, after=snapshot(record))
    return record


@transaction.atomic
def integrity_record_update(*, record: IntegrityRecord, by, data: dict) -> IntegrityRecord:
    """Correct a record (facts, period, publication …); a revoked record is closed and cannot be changed."""
    record = IntegrityRecord.objects.select_for_update().select_related("region").get(pk=record.pk)
    refusal = permissions.change_refusal(by, record)
    if refusal:
        raise PermissionDenied(refusal)
    if record.revoked_on is not None:
        raise ApplicationError(_("记录已于 {d} 撤销，不能再修改").format(d=record.revoked_on.isoformat()),
                               field=None, code="revoked")
    before = snapshot(record)
    _apply(record, dict(data))
    _check_scope(by, record.region)
    record.save()
    after = snapshot(record)
    if {k: v for k, v in after.items() if k != "updated_at"} != {k: v for k, v in before.items() if k != "updated_at"}:
        record_change(obj=record, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return record


@transaction.atomic
def integrity_record_revoke(*, record: IntegrityRecord, by, reason: str,
                            revoked_on: datetime.date | str | None = None) -> IntegrityRecord:
    """撤销: the record stops having effect from ``revoked_on`` (default today); the reason is required.

    It leaves the public query at once and stops blocking from that day on; its history stays.
    """
    record = IntegrityRecord.objects.select_for_update().select_related("region").get(pk=record.pk)
    refusal = permissions.change_refusal(by, record)
    if refusal:
        raise PermissionDenied(refusal)
    if record.revoked_on is not None:
        raise ApplicationError(_("记录已于 {d} 撤销").format(d=record.revoked_on.isoformat()), code="revoked")
    e = _Errors()
    reason = str(reason or "").strip()
    if not reason:
        e.add("reason", "required", _("请填写撤销理由"))
    elif len(reason) > 200:
        e.add("reason", "too_long", _("撤销理由不能超过 200 个字"))
    day = e.take(date_clean, revoked_on, field="revoked_on", label=DATE_LABELS["revoked_on"]) if revoked_on not in (None, "") else timezone.localdate()
    if day is not None and day > timezone.localdate():
        e.add("revoked_on", "in_future", _("撤销日期不能晚于今天"))
    e.raise_if_any()
    before = snapshot(record)
    record.revoked_on = day
    record.revocation_reason = reason
    record.save(update_fields=["revoked_on", "revocation_reason", "updated_at"])
    record_change(obj=record, action=ObjectChange.Action.UPDATE, by=by, before=before, after=snapshot(record),
                  comment=_("撤销：{r}").format(r=reason))
    return record
