"""Who may do what with a listing and its interests; the workflow policies are registered here.

* the seller: users of the achievement's owner organization create, edit, submit, relist and withdraw;
* reviewers: bureau administrators and district officers whose region holds the achievement's region
  approve or return (SPEC §1: 初审 by the district); they and the seller see who registered interest;
* the platform (core.actors.SYSTEM) ends a listing at its exact end time;
* interest (意向受让): users of an organization other than the seller and the broker's agency, not staff,
  while the listing is open and before it ends — one per organization.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_bureau_admin, is_region_staff, region_in_staff_scope
from techmarket.achievements.records import is_reviewer
from techmarket.core.actors import is_system
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import EDITABLE_STATUSES, PUBLIC_STATUSES, InterestStatus, ListingStatus

__all__ = ["is_seller", "can_view_listing", "can_manage_listing", "can_edit_listing", "can_create_listing_for",
           "can_see_interest_names", "interest_refusal", "listing_has_ended"]


def is_seller(user, listing) -> bool:
    return (is_authenticated(user) and not is_system(user) and user.organization_id is not None
            and user.organization_id == listing.seller_id)


def can_manage_listing(user, listing) -> bool:
    """The managed view (interests with names, history, actions): the seller and reviewers in scope."""
    return is_seller(user, listing) or is_reviewer(user, listing)


def can_view_listing(user, listing) -> bool:
    return listing.status in PUBLIC_STATUSES or can_manage_listing(user, listing)


def can_edit_listing(user, listing) -> bool:
    return is_seller(user, listing) and listing.status in EDITABLE_STATUSES


def can_create_listing_for(user, achievement) -> bool:
    """Users of the owner organization; also bureau administrators in scope and the platform, who relist
    on the seller's behalf after a failed auction (the auctions app)."""
    if is_system(user):
        return True
    if not is_authenticated(user):
        return False
    if user.organization_id is not None and user.organization_id == achievement.owner_organization_id:
        return True
    return is_bureau_admin(user) and region_in_staff_scope(user, achievement.region)


def can_see_interest_names(user, listing) -> bool:
    return can_manage_listing(user, listing)


def listing_has_ended(listing) -> bool:
    return listing.ends_at is not None and listing.ends_at <= timezone.now()


def interest_refusal(user, listing) -> ApplicationError | None:
    """Why ``user`` may not register interest in ``listing`` now (None when it may)."""
    if not is_authenticated(user) or is_system(user):
        return ApplicationError(_("请先登录后再登记受让意向"), code="not_authenticated")
    if is_region_staff(user):
        return ApplicationError(_("科技管理部门工作人员不能登记受让意向"), code="not_eligible")
    if user.organization_id is None:
        return ApplicationError(_("只有已关联单位的用户可以登记受让意向"), code="not_eligible")
    if user.organization_id == listing.seller_id:
        return ApplicationError(_("转让方本单位不能登记受让意向"), code="not_eligible")
    if listing.broker_id and listing.broker.organization_id == user.organization_id:
        return ApplicationError(_("该挂牌技术经纪人所在机构不能登记受让意向"), code="not_eligible")
    if listing.status != ListingStatus.OPEN:
        return ApplicationError(_("挂牌当前状态为“{s}”，不能登记受让意向").format(s=listing.get_status_display()),
                                code="listing_not_open")
    if listing_has_ended(listing):
        return ApplicationError(_("挂牌已于 {at} 截止，不能再登记受让意向").format(
            at=timezone.localtime(listing.ends_at).strftime("%Y-%m-%d %H:%M")), code="listing_ended")
    if listing.interests.filter(organization_id=user.organization_id, status=InterestStatus.ACTIVE).exists():
        return ApplicationError(_("本单位已登记过受让意向"), code="already_registered")
    return None


@register_policy(workflows.EDIT)
def _may_edit(user, listing) -> bool:
    return is_seller(user, listing)


@register_policy(workflows.REVIEW)
def _may_review(user, listing) -> bool:
    return is_reviewer(user, listing)


@register_policy(workflows.CLOSE)
def _may_close(user, listing) -> bool:
    return is_system(user) and listing_has_ended(listing)


@register_policy(workflows.RELIST)
def _may_relist(user, listing) -> bool:
    return is_seller(user, listing)


@register_policy(workflows.WITHDRAW)
def _may_withdraw(user, listing) -> bool:
    """The seller, except while the listing is open and an organization has registered interest."""
    if not is_seller(user, listing):
        return False
    return not (listing.status == ListingStatus.OPEN
                and listing.interests.filter(status=InterestStatus.ACTIVE).exists())


@register_policy(workflows.INTEREST_WITHDRAW)
def _may_withdraw_interest(user, interest) -> bool:
    listing = interest.listing
    return (is_authenticated(user) and not is_system(user) and user.organization_id == interest.organization_id
            and listing.status == ListingStatus.OPEN and not listing_has_ended(listing))


@register_policy(workflows.INTEREST_REGISTER)
def _may_register_interest(user, interest) -> bool:
    refusal = interest_refusal(user, interest.listing)
    return refusal is None and user.organization_id == interest.organization_id
