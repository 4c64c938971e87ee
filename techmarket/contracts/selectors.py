"""User-dependent reads of technology contracts: the caller's list and one contract (404 outside scope)."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff, staff_scope
from techmarket.core.actors import is_system
from techmarket.core.errors import ApplicationError

from .choices import ContractStatus
from .models import TechContract
from .permissions import can_view_contract

MIN_YEAR, MAX_YEAR = 1980, 2100


def _base() -> QuerySet:
    return TechContract.objects.select_related(
        "category", "seller_organization", "seller_region", "seller_nature", "buyer_organization", "buyer_region",
        "buyer_nature", "tech_field", "ip_type", "plan_category", "broker", "broker_agency", "achievement", "deal")


def contracts_visible_to(user) -> QuerySet:
    """The caller's organization's contracts (as seller or buyer) and, for staff, those whose seller or
    buyer lies in their region subtree (all for superusers)."""
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
    return _base().filter(condition)


def contract_list(*, user, status: str | None = None, year: int | None = None) -> QuerySet:
    qs = contracts_visible_to(user)
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
