"""Who may see and change a technology contract; the workflow policies are registered here (apps.ready).

* seller side (卖方): users of the seller organization enter and edit drafts and may cancel them
  (SPEC C2: 由卖方填报);
* buyer side (买方): users of the buyer organization see the contract;
* bureau administrators and district officers whose region holds the seller's or the buyer's region see
  it (read only: they do not register contracts);
* registrars (技术合同登记员, 持证上岗) see the contracts submitted to a registration point where they hold a
  certificate valid today, and decide on them under ``registrar_refusal`` (one policy for every
  registrar action: the role, a certificate of the receiving point valid on the decision date, and no
  membership of either party's organization or of the broker agency). Superusers and bureau
  administrators have no registrar power unless they hold the role with a certificate;
* everybody else: the contract does not exist for them (404). Contracts have no public view.
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff, region_in_staff_scope
from techmarket.accounts.roles import Role
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy
from techmarket.directory.choices import OrganizationKind

from . import workflows
from .choices import ContractStatus

__all__ = ["can_create_contract", "can_view_contract", "can_edit_contract", "is_seller_side", "is_buyer_side",
           "is_staff_in_scope", "contract_edit_refusal", "EDITABLE_STATUSES", "is_registrar", "registrar_point_ids",
           "registrar_refusal", "can_examine_contract", "is_registrar_of_point", "can_record_payment",
           "payment_refusal", "PAYABLE_STATUSES"]

# Organization users who sell technology (a 技术中介 contract is sold by an agency, a 技术服务 one by a
# service provider); staff and government units do not enter contracts as a party.
CREATOR_ROLES = (Role.ENTERPRISE, Role.INSTITUTION, Role.BROKER, Role.SERVICE_PROVIDER)
EDITABLE_STATUSES = frozenset({ContractStatus.DRAFT})
# Payments are recorded once the contract is before the registrar or registered (付款记录).
PAYABLE_STATUSES = frozenset({ContractStatus.SUBMITTED, ContractStatus.PRE_EXAMINED, ContractStatus.REGISTERED})


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
    return (is_seller_side(user, contract) or is_buyer_side(user, contract) or is_staff_in_scope(user, contract)
            or is_registrar_of_point(user, contract))


# --- registrars (持证上岗, SPEC §1 and C2) -------------------------------------------------------------

def is_registrar(user) -> bool:
    return is_authenticated(user) and not is_system(user) and user.has_role(Role.REGISTRAR)


def registrar_point_ids(user, *, on: datetime.date | None = None) -> set[int]:
    """Registration points where ``user`` (holding the registrar role) has a certificate valid on ``on``."""
    if not is_registrar(user):
        return set()
    on = on or timezone.localdate()
    return set(user.registrar_certificates.filter(revoked=False, valid_from__lte=on, valid_to__gte=on)
               .values_list("point_id", flat=True))


def is_registrar_of_point(user, contract) -> bool:
    """A registrar with a certificate valid today at the point that received the contract (read access)."""
    return contract.registration_point_id is not None and contract.registration_point_id in registrar_point_ids(user)


def registrar_refusal(user, contract, *, on: datetime.date | None = None) -> str | None:
    """Why ``user`` may not examine, register, refuse, return, amend or deregister ``contract`` on ``on``
    (today by default), in Chinese for the 403; None when they may."""
    if not is_registrar(user):
        return _("只有持证的技术合同登记员可以办理认定登记（管理员不具有登记员权限）")
    if contract.registration_point_id is None:
        return _("该合同尚未提交到登记点")
    on = on or timezone.localdate()
    certificates = [c for c in user.registrar_certificates.all() if c.point_id == contract.registration_point_id]
    if not certificates:
        return _("您不是受理该合同的登记点（{p}）的登记员").format(p=contract.registration_point)
    if not any(c.is_valid_on(on) for c in certificates):
        if all(c.revoked for c in certificates):
            return _("您的登记员证书已被吊销")
        return _("您的登记员证书在 {d} 不在有效期内").format(d=on.isoformat())
    own = user.organization_id
    if own is not None and own in (contract.seller_organization_id, contract.buyer_organization_id):
        return _("登记员不得审查本单位作为当事人的技术合同")
    if own is not None and own == contract.broker_agency_id:
        return _("登记员不得审查本单位作为中介机构的技术合同")
    return None


def can_examine_contract(user, contract) -> bool:
    return registrar_refusal(user, contract) is None


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


def payment_refusal(user, contract) -> str | None:
    """Why ``user`` may not record a payment on ``contract`` (Chinese), or None."""
    if not (is_seller_side(user, contract) or is_buyer_side(user, contract)):
        return _("只有合同的卖方或买方单位可以登记付款记录")
    if contract.status not in PAYABLE_STATUSES:
        return _("合同提交登记后才能登记付款记录（当前：{s}）").format(s=contract.get_status_display())
    return None


def can_record_payment(user, contract) -> bool:
    return payment_refusal(user, contract) is None


@register_policy(workflows.EDIT)
def _may_edit(user, contract) -> bool:
    return is_seller_side(user, contract)


@register_policy(workflows.EXAMINE)
def _may_examine(user, contract) -> bool:
    return can_examine_contract(user, contract)
