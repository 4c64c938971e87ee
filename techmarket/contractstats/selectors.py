"""Contract statistics (C3) read from the summary table: every figure is a few index range reads.

``contract_stats(year=, region=, group_by=, side=)`` returns one dict per row::

    {"key", "label", "count", "contract_amount_fen", "tech_amount_fen", "contract_amount", "tech_amount",
     "previous_count", "previous_contract_amount_fen", "previous_tech_amount_fen", "yoy_pct"}

(amounts as integer fen and as Decimal yuan; ``yoy_pct`` the growth of 合同成交额 over the same period
of the previous year as a string with one decimal, None when the previous value is 0).

A contract counts by its registration date (SPEC T5); side ``output`` (输出) counts contracts whose seller
lies in the region's subtree, ``absorbed`` (吸纳) those whose buyer does. The period is the whole year, or
months 1…``through_month``; the current year runs to the current month, so that the comparison with
the previous year is over the same months.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.core.money import fen_to_yuan
from techmarket.regions.models import Region
from techmarket.taxonomies.models import Term

from .models import ALL_REGIONS, UNKNOWN_KEY, ContractStat, Dimension, Side
from .permissions import can_view_contract_stats, can_view_contract_stats_of, contract_stats_home_region

GROUP_BYS = ("month", "region", "category", "field", "seller_nature", "buyer_nature", "ip_type", "plan_category")
GROUP_BY_LABELS = {
    "month": "按月份", "region": "按地区", "category": "按合同类别", "field": "按技术领域",
    "seller_nature": "按卖方性质", "buyer_nature": "按买方性质", "ip_type": "按知识产权类型", "plan_category": "按计划类别",
}
SIDES = tuple(Side.values)
# group_by → (dimension of the summary, taxonomy scheme of its keys)
TERM_GROUPS = {
    "category": (Dimension.CATEGORY, "contract_category"),
    "field": (Dimension.FIELD, "contract_field"),
    "seller_nature": (Dimension.SELLER_NATURE, "party_nature"),
    "buyer_nature": (Dimension.BUYER_NATURE, "party_nature"),
    "ip_type": (Dimension.IP_TYPE, "ip_type"),
    "plan_category": (Dimension.PLAN_CATEGORY, "plan_category"),
}
# 事业法人's kinds are reported on their own (科研机构、高等院校 …), as the national statistics do.
NATURE_KEPT_UNDER = "20"
MIN_YEAR, MAX_YEAR = 2000, 2100

__all__ = ["GROUP_BYS", "SIDES", "clean_contract_stats_query", "contract_stats", "contract_stats_headline",
           "contract_stats_for_user", "contract_stats_period", "term_groups", "yoy_pct"]


def yoy_pct(current: int, previous: int) -> str | None:
    if not previous:
        return None
    pct = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return str(pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def contract_stats_period(year: int, through_month: int | None, *, today: datetime.date | None = None) -> int:
    """The last month counted: ``through_month``, else the current month in the current year, else 12."""
    if through_month:
        return through_month
    today = today or timezone.localdate()
    return today.month if year == today.year else 12


def term_groups(scheme: str) -> dict[int, Term]:
    """Term pk → the term it is reported under: categories under their top level (技术开发 …), party
    natures under their top level except 事业法人's kinds; other schemes as they are."""
    terms = {t.pk: t for t in Term.objects.filter(scheme__code=scheme).only(
        "pk", "code", "name", "level", "parent_id", "sort_order")}
    groups = {}
    for pk, term in terms.items():
        node = term
        while node.parent_id is not None and node.parent_id in terms:
            parent = terms[node.parent_id]
            if scheme == "party_nature" and parent.code == NATURE_KEPT_UNDER:
                break
            node = parent
        groups[pk] = node
    return groups


def _row(key: str, label: str, cur: list[int], prev: list[int]) -> dict:
    return {
        "key": key, "label": label,
        "count": cur[0], "contract_amount_fen": cur[1], "tech_amount_fen": cur[2],
        "contract_amount": fen_to_yuan(cur[1]), "tech_amount": fen_to_yuan(cur[2]),
        "previous_count": prev[0], "previous_contract_amount_fen": prev[1], "previous_tech_amount_fen": prev[2],
        "yoy_pct": yoy_pct(cur[1], prev[1]),
    }


