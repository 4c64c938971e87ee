"""REST API of contract statistics: GET /api/v1/contract-stats (C3). Region staff and registrars only."""
from __future__ import annotations

from ninja import Router

from techmarket.core.api import caller

from .representations import stat_row_out
from .selectors import contract_stats_for_user

router = Router(tags=["技术合同统计"])


@router.get("/contract-stats", summary="技术合同统计")
def contract_stats_get(request, year: str | None = None, region: str | None = None, group_by: str | None = None,
                       side: str | None = None, through_month: str | None = None):
    """Count, 合同成交额 and 技术交易额 of contracts registered in `year` (months 1…`through_month`, default
    the whole year; the current year to the current month), grouped by `group_by`
    (month|region|category|field|seller_nature|buyer_nature|ip_type|plan_category, default month), for the
    sellers (`side=output`, 输出, default) or the buyers (`side=absorbed`, 吸纳) in `region`'s subtree
    (6-digit code; default the caller's region). `yoy_pct`: growth of 合同成交额 over the same months of the
    previous year, one decimal, null when the previous value is 0."""
    result = contract_stats_for_user(user=caller(request), year=year, region=region, group_by=group_by, side=side,
                                     through_month=through_month)
    query, scope = result["query"], result["region"]
    return {
        "year": query["year"], "region": scope.code if scope is not None else None,
        "group_by": query["group_by"], "side": query["side"], "through_month": query["through_month"],
        "rows": [stat_row_out(row) for row in result["rows"]],
    }
