"""Reason codes (public) and reason statistics (staff; organizations see their own)."""
from __future__ import annotations

import datetime

from ninja import Router

from techmarket.core.api import ApiAuth, caller, paginate

from .models import ReasonCode
from .selectors import reason_statistics, reason_statistics_organization_for

router = Router(tags=["原因代码"])


def reason_code_out(reason: ReasonCode) -> dict:
    return {
        "context": reason.context_id,
        "context_label": reason.context.label,
        "code": reason.code,
        "label": reason.label,
        "description": reason.description,
        "sort_order": reason.sort_order,
    }


@router.get("/reason-codes", auth=ApiAuth(optional=True),
            summary="原因代码列表（?context= 为场景，如 review_reject；仅含启用的代码）")
def reason_code_list(request, context: str | None = None, page: int = 1, page_size: int = 100):
    qs = ReasonCode.objects.filter(is_active=True).select_related("context")
    if context:
        qs = qs.filter(context_id=context)
    qs = qs.order_by("context__sort_order", "context_id", "sort_order", "code")
    return paginate(request, qs, reason_code_out, page=page, page_size=page_size)


@router.get("/reason-statistics",
            summary="原因统计：各场景各原因出现次数（管理人员可按单位筛选；单位用户只能看本单位）")
def reason_statistics_list(request, context: str | None = None, organization: int | None = None,
                           since: datetime.date | None = None):
    org = reason_statistics_organization_for(user=caller(request), organization_id=organization)
    items = reason_statistics(context=context or None, organization=org, since=since)
    return {
        "context": context or None,
        "organization": {"id": org.pk, "name": org.name} if org else None,
        "since": since.isoformat() if since else None,
        "count": len(items),
        "items": items,
    }
