"""REST API of search and matching: GET /api/v1/search (SPEC §2 X1, §3 conventions)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from techmarket.core.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ApiAuth, caller
from techmarket.core.errors import ApplicationError

from . import services
from .snippets import record_snippet_text, record_title, snippet_html
from .suggest import did_you_mean

router = Router(tags=["检索与匹配"])


def search_item(hit: services.SearchHit, terms: list[str]) -> dict:
    record = hit.record
    return {"type": hit.doc_type, "id": hit.object_id, "title": record_title(hit.doc_type, record),
            "snippet_html": str(snippet_html(record_snippet_text(hit.doc_type, record), terms)),
            "score": round(float(hit.score), 4)}


@router.get("/search", auth=ApiAuth(optional=True), summary="全站检索")
def search(request, q: str = "", type: str | None = None, region: str | None = None, field: str | None = None,
           trl_min: str | None = None, trl_max: str | None = None, price_min: str | None = None,
           price_max: str | None = None, date_from: str | None = None, date_to: str | None = None,
           page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    """一个检索框检索科技成果、技术需求、专家人才和单位（中文分词，按相关度排序）。

    * `type`：achievement / demand / expert / organization，不传为全部；
    * `region`：6 位区划代码，含下级区域；`field`：国家重点支持的高新技术领域代码，含下级领域；
    * `trl_min`/`trl_max`：1–9；`price_min`/`price_max`：元（字符串，如 `"500000.00"`），成果的价格或需求的预算区间与之有交集；
    * `date_from`/`date_to`：YYYY-MM-DD，发布日期；
    * `q` 为空时按发布时间倒序列出符合筛选条件的记录；
    * 匿名调用只检索公开记录；带会话或令牌时另含本单位记录和管辖区域内的记录。

    `snippet_html` 为已转义的 HTML 摘要，命中词以 `<mark>` 标出，电话、身份证号等个人信息已遮蔽。
    无结果时 `suggestion` 给出纠正后的检索词（“您是不是要找”），否则为 null。"""
    from .views import filter_params

    user = caller(request)
    if page < 1:
        raise ApplicationError(_("页码应为正整数"), field="page", code="invalid_page")
    if page > services.MAX_PAGE:
        raise ApplicationError(_("页码不能超过 {n}，请增加筛选条件缩小范围").format(n=services.MAX_PAGE),
                               field="page", code="invalid_page")
    if page_size < 1:
        raise ApplicationError(_("每页条数应为正整数"), field="page_size", code="invalid_page_size")
    page_size = min(page_size, MAX_PAGE_SIZE)
    if len(q) > services.MAX_QUERY_CHARS:
        raise ApplicationError(_("检索词不能超过 {n} 个字").format(n=services.MAX_QUERY_CHARS), field="q",
                               code="too_long")
    filters = services.search_filters_clean(filter_params({
        "type": type, "region": region, "field": field, "trl_min": trl_min, "trl_max": trl_max,
        "price_min": price_min, "price_max": price_max, "date_from": date_from, "date_to": date_to}))
    result = services.search(q=q, user=user, filters=filters, page=page, page_size=page_size)
    q = q.strip()
    return {
        "count": result.total, "page": page, "page_size": page_size,
        "items": [search_item(hit, result.terms) for hit in result.hits],
        "suggestion": did_you_mean(q, user, filters=filters) if q and not result.total else None,
    }


from .api_matching import router as matches_router  # noqa: E402

router.add_router("", matches_router)