def _sums(qs, *group):
    return qs.values_list(*group).annotate(n=Sum("count"), a=Sum("contract_amount_fen"),
                                           t=Sum("tech_amount_fen")).order_by()


def _accumulate(rows) -> dict:
    """{(year, group value): [count, amount, tech]} from (year, group, n, a, t) rows."""
    out: dict = defaultdict(lambda: [0, 0, 0])
    for year, group, n, a, t in rows:
        acc = out[(year, group)]
        acc[0] += int(n or 0)
        acc[1] += int(a or 0)
        acc[2] += int(t or 0)
    return out


def contract_stats(*, year: int, region: Region | None, group_by: str, side: str,
                   through_month: int | None = None) -> list[dict]:
    """Rows of one statistics table (see the module docstring); ``region`` None is every region."""
    if group_by not in GROUP_BYS or side not in SIDES:
        raise ValueError(f"contract_stats: group_by={group_by!r} side={side!r}")
    last = contract_stats_period(year, through_month)
    code = region.code if region is not None else ALL_REGIONS
    base = ContractStat.objects.filter(side=side, year__in=(year, year - 1), month__lte=last)
    zero = [0, 0, 0]

    if group_by == "month":
        sums = _accumulate(_sums(base.filter(region_code=code, dimension=Dimension.ALL), "year", "month"))
        return [_row(f"{year}-{m:02d}", _("{m}月").format(m=m), sums.get((year, m), zero), sums.get((year - 1, m), zero))
                for m in range(1, last + 1)]

    if group_by == "region":
        children = list(Region.objects.filter(parent=region).order_by("code") if region is not None
                        else Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
        codes = [c.code for c in children]
        sums = _accumulate(_sums(base.filter(region_code__in=[code, *codes], dimension=Dimension.ALL),
                                 "year", "region_code"))
        rows = []
        rest_cur, rest_prev = list(sums.get((year, code), zero)), list(sums.get((year - 1, code), zero))
        for child in children:
            cur, prev = sums.get((year, child.code), zero), sums.get((year - 1, child.code), zero)
            for i in range(3):
                rest_cur[i] -= cur[i]
                rest_prev[i] -= prev[i]
            if region is None and not any(cur) and not any(prev):
                continue  # every province: only those with contracts
            rows.append(_row(child.code, child.name, cur, prev))
        if any(rest_cur) or any(rest_prev):
            # Parties registered at the region itself (a city-level address), or, for all regions, unknown/abroad.
            label = _("地区不详或境外") if region is None else _("{name}本级（未细分到下级）").format(name=region.name)
            rows.append(_row(UNKNOWN_KEY if region is None else code, label, rest_cur, rest_prev))
        return rows

    dimension, scheme = TERM_GROUPS[group_by]
    sums = _accumulate(_sums(base.filter(region_code=code, dimension=dimension), "year", "key"))
    groups = term_groups(scheme)
    merged: dict = defaultdict(lambda: [0, 0, 0])
    order: dict[str, tuple] = {}
    labels: dict[str, str] = {}
    for (yr, key), acc in sums.items():
        term = groups.get(int(key)) if key != UNKNOWN_KEY else None
        gkey = term.code if term is not None else UNKNOWN_KEY
        labels[gkey] = term.name if term is not None else _("未填写")
        order[gkey] = (0, term.sort_order, term.code) if term is not None else (1, 0, "")
        target = merged[(yr, gkey)]
        for i in range(3):
            target[i] += acc[i]
    keys = sorted({k for (_yr, k) in merged}, key=lambda k: order[k])
    rows = [_row(k, labels[k], merged.get((year, k), zero), merged.get((year - 1, k), zero)) for k in keys]
    return [r for r in rows if r["count"] or r["previous_count"] or r["contract_amount_fen"]
            or r["previous_contract_amount_fen"]]


def contract_stats_headline(*, year: int, region: Region | None, through_month: int | None = None) -> dict:
    """Both sides' totals with growth: {"output": row, "absorbed": row} (the figure ``output_absorbed``)."""
    last = contract_stats_period(year, through_month)
    code = region.code if region is not None else ALL_REGIONS
    sums = _accumulate((y, s, n, a, t) for s, y, n, a, t in _sums(
        ContractStat.objects.filter(region_code=code, dimension=Dimension.ALL, year__in=(year, year - 1),
                                    month__lte=last), "side", "year"))
    zero = [0, 0, 0]
    return {side.value: _row(side.value, str(side.label), sums.get((year, side.value), zero),
                             sums.get((year - 1, side.value), zero)) for side in Side}


# Parameters and scope, for the API and the pages ---------------------------------------------------

def region_from_code(value) -> Region | None:
    """A 6-digit code (short forms 41 / 4101 are padded) → Region; ApplicationError on ``region``."""
    text = str(value or "").strip()
    if text in ("", "all"):
        return None
    if not text.isdigit() or len(text) not in (2, 4, 6):
        raise ApplicationError(_("地区代码应为 6 位行政区划代码，如 410100"), field="region", code="invalid")
    region = Region.objects.filter(code=text.ljust(6, "0")).first()
    if region is None:
        raise ApplicationError(_("地区代码 {code} 不存在").format(code=text), field="region", code="not_found")
    return region


def clean_contract_stats_query(*, year=None, region=None, group_by=None, side=None, through_month=None,
                               default_group_by: str = "month") -> dict:
    """Validate the query parameters; ApplicationError naming the field (422) for each bad one.
    ``region`` stays a code here ("" = not given); the scope decides the default."""
    errors = []
    today = timezone.localdate()
    try:
        year_value = int(year) if year not in (None, "") else today.year
        if not MIN_YEAR <= year_value <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(ApplicationError(_("年度应为 {a}–{b} 之间的整数").format(a=MIN_YEAR, b=MAX_YEAR), field="year"))
        year_value = today.year
    group_by = group_by or default_group_by
    if group_by not in GROUP_BYS:
        errors.append(ApplicationError(_("分组方式应为 {v} 之一").format(v="、".join(GROUP_BYS)), field="group_by"))
    side = side or Side.OUTPUT.value
    if side not in SIDES:
        errors.append(ApplicationError(_("口径应为 output（输出）或 absorbed（吸纳）"), field="side"))
    month_value = None
    if through_month not in (None, ""):
        try:
            month_value = int(through_month)
            if not 1 <= month_value <= 12:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(ApplicationError(_("截至月份应为 1–12 的整数"), field="through_month"))
    if errors:
        raise ApplicationError(errors=[item for e in errors for item in e.errors])
    return {"year": year_value, "region": str(region or "").strip(), "group_by": group_by, "side": side,
            "through_month": month_value}


def contract_stats_scope(*, user, region_code: str) -> Region | None:
    """The region a caller asks for, checked: PermissionDenied without a statistics role, ApplicationError
    for a malformed or unknown code, Http404 for a region outside the caller's scope."""
    from django.core.exceptions import PermissionDenied

    if not can_view_contract_stats(user) and not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("仅科技管理部门和技术合同登记员可查看技术合同统计"))
    region = region_from_code(region_code) if region_code else contract_stats_home_region(user)
    if not can_view_contract_stats_of(user, region):
        raise Http404
    return region


def contract_stats_for_user(*, user, year=None, region=None, group_by=None, side=None, through_month=None) -> dict:
    """The API's read: validated, scoped; {"region": Region|None, "query": {...}, "rows": [...]}."""
    from django.core.exceptions import PermissionDenied

    if not can_view_contract_stats(user) and not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("仅科技管理部门和技术合同登记员可查看技术合同统计"))
    query = clean_contract_stats_query(year=year, region=region, group_by=group_by, side=side,
                                       through_month=through_month)
    scope = contract_stats_scope(user=user, region_code=query["region"])
    rows = contract_stats(year=query["year"], region=scope, group_by=query["group_by"], side=query["side"],
                          through_month=query["through_month"])
    return {"region": scope, "query": query, "rows": rows}
