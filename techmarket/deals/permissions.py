"""Who may do what with a deal, its public notice and objections; the workflow policies are registered here.

* parties: users of the seller and buyer organizations (and of the broker's agency, read only);
* staff: bureau administrators and district officers whose region holds the seller's region see the
  deal; bureau administrators in scope close, forfeit and resolve objections;
* the public sees the notice (result name, parties, price, period) and the number of objections.
"""
from __future__ import annotations

from django.utils import timezone

from techmarket.accounts.permissions import is_authenticated
from techmarket.achievements.records import is_bureau_admin_for, is_reviewer
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import NOTICE_PARTY_NATURES, DealMethod, DealStatus, ObjectionStatus

__all__ = ["notice_required", "is_seller_side", "is_buyer_side", "is_party", "can_view_deal",
           "can_see_objector", "can_resolve_objections", "sign_deadline_passed"]


def notice_required(deal) -> bool:
    """M5: an agreed price (协议定价) of a state-established university or research institute
    (party nature 事业法人 · 高等院校 / 科研机构) is published for 15 days before the deal closes."""
    if deal.method != DealMethod.AGREEMENT:
        return False
    nature = deal.seller.party_nature
    return nature is not None and nature.code in NOTICE_PARTY_NATURES


def _member(user, organization_id) -> bool:
    return (is_authenticated(user) and not is_system(user) and organization_id is not None
            and user.organization_id == organization_id)


def is_seller_side(user, deal) -> bool:
    return _member(user, deal.seller_id)


def is_buyer_side(user, deal) -> bool:
    return _member(user, deal.buyer_id)


def is_party(user, deal) -> bool:
    agency_id = deal.broker.organization_id if deal.broker_id else None
    return is_seller_side(user, deal) or is_buyer_side(user, deal) or _member(user, agency_id)


def can_view_deal(user, deal) -> bool:
    return is_party(user, deal) or is_reviewer(user, deal)


def can_see_objector(user, deal) -> bool:
    """Objectors' names and organizations: staff in scope only (the public sees a count)."""
    return is_reviewer(user, deal)


def can_resolve_objections(user, deal) -> bool:
    return is_bureau_admin_for(user, deal)


def sign_deadline_passed(deal) -> bool:
    return deal.sign_by is not None and deal.sign_by <= timezone.now()


def _notice_over(deal) -> bool:
    notice = getattr(deal, "notice", None)
    return notice is not None and notice.closes_from <= timezone.now()


def _has_objection(deal, status: str) -> bool:
    notice = getattr(deal, "notice", None)
    return notice is not None and notice.objections.filter(status=status).exists()


@register_policy(workflows.SIGN)
def _may_sign(user, deal) -> bool:
    return is_buyer_side(user, deal) and not notice_required(deal) and not sign_deadline_passed(deal)


@register_policy(workflows.SIGN_FOR_NOTICE)
def _may_sign_for_notice(user, deal) -> bool:
    return is_buyer_side(user, deal) and notice_required(deal) and not sign_deadline_passed(deal)


@register_policy(workflows.CLOSE)
def _may_close(user, deal) -> bool:
    return ((is_seller_side(user, deal) or is_bureau_admin_for(user, deal)) and _notice_over(deal)
            and not _has_objection(deal, ObjectionStatus.OPEN))


@register_policy(workflows.CANCEL)
def _may_cancel(user, deal) -> bool:
    """Either party, for listing and agreement deals (an auction winner who does not sign forfeits)."""
    return (is_seller_side(user, deal) or is_buyer_side(user, deal)) and deal.auction_id is None


@register_policy(workflows.FORFEIT)
def _may_forfeit(user, deal) -> bool:
    return is_bureau_admin_for(user, deal) and deal.auction_id is not None and sign_deadline_passed(deal)


@register_policy(workflows.VOID)
def _may_void(user, deal) -> bool:
    return (is_bureau_admin_for(user, deal) and deal.status == DealStatus.IN_NOTICE
            and _has_objection(deal, ObjectionStatus.UPHELD))


@register_policy(workflows.RESOLVE)
def _may_resolve(user, objection) -> bool:
    return can_resolve_objections(user, objection.notice.deal)
