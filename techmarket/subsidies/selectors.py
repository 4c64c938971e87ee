"""Reads of subsidy policies, rounds and declarations, scoped to the caller (404 for "not yours")."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.accounts.permissions import is_region_staff

from . import permissions
from .choices import DeclarationStatus, RoundStatus
from .models import SubsidyDeclaration, SubsidyLine, SubsidyPolicy, SubsidyRound

PUBLIC_ROUND_STATES = (RoundStatus.NOTICE, RoundStatus.APPROVED, RoundStatus.CLOSED)


def policy_list(*, city: str | None = None, year: int | None = None, current: bool = True) -> QuerySet:
    """Policies are public documents: everyone reads them; only the city bureau edits."""
    qs = SubsidyPolicy.objects.select_related("city")
    if city:
        qs = qs.filter(city__code__startswith=city[:4])
    if year:
        qs = qs.filter(year=year)
    if current:
        qs = qs.filter(is_current=True)
    return qs


def policy_get(*, pk: int) -> SubsidyPolicy:
    policy = SubsidyPolicy.objects.select_related("city").filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


def policies_for_staff(user) -> QuerySet:
    """Every version of the policies of the staff member's city (all cities for a superuser)."""
    qs = SubsidyPolicy.objects.select_related("city").order_by("-year", "code", "-version")
    if user.is_superuser:
        return qs
    if getattr(user, "region", None) is None:
        return qs.none()
    city = permissions.city_of(user.region)
    return qs.filter(city=city) if city is not None else qs.filter(city__path__startswith=user.region.path)


def declaration_evidence_get(*, declaration: SubsidyDeclaration, pk: int):
    """One file of a declaration the caller may see (``declaration_get_for_user`` decided that)."""
    row = declaration.attachments.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def round_list_visible(user) -> QuerySet:
    """Staff of the city: every round; unit users: open rounds and rounds they declared in; everyone:
    rounds whose list is public (公示 and after)."""
    qs = SubsidyRound.objects.select_related("city")
    visible = Q(status__in=PUBLIC_ROUND_STATES)
    if permissions._person(user) and is_region_staff(user):
        if user.is_superuser:
            return qs
        if user.region is not None:
            city_path = "/".join(user.region.path.split("/")[:2]) + "/"
            visible |= Q(city__path__startswith=city_path) if user.region.level >= 2 else Q(
                city__path__startswith=user.region.path)
    elif permissions.is_unit_user(user):
        visible |= Q(status=RoundStatus.OPEN) | Q(declarations__organization_id=user.organization_id)
    return qs.filter(visible).distinct()


def round_get_for_user(*, user, pk: int) -> SubsidyRound:
    round_ = round_list_visible(user).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def round_get_managed(*, user, pk: int) -> SubsidyRound:
    """The managed view: staff of the round's city (district officers read-only)."""
    round_ = SubsidyRound.objects.select_related("city").filter(pk=pk).first()
    if round_ is None or not permissions.can_view_round(user, round_):
        raise Http404
    return round_


def declarations_for(*, user, round_: SubsidyRound) -> QuerySet:
    qs = round_.declarations.select_related("organization__region", "policy", "platform", "contract")
    if permissions.is_city_bureau(user, round_.city):
        return qs
    if permissions._person(user) and is_region_staff(user) and user.region is not None:
        return qs.filter(organization__region__path__startswith=user.region.path)
    if permissions.is_unit_user(user):
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def declaration_get_for_user(*, user, pk: int) -> SubsidyDeclaration:
    declaration = SubsidyDeclaration.objects.select_related("round__city", "organization__region", "policy").filter(
        pk=pk).first()
    if declaration is None or not permissions.can_view_declaration(user, declaration):
        raise Http404
    return declaration


def pre_review_inbox(user) -> QuerySet:
    """Declarations waiting for this staff member's 初审."""
    if not (permissions._person(user) and is_region_staff(user)):
        return SubsidyDeclaration.objects.none()
    qs = SubsidyDeclaration.objects.filter(status=DeclarationStatus.SUBMITTED).select_related(
        "round__city", "organization__region", "policy")
    if user.is_superuser:
        return qs
    if user.region is None:
        return qs.none()
    return qs.filter(organization__region__path__startswith=user.region.path)


def lines_of(round_: SubsidyRound, version: int | None = None) -> QuerySet:
    computation = (round_.computations.filter(version=version) if version else
                   round_.computations.filter(is_current=True)).first()
    if computation is None:
        return SubsidyLine.objects.none()
    return computation.lines.select_related("organization__region", "policy", "declaration")


def may_manage_subsidies(user) -> bool:
    return permissions._person(user) and is_region_staff(user)
