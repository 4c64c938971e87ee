"""Reads of integrity records that other parts (subsidies, challenges, vouchers) rely on."""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _lazy

from .models import IntegrityRecord


def active_on(day: datetime.date) -> Q:
    return (Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=day)))


def integrity_active_records(*, organization=None, person=None, credit_code: str = "",
                             on: datetime.date) -> QuerySet[IntegrityRecord]:
    """Records in effect on ``on`` whose subject is ``organization`` (by link or by its credit code) or
    ``person``. An empty queryset means the subject is not blocked."""
    subject = Q(pk__in=[])
    if organization is not None:
        subject |= Q(organization=organization)
        credit_code = credit_code or getattr(organization, "credit_code", "")
    if credit_code:
        subject |= Q(subject_credit_code=credit_code)
    if person is not None:
        subject |= Q(person=person)
    return IntegrityRecord.objects.filter(subject).filter(active_on(on)).order_by("effective_from", "pk")


# --- the blocking reason, states, managed and public lists ----------------------------------------------

def integrity_block_reason(*, organization=None, person=None, credit_code: str = "",
                           on: datetime.date) -> str | None:
    """The Chinese reason a subject is blocked from subsidies, challenges and vouchers on ``on``, or None.

    ``存在生效的科研诚信记录：<类型>（<认定文件>，<生效日期>起）``; several records are joined with "；".
    """
    from django.utils.translation import gettext as _

    records = list(integrity_active_records(organization=organization, person=person, credit_code=credit_code,
                                            on=on))
    if not records:
        return None
    parts = [_("{t}（{d}，{f}起）").format(t=r.get_record_type_display(), d=r.source_document,
                                         f=r.effective_from.isoformat()) for r in records]
    return _("存在生效的科研诚信记录：{r}").format(r="；".join(parts))


class RecordState:
    ACTIVE = "active"
    PENDING = "pending"
    EXPIRED = "expired"
    REVOKED = "revoked"

    LABELS = {"active": _lazy("生效中"), "pending": _lazy("尚未生效"), "expired": _lazy("已失效"),
              "revoked": _lazy("已撤销")}


def record_state(record: IntegrityRecord, on: datetime.date) -> str:
    if record.revoked_on is not None and record.revoked_on <= on:
        return RecordState.REVOKED
    if record.effective_from > on:
        return RecordState.PENDING
    if record.effective_to is not None and record.effective_to < on:
        return RecordState.EXPIRED
    return RecordState.ACTIVE


def state_filter(state: str, on: datetime.date) -> Q:
    revoked = Q(revoked_on__isnull=False) & Q(revoked_on__lte=on)
    if state == RecordState.REVOKED:
        return revoked
    if state == RecordState.ACTIVE:
        return active_on(on)
    if state == RecordState.PENDING:
        return ~revoked & Q(effective_from__gt=on)
    if state == RecordState.EXPIRED:
        return ~revoked & Q(effective_to__lt=on)
    raise ValueError(state)


def _search(qs: QuerySet, q: str) -> QuerySet:
    from techmarket.directory.credit_code import normalize

    q = (q or "").strip()
    if not q:
        return qs
    code = normalize(q)
    if len(code) == 18 and code.isalnum():
        return qs.filter(Q(subject_credit_code=code) | Q(subject_name__icontains=q))
    return qs.filter(subject_name__icontains=q)


def integrity_public_records(*, q: str = "", on: datetime.date) -> QuerySet[IntegrityRecord]:
    """The public query (科研诚信记录查询): published records that have taken effect and were not revoked,
    in effect or expired, found by subject name or credit code."""
    qs = IntegrityRecord.objects.filter(is_published=True, effective_from__lte=on).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
    return _search(qs, q).order_by("-effective_from", "-pk")


def integrity_records_managed(user, *, q: str = "", record_type: str = "", state: str = "",
                              published: bool | None = None, on: datetime.date) -> QuerySet[IntegrityRecord]:
    """The managed list: records whose region lies in the caller's subtree (none for non-staff)."""
    from techmarket.accounts.permissions import restrict_to_staff_scope

    qs = restrict_to_staff_scope(IntegrityRecord.objects.select_related("region", "organization", "person"), user)
    qs = _search(qs, q)
    if record_type:
        qs = qs.filter(record_type=record_type)
    if state:
        qs = qs.filter(state_filter(state, on))
    if published is not None:
        qs = qs.filter(is_published=published)
    return qs.order_by("-effective_from", "-pk")


def integrity_record_get_for_user(*, user, pk) -> IntegrityRecord:
    """The record for the managed view; Http404 when it does not exist or lies outside the caller's scope."""
    from django.http import Http404

    from .permissions import can_see_record

    try:
        record = IntegrityRecord.objects.select_related("region", "organization", "person", "created_by").get(
            pk=int(pk))
    except (IntegrityRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_see_record(user, record):
        raise Http404
    return record


def integrity_public_record_get(*, pk, on: datetime.date) -> IntegrityRecord:
    from django.http import Http404

    try:
        return integrity_public_records(on=on).get(pk=int(pk))
    except (IntegrityRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
