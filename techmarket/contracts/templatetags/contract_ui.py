"""Display helpers of the contract pages."""
from __future__ import annotations

from django import template

from techmarket.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → '1,234,567.50' (yuan with two decimals); '—' when empty."""
    value = fen_to_yuan(fen)
    return "—" if value is None else f"{value:,.2f}"


@register.filter
def days_overdue(contract, today) -> int:
    """Days a pending registration decision is past its due date (0 when not overdue)."""
    return contract.days_overdue(today)


@register.filter
def may_import_national(user) -> bool:
    """全国系统导入 in the side navigation: bureau administrators (contracts.national.may_import_national)."""
    from techmarket.contracts.national import may_import_national as allowed

    return allowed(user)


@register.filter
def may_view_contract_stats(user) -> bool:
    """合同统计 in the side navigation (contractstats.permissions.can_view_contract_stats)."""
    from techmarket.contractstats.permissions import can_view_contract_stats

    return can_view_contract_stats(user)
