"""Who may see and change a technology contract; the workflow policies are registered here (apps.ready).

* seller side (卖方): users of the seller organization enter and edit drafts and may cancel them
  (SPEC C2: 由卖方填报);
* buyer side (买方): users of the buyer organization see the contract;
* bureau administrators and district officers whose region holds the seller's or the buyer's region see
  it (read only until the registration issue gives registrars their part);
* everybody else: the contract does not exist for them (404). Contracts have no public view.
"""
from __future__ import annotations

from techmarket.accounts.permissions import is_authenticated, is_region_staff, region_in_staff_scope
from techmarket.accounts.roles import Role
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy
from techmarket.directory.choices import OrganizationKind

from . import workflows
from .choices import ContractStatus

__all__ = ["can_create_contract", "can_view_contract", "can_edit_contract", "is_seller_side", "is_buyer_side",
           "is_staff_in_scope", "contract_edit_refusal", "EDITABLE_STATUSES"]

# Organization users who sell technology (a 技术中介 contract is sold by an agency, a 技术服务 one by a
# service provider); staff and government units do not enter contracts as a party.
CREATOR_ROLES = (Role.ENTERPRISE, Role.INSTITUTION, Role.BROKER, Role.SERVICE_PROVIDER)
EDITABLE_STATUSES = frozenset({ContractStatus.DRAFT})


def _org_user(user) -> bool:
    return is_authenticated(user) and not is_system(user) and user.organization_id is not None


def is_seller_side(user, contract) -> bool:
    return _org_user(user) and contract.seller_organization_id == user.organization_id


def is_buyer_side(user, contract) -> bool:
    return _org_user(user) and contract.buyer_organization_id == user.organization_id


def is_staff_in_scope(user, contract) -> bool:
    """Bureau administrators and district officers whose region holds either party's region."""
    if not is_authenticated(user) or is_system(user) or not is_region_staff(user):
        return False
    return (region_in_staff_scope(user, contract.seller_region)
            or region_in_staff_scope(user, contract.buyer_region))


def can_view_contract(user, contract) -> bool:
    return is_seller_side(user, contract) or is_buyer_side(user, contract) or is_staff_in_scope(user, contract)


def can_create_contract(user) -> bool:
    """Users of a non-government organization with a market role enter contracts as the seller."""
    if not _org_user(user) or not any(user.has_role(role) for role in CREATOR_ROLES):
        return False
    return user.organization.kind != OrganizationKind.GOVERNMENT


def can_edit_contract(user, contract) -> bool:
    """Content edits: the seller side, while the contract is a draft."""
    return is_seller_side(user, contract) and contract.status in EDITABLE_STATUSES


def contract_edit_refusal(user, contract) -> str | None:
    """Why ``user`` may not edit ``contract`` (Chinese, for the 403), or None when they may."""
    from django.utils.translation import gettext as _

    if can_edit_contract(user, contract):
        return None
    if is_seller_side(user, contract):
        return _("只有草稿状态的技术合同可以修改（当前：{s}）").format(s=contract.get_status_display())
    return _("只有卖方单位可以修改技术合同")


@register_policy(workflows.EDIT)
def _may_edit(user, contract) -> bool:
    return is_seller_side(user, contract)
