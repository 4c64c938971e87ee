"""User-dependent reads of technology contracts: the caller's list and one contract (404 outside scope)."""
from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.http import Http404
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff, staff_scope
from techmarket.core.actors import is_system
from techmarket.core.errors import ApplicationError

from .choices import ContractStatus, PaymentEvidenceKind
from .models import ContractPayment, PaymentEvidence, RegistrationPoint, TechContract
from .permissions import can_view_contract, registrar_point_ids

MIN_YEAR, MAX_YEAR = 1980, 2100


def _base() -> QuerySet:
    return TechContract.objects.select_related(
        "category", "seller_organization", "seller_region", "seller_nature", "buyer_organization", "buyer_region",
        "buyer_nature", "tech_field", "ip_type", "plan_category", "broker", "broker_agency", "achievement", "deal",
        "registration_point", "registration_point__city", "examined_by")


def contracts_visible_to(user) -> QuerySet:
    """The caller's organization's contracts (as seller or buyer); for staff, those whose seller or
    buyer lies in their region subtree (all for superusers); for registrars, those submitted to a point
    where they hold a certificate valid today."""
    if not is_authenticated(user) or is_system(user):
        return TechContract.objects.none()
    condition = Q(pk__in=[])
    if user.organization_id:
        condition |= Q(seller_organization_id=user.organization_id) | Q(buyer_organization_id=user.organization_id)
    if is_region_staff(user):
        scope = staff_scope(user)
        if user.is_superuser:
            condition = Q()
        elif scope is not None:
            condition |= Q(seller_region__path__startswith=scope.path) | Q(buyer_region__path__startswith=scope.path)
    points = registrar_point_ids(user)
    if points:
        condition |= Q(registration_point_id__in=points)
    return _base().filter(condition)


def contract_list(*, user, status: str | None = None, year: int | None = None, overdue: bool = False,
                  today: datetime.date | None = None) -> QuerySet:
    """``overdue``: a decision is pending and ``decision_due_on`` has passed (today > due date)."""
    qs = contracts_visible_to(user)
    if overdue:
        qs = qs.filter(status__in=TechContract.AWAITING_DECISION,
                       decision_due_on__lt=today or timezone.localdate())
    if status:
        if status not in ContractStatus.values:
            raise ApplicationError(_("状态取值无效：{s}").format(s=status), field="status", code="invalid_choice")
        qs = qs.filter(status=status)
    if year is not None:
        if not MIN_YEAR <= int(year) <= MAX_YEAR:
            raise ApplicationError(_("年份应在 {a}–{b} 之间").format(a=MIN_YEAR, b=MAX_YEAR), field="year",
                                   code="invalid")
        qs = qs.filter(signed_on__year=int(year))
    return qs.order_by("-created_at", "-pk")


def contract_get_for_user(*, user, pk) -> TechContract:
    """The contract if ``user`` may see it; Http404 for a missing one and for one outside the caller's scope."""
    try:
        contract = _base().get(pk=int(pk))
    except (TechContract.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_view_contract(user, contract):
        raise Http404
    return contract


def registrar_inbox(*, user) -> QuerySet:
    """The registrar's inbox: contracts of the caller's point(s) waiting for a decision, oldest first."""
    points = registrar_point_ids(user)
    return _base().filter(registration_point_id__in=points, status__in=TechContract.AWAITING_DECISION) \
        .order_by("submitted_at", "pk")


def registration_points(*, city: str | None = None, active_only: bool = True) -> QuerySet:
    """Registration points, optionally of one city (6-digit code); public information."""
    qs = RegistrationPoint.objects.select_related("city").order_by("city__code", "code")
    if active_only:
        qs = qs.filter(is_active=True)
    if city:
        if not (len(city) == 6 and city.isdigit()):
            raise ApplicationError(_("城市应为 6 位行政区划代码，如 410100"), field="city", code="invalid_region")
        qs = qs.filter(city__code=city)
    return qs


def payments_of(contract: TechContract) -> QuerySet:
    return contract.payments.select_related("recorded_by", "contract").prefetch_related("attachments").order_by("paid_on", "pk")


def payment_totals(contract: TechContract) -> dict:
    row = contract.payments.aggregate(total=Sum("amount_fen"), count=Count("pk"))
    return {"paid_fen": row["total"] or 0, "count": row["count"]}


def payments_evidenced(queryset: QuerySet | None = None) -> QuerySet:
    """Payments annotated with ``evidenced`` (at least one voucher and one invoice), in SQL, for the
    subsidy engine's sums: ``payments_evidenced().filter(evidenced=True, paid_on__year=2025)``."""
    qs = queryset if queryset is not None else ContractPayment.objects.all()
    voucher = PaymentEvidence.objects.filter(record=OuterRef("pk"), kind=PaymentEvidenceKind.VOUCHER)
    invoice = PaymentEvidence.objects.filter(record=OuterRef("pk"), kind=PaymentEvidenceKind.INVOICE)
    return qs.annotate(has_voucher=Exists(voucher), has_invoice=Exists(invoice)).annotate(
        evidenced=Q(has_voucher=True) & Q(has_invoice=True))


def payment_evidence_get(*, contract: TechContract, payment_id: int, attachment_id: int) -> PaymentEvidence:
    """One evidence file of one payment of ``contract`` (already checked visible); Http404 otherwise."""
    row = PaymentEvidence.objects.filter(pk=attachment_id, record_id=payment_id, record__contract=contract).first()
    if row is None:
        raise Http404
    return row
