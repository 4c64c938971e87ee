"""Reads of integrity records that other parts (subsidies, challenges, vouchers) rely on."""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

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
