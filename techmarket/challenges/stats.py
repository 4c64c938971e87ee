"""Statistics of 揭榜挂帅 (issue 7 item 7): challenges published, applications per challenge, days from
publication to award, awarded amount and acceptance rate, by technology field or by district.

``challenge_stats(user=, year=, region=, group_by=)`` returns one dict per group and a last total row::

    {"key", "label", "published", "applications", "applications_per_challenge", "awarded",
     "median_days_to_award", "awarded_amount_fen", "accepted", "failed", "acceptance_rate"}

A challenge counts in the year of its publication (发榜, Asia/Shanghai); ``year`` None counts every year.
``applications`` are the submitted ones (揭榜, drafts not counted); ``awarded`` the challenges with a
winner (开榜) and ``awarded_amount_fen`` the sum of the winning prices; ``median_days_to_award`` the
median of the days from publication to award (one decimal, None without an award); ``acceptance_rate``
the share of accepted among the challenges whose acceptance was decided (accepted + failed), a percentage
with one decimal, None when none was decided. Ratios are Decimals.

The field is the top level of 国家重点支持的高新技术领域 (电子信息, 生物与新医药 …); the district is the
county-level unit holding the challenge (a challenge registered at a city itself counts as 本级).

Who may read them: region staff for their subtree (bureau administrators, district officers; superusers
everywhere). Others get ``PermissionDenied``; a region outside the caller's scope is ``Http404``.
"""
from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_region_staff, region_in_staff_scope
from techmarket.contractstats.selectors import region_from_code  # 41 / 4101 / 410105 → Region
from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region
from techmarket.taxonomies.models import Term

from .choices import ApplicationStatus, ChallengeStatus
from .models import Challenge

GROUP_BYS = ("field", "district")
GROUP_BY_LABELS = {"field": _("按技术领域"), "district": _("按县（市、区）")}
TOTAL_KEY = "total"
MIN_YEAR, MAX_YEAR = 2000, 2100
DAY_SECONDS = Decimal(86400)

__all__ = ["GROUP_BYS", "TOTAL_KEY", "can_view_challenge_stats", "challenge_stats", "challenge_stats_headline",
           "challenge_stats_scope", "challenge_stats_years", "clean_challenge_stats_query"]


# --- who and where ---------------------------------------------------------------------------------------

def can_view_challenge_stats(user) -> bool:
    return is_region_staff(user)


def _refuse_non_staff(user) -> None:
    if not can_view_challenge_stats(user):
        raise PermissionDenied(_("仅科技管理部门可查看揭榜挂帅统计"))


def challenge_stats_scope(*, user, region=None) -> Region | None:
    """The region asked for (a Region or a code; default the caller's own region), checked against the
    caller's scope. None means every region (superusers only)."""
    _refuse_non_staff(user)
    scope = region if isinstance(region, Region) else region_from_code(region)
    if scope is None and not user.is_superuser:
        scope = user.region
        if scope is None:
            raise Http404
    if scope is not None and not region_in_staff_scope(user, scope):
        raise Http404
    return scope


def clean_challenge_stats_query(*, year=None, region=None, group_by=None) -> dict:
    """Validated parameters ({"year": int|None, "region": str, "group_by": str}); ApplicationError per bad one."""
    errors = []
    year_value = None
    if year not in (None, ""):
        try:
            year_value = int(year)
            if not MIN_YEAR <= year_value <= MAX_YEAR:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(ApplicationError(_("年度应为 {a}–{b} 之间的整数").format(a=MIN_YEAR, b=MAX_YEAR),
                                           field="year", code="invalid"))
            year_value = None
    group_by = group_by or "field"
    if group_by not in GROUP_BYS:
        errors.append(ApplicationError(_("分组方式应为 field（技术领域）或 district（县区）"), field="group_by",
                                       code="invalid"))
    if errors:
        raise ApplicationError(errors=[item for e in errors for item in e.errors])
    region_text = "" if region is None else (region.code if isinstance(region, Region) else str(region).strip())
    return {"year": year_value, "region": region_text, "group_by": group_by}


# --- figures ---------------------------------------------------------------------------------------------

