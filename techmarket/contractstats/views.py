"""The statistics dashboard /manage/contract-stats/ and its .xlsx export (C3).

Who may see it: region staff for their subtree, registrars for their city (permissions.py); others get
the 403 page, a region outside the caller's scope is 404.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from techmarket.core.charts import echarts_bar, echarts_line, echarts_pie
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import clean_keeping_valid
from techmarket.core.views import forbidden
from techmarket.regions.models import Region

from .exports import stats_xlsx_response
from .models import Side
from .permissions import can_view_contract_stats, contract_stats_home_region
from .selectors import (GROUP_BY_LABELS, GROUP_BYS, clean_contract_stats_query, contract_stats,
                        contract_stats_headline, contract_stats_period, contract_stats_scope)

WAN = 1_000_000  # fen in 万元


def _query(request):
    """Validated filters, the region in scope and the messages of the filters that were refused."""
    user = request.user
    if not can_view_contract_stats(user) and not user.is_superuser:
        raise PermissionDenied(_("仅科技管理部门和技术合同登记员可查看技术合同统计"))
    params = {k: request.GET.get(k) for k in ("year", "region", "side", "through_month")}
    query, problems = clean_keeping_valid(clean_contract_stats_query, params)
    try:
        region = contract_stats_scope(user=user, region_code=query["region"])
    except ApplicationError as exc:
        problems += [e.message for e in exc.errors]
        region = contract_stats_scope(user=user, region_code="")
    return query, region, problems


def _tables(query, region) -> dict[str, list[dict]]:
    return {g: contract_stats(year=query["year"], region=region, group_by=g, side=query["side"],
                              through_month=query["through_month"]) for g in GROUP_BYS}


def _region_options(user, region: Region | None) -> list[tuple[str, str]]:
    home = contract_stats_home_region(user)
    options: list[tuple[str, str]] = []
    if user.is_superuser:
        options.append(("", _("全部地区")))
        options += [(r.code, r.name) for r in Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")]
    elif home is not None:
        options.append((home.code, home.full_name))
    chain = []
    node = region
    while node is not None and (home is None or node.is_within(home)) and node != home:
        chain.append(node)
        node = node.parent
    for node in reversed(chain):
        if node.level > Region.Level.PROVINCE or not user.is_superuser:
            options.append((node.code, node.full_name))
    for child in Region.objects.filter(parent=region if region is not None else home).order_by("code") \
            if (region or home) is not None else []:
        options.append((child.code, "　" + child.name))
    seen, unique = set(), []
    for code, label in options:
        if code not in seen:
            seen.add(code)
            unique.append((code, label))
    return unique


def _wan(fen: int) -> float:
    return round(fen / WAN, 2)


def _charts(query, tables) -> dict:
    months = tables["month"]
    year = query["year"]
    by_month = echarts_bar([r["label"] for r in months], {
        _("{y}年合同成交额").format(y=year): [_wan(r["contract_amount_fen"]) for r in months],
        _("{y}年合同成交额").format(y=year - 1): [_wan(r["previous_contract_amount_fen"]) for r in months],
    }, title=_("按月合同成交额"), unit="万元")
    counts = echarts_line([r["label"] for r in months], {
        _("{y}年").format(y=year): [r["count"] for r in months],
        _("{y}年").format(y=year - 1): [r["previous_count"] for r in months],
    }, title=_("按月合同数"), unit="项")
    category = tables["category"]
    by_category = echarts_pie([r["label"] for r in category], [_wan(r["contract_amount_fen"]) for r in category],
                              title=_("合同类别（成交额）"), unit="万元")
    field = sorted(tables["field"], key=lambda r: -r["contract_amount_fen"])
    by_field = echarts_bar([r["label"] for r in field], {_("合同成交额"): [_wan(r["contract_amount_fen"]) for r in field]},
                           title=_("技术领域（成交额）"), unit="万元", horizontal=True)
    return {"by_month": by_month, "counts": counts, "by_category": by_category, "by_field": by_field}


@login_required
@require_GET
def dashboard(request):
    try:
        query, region, problems = _query(request)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    tables = _tables(query, region)
    headline = contract_stats_headline(year=query["year"], region=region, through_month=query["through_month"])
    last = contract_stats_period(query["year"], query["through_month"])
    context = {
        "query": query, "region": region, "problems": problems, "tables": tables,
        "table_list": [(g, GROUP_BY_LABELS[g], tables[g]) for g in GROUP_BYS],
        "headline": headline, "charts": _charts(query, tables), "last_month": last,
        "side_label": dict(Side.choices)[query["side"]], "sides": Side.choices,
        "region_options": _region_options(request.user, region),
        "years": list(range(max(query["year"], timezone.localdate().year), 2017, -1)),
        "months": list(range(1, 13)),
        "region_label": region.full_name if region is not None else _("全部地区"),
    }
    template = "contractstats/_body.html" if request.headers.get("HX-Request") == "true" \
        else "contractstats/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def export(request):
    try:
        query, region, _problems = _query(request)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    tables = _tables(query, region)
    place = region.full_name if region is not None else _("全部地区")
    last = contract_stats_period(query["year"], query["through_month"])
    period = _("{y}年").format(y=query["year"]) if last == 12 else _("{y}年1–{m}月").format(y=query["year"], m=last)
    title = _("{place}{period}技术合同{side}统计").format(
        place=place, period=period, side=_("输出") if query["side"] == Side.OUTPUT else _("吸纳"))
    code = region.code if region is not None else "all"
    return stats_xlsx_response(filename=f"contract-stats-{code}-{query['year']}-{query['side']}.xlsx",
                               title=title, tables=tables)
