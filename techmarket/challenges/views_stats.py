"""The statistics page of 揭榜挂帅, /manage/challenges/stats/ (issue 7 item 7), and its dashboard card.

Region staff see their subtree (stats.py decides); others get the 403 page, a region outside the caller's
scope is 404. ``?card=1`` answers the back-office dashboard's card (loaded by HTMX): the year's figures in
one card, or an empty answer for a user who may not read them.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from techmarket.core.charts import echarts_bar
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import clean_keeping_valid
from techmarket.core.money import wan_yuan_display
from techmarket.core.views import forbidden
from techmarket.regions.models import Region

from .stats import (
    GROUP_BY_LABELS,
    GROUP_BYS,
    can_view_challenge_stats,
    challenge_stats,
    challenge_stats_scope,
    challenge_stats_years,
    clean_challenge_stats_query,
)

WAN = 1_000_000  # fen in 万元


def _query(request):
    """Validated filters, the region in scope and the messages of the filters that were refused."""
    user = request.user
    params = {k: request.GET.get(k) for k in ("year", "region")}
    query, problems = clean_keeping_valid(clean_challenge_stats_query, params)
    try:
        region = challenge_stats_scope(user=user, region=query["region"])
    except ApplicationError as exc:
        problems += [e.message for e in exc.errors]
        region = challenge_stats_scope(user=user, region=None)
    return query, region, problems


def _region_options(user, region: Region | None) -> list[tuple[str, str]]:
    """The caller's own region, the chain down to the chosen one, and the chosen one's children."""
    home = None if user.is_superuser else user.region
    options: list[tuple[str, str]] = []
    if home is None:
        options.append(("", _("全部地区")))
    chain = []
    node = region
    while node is not None:
        chain.append(node)
        if node == home:
            break
        node = node.parent
    options += [(node.code, node.full_name) for node in reversed(chain)]
    parent = region if region is not None else home
    children = Region.objects.filter(parent=parent) if parent is not None \
        else Region.objects.filter(level=Region.Level.PROVINCE)
    options += [(child.code, "　" + child.name) for child in children.order_by("code")]
    seen, unique = set(), []
    for code, label in options:
        if code not in seen:
            seen.add(code)
            unique.append((code, label))
    return unique


def _wan(fen: int) -> float:
    return round(fen / WAN, 2)


def _charts(tables: dict) -> dict:
    fields = [r for r in tables["field"] if r["key"] != "total"]
    districts = [r for r in tables["district"] if r["key"] != "total"]
    return {
        "by_field": echarts_bar([r["label"] for r in fields], {
            _("发榜数"): [r["published"] for r in fields],
            _("揭榜申请数"): [r["applications"] for r in fields],
        }, title=_("各技术领域发榜与揭榜"), unit="项"),
        "by_district": echarts_bar([r["label"] for r in districts], {
            _("中榜金额"): [_wan(r["awarded_amount_fen"]) for r in districts],
        }, title=_("各县（市、区）中榜金额"), unit="万元", horizontal=True),
    }


def _card(request) -> HttpResponse:
    """The dashboard card: this year's figures in the caller's own scope."""
    year = timezone.localdate().year
    total = challenge_stats(user=request.user, year=year, group_by="field")[-1]
    try:
        url = reverse("challenges:stats")
    except NoReverseMatch:
        url = request.path
    rate = "—" if total["acceptance_rate"] is None else f"{total['acceptance_rate']}%"
    text = _("{year}年：发榜 {published} 项，揭榜申请 {applications} 份，开榜 {awarded} 项，中榜金额 {amount}，"
             "验收通过率 {rate}").format(year=year, published=total["published"], applications=total["applications"],
                                     awarded=total["awarded"], amount=wan_yuan_display(total["awarded_amount_fen"]),
                                     rate=rate)
    html = format_html(
        '<div class="col-md-6 col-xl-4" id="challenge-stats-card"><a class="tm-manage-card tm-card-link" href="{}">'
        '<i class="bi bi-flag"></i><span><span class="tm-manage-card-title d-block">{}</span>'
        '<span class="tm-manage-card-text">{}</span></span></a></div>', url, _("揭榜挂帅统计"), text)
    return HttpResponse(html)


@login_required
@require_GET
def challenge_stats_page(request):
    user = request.user
    if not can_view_challenge_stats(user):
        if request.GET.get("card") == "1":
            return HttpResponse("")  # the dashboard's placeholder is replaced by nothing
        return forbidden(request, PermissionDenied(_("仅科技管理部门可查看揭榜挂帅统计")))
    if request.GET.get("card") == "1":
        return _card(request)
    query, region, problems = _query(request)
    tables = {g: challenge_stats(user=user, year=query["year"], region=region, group_by=g) for g in GROUP_BYS}
    total = tables["field"][-1]
    context = {
        "query": query, "region": region, "problems": problems, "total": total,
        "table_list": [(g, GROUP_BY_LABELS[g], tables[g]) for g in GROUP_BYS],
        "charts": _charts(tables),
        "years": challenge_stats_years(user=user, region=region),
        "region_options": _region_options(user, region),
        "region_label": region.full_name if region is not None else _("全部地区"),
        "year_label": _("{y}年").format(y=query["year"]) if query["year"] else _("全部年度"),
    }
    return render(request, "challenges/stats.html", context)