def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    return (datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def _challenges(*, year: int | None, scope: Region | None):
    qs = Challenge.objects.filter(published_at__isnull=False)
    if scope is not None:
        qs = qs.filter(region__path__startswith=scope.path)
    if year is not None:
        start, end = _year_bounds(year)
        qs = qs.filter(published_at__gte=start, published_at__lt=end)
    return (qs.select_related("tech_field", "region", "winner")
            # applications received: submitted ones, including those found ineligible, not those withdrawn
            .annotate(n_applications=Count("applications", filter=Q(applications__submitted_at__isnull=False)
                                           & ~Q(applications__status=ApplicationStatus.WITHDRAWN)))
            .order_by("pk"))


def _ratio(numerator, denominator, places: str) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _row(key: str, label: str, items: list) -> dict:
    published = len(items)
    applications = sum(c.n_applications for c in items)
    awarded = [c for c in items if c.awarded_at is not None and c.winner_id is not None]
    days = [Decimal((c.awarded_at - c.published_at).total_seconds()) / DAY_SECONDS for c in awarded]
    accepted = sum(1 for c in items if c.status == ChallengeStatus.ACCEPTED)
    failed = sum(1 for c in items if c.status == ChallengeStatus.FAILED)
    rate = _ratio(accepted * 100, accepted + failed, "0.1")
    return {
        "key": key, "label": label, "published": published, "applications": applications,
        "applications_per_challenge": _ratio(applications, published, "0.01"),
        "awarded": len(awarded),
        "median_days_to_award": (Decimal(statistics.median(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                                 if days else None),
        "awarded_amount_fen": sum(c.winner.price_fen for c in awarded),
        "accepted": accepted, "failed": failed, "acceptance_rate": rate,
    }


def _field_groups() -> dict[str, Term]:
    return {t.code: t for t in Term.objects.filter(scheme__code="hitech_domains", level=1)}


def _field_key(challenge, tops: dict[str, Term]) -> tuple[str, str, tuple]:
    code = challenge.tech_field.code[:2]
    top = tops.get(code)
    if top is None:
        return code, challenge.tech_field.name, (1, code)
    return top.code, top.name, (0, top.sort_order, top.code)


def _district_key(challenge, scope: Region | None, regions: dict[str, Region]) -> tuple[str, str, tuple]:
    parts = [p for p in challenge.region.path.split("/") if p]
    city = regions.get(parts[1]) if len(parts) > 1 else None
    county = regions.get(parts[2]) if len(parts) > 2 else None
    broad = scope is None or scope.level < Region.Level.CITY  # labels name the city too
    if county is not None:
        label = f"{city.name}{county.name}" if broad and city is not None else county.name
        return county.code, label, (0, county.code)
    place = city or challenge.region
    return place.code, _("{name}本级").format(name=place.name), (0, place.code)


def challenge_stats(*, user, year: int | None = None, region=None, group_by: str = "field") -> list[dict]:
    """Rows by ``group_by`` (field | district) and a last total row, for the caller's scope (see module)."""
    query = clean_challenge_stats_query(year=year, region=region, group_by=group_by)
    scope = challenge_stats_scope(user=user, region=region if isinstance(region, Region) else query["region"])
    items = list(_challenges(year=query["year"], scope=scope))
    groups: dict[str, list] = defaultdict(list)
    labels: dict[str, str] = {}
    order: dict[str, tuple] = {}
    if query["group_by"] == "field":
        tops = _field_groups()
        keyer = lambda c: _field_key(c, tops)  # noqa: E731
    else:
        codes = {p for c in items for p in c.region.path.split("/") if p}
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        keyer = lambda c: _district_key(c, scope, regions)  # noqa: E731
    for challenge in items:
        key, label, sort = keyer(challenge)
        groups[key].append(challenge)
        labels[key], order[key] = label, sort
    rows = [_row(key, labels[key], groups[key]) for key in sorted(groups, key=lambda k: order[k])]
    rows.append(_row(TOTAL_KEY, _("合计"), items))
    return rows


def challenge_stats_headline(*, user, year: int | None = None, region=None) -> dict:
    """The total row alone (the dashboard card)."""
    return challenge_stats(user=user, year=year, region=region, group_by="field")[-1]


def challenge_stats_years(*, user, region=None) -> list[int]:
    """Years with a publication in the caller's scope, newest first (the page's year filter)."""
    scope = challenge_stats_scope(user=user, region=region)
    qs = Challenge.objects.filter(published_at__isnull=False)
    if scope is not None:
        qs = qs.filter(region__path__startswith=scope.path)
    years = {timezone.localtime(moment).year for moment in qs.values_list("published_at", flat=True)}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)
