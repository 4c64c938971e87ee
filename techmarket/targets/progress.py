"""Progress against targets (T3): target, actual, completion, share of the year elapsed, status and rank,
read live from the registries (no cache, so a registration shows at once).

* additive indicators (counts, amounts) accrue from 1 January to the as-of date; status compares
  completion with the share of the year elapsed;
* level indicators (shares of GDP, stocks) compare the latest value with the target, no pro-rating
  (the reference is 100 %);
* thresholds come from ``ProgressRule`` (default ±10 points): ahead if completion ≥ reference + ahead,
  behind if completion < reference − behind, else on track; no target or no value → no_data.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region

from .choices import ADDITIVE_KINDS, Direction, IndicatorUnit, ProgressStatus, ReportedValueStatus
from .computations import computation_get
from .models import Indicator, ProgressRule, ReportedValue, Target

DEFAULT_POINTS = Decimal("10")
HUNDRED = Decimal(100)
FEN_PER_UNIT = {IndicatorUnit.WAN_YUAN: Decimal(1_000_000), IndicatorUnit.YI_YUAN: Decimal(10_000_000_000)}


# --------------------------------------------------------------------------- periods

@dataclass(frozen=True)
class Period:
    """A reporting period: a year, a quarter or a month. Progress is year-to-date through ``end``."""

    code: str          # "2019", "2019-Q3", "2019-09"
    year: int
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if re.fullmatch(r"\d{4}", self.code):
            return _("{y}年").format(y=self.year)
        if "Q" in self.code:
            return _("{y}年第{q}季度").format(y=self.year, q=self.code[-1])
        return _("{y}年{m}月").format(y=self.year, m=int(self.code[5:]))

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)


def period_parse(code: str) -> Period:
    """"2019" | "2019-Q3" | "2019-09" → Period; a Chinese refusal otherwise."""
    text = str(code or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        y = int(m[1])
        return Period(text, y, datetime.date(y, 1, 1), datetime.date(y, 12, 31))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        y, q = int(m[1]), int(m[2])
        last = q * 3
        return Period(f"{y}-Q{q}", y, datetime.date(y, last - 2, 1),
                      datetime.date(y, last, calendar.monthrange(y, last)[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(f"{y}-{mo:02d}", y, datetime.date(y, mo, 1),
                          datetime.date(y, mo, calendar.monthrange(y, mo)[1]))
    raise ApplicationError(_("期间“{p}”无效，应为 2019、2019-Q3 或 2019-09").format(p=code), field="period",
                           code="invalid_period")


def today() -> datetime.date:
    return timezone.localdate()


def as_of_for(year: int, *, until: datetime.date | None = None) -> datetime.date:
    """The evaluation date: today within the year, 31 December for past years, capped by ``until``."""
    end = datetime.date(year, 12, 31)
    if until is not None:
        end = min(end, until)
    return min(end, max(today(), datetime.date(year, 1, 1) - datetime.timedelta(days=1)))


def elapsed_pct(year: int, as_of: datetime.date) -> Decimal:
    start = datetime.date(year, 1, 1)
    if as_of < start:
        return Decimal(0)
    days = 366 if calendar.isleap(year) else 365
    elapsed = min((as_of - start).days + 1, days)
    return (Decimal(elapsed) * HUNDRED / days).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --------------------------------------------------------------------------- rows

@dataclass
class ProgressRow:
    indicator: Indicator
    region: Region
    target: Decimal | None
    actual: Decimal | None
    completion_pct: Decimal | None
    elapsed_pct: Decimal
    status: str
    rank: int | None = None
    is_city: bool = False
    citation: str = ""

    def as_api(self) -> dict:
        return {
            "indicator": self.indicator.code, "indicator_name": self.indicator.name, "unit": self.indicator.unit,
            "region": self.region.code, "region_name": self.region.name,
            "target": _dec(self.target), "actual": _dec(self.actual),
            "completion_pct": None if self.completion_pct is None else float(self.completion_pct),
            "elapsed_pct": float(self.elapsed_pct), "status": self.status, "rank": self.rank,
        }


def _dec(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = f"{value.quantize(Decimal('0.0001')):f}".rstrip("0").rstrip(".")
    return text or "0"


def status_label(status: str) -> str:
    return str(ProgressStatus(status).label)


@dataclass
class CityProgress:
    city: Region
    year: int
    as_of: datetime.date
    elapsed_pct: Decimal
    units: list[Region]
    indicators: list[Indicator]
    rows: list[ProgressRow] = field(default_factory=list)

    def row(self, indicator: Indicator, region: Region) -> ProgressRow | None:
        for row in self.rows:
            if row.indicator.pk == indicator.pk and row.region.pk == region.pk:
                return row
        return None

    def by_indicator(self, indicator: Indicator) -> list[ProgressRow]:
        return [r for r in self.rows if r.indicator.pk == indicator.pk]

    def city_rows(self) -> list[ProgressRow]:
        return [r for r in self.rows if r.is_city]

    def behind(self) -> list[ProgressRow]:
        return [r for r in self.rows if not r.is_city and r.status == ProgressStatus.BEHIND]


def city_units(city: Region) -> list[Region]:
    """The units a city's targets are split to: its counties, districts and zones (not 市辖区)."""
    return list(Region.objects.filter(parent=city).exclude(name="市辖区").order_by("code"))


def to_indicator_unit(indicator: Indicator, measure: str, value: Decimal) -> Decimal:
    if measure != "fen":
        return value
    return value / FEN_PER_UNIT.get(indicator.unit, Decimal(100))


def computed_actuals(indicator: Indicator, regions: list[Region], year: int,
                     as_of: datetime.date) -> dict[int, Decimal]:
    comp = computation_get(indicator.computation)
    values = comp.values(params=indicator.params, units=regions, start=datetime.date(year, 1, 1), end=as_of)
    return {pk: to_indicator_unit(indicator, comp.measure, v) for pk, v in values.items()}


def reported_actuals(indicator: Indicator, regions: list[Region], year: int,
                     as_of: datetime.date) -> dict[int, Decimal]:
    """The latest approved figure per region as of the date (a city without its own figure sums its units'
    for additive indicators)."""
    rows = (ReportedValue.objects.filter(indicator=indicator, region__in=regions, year=year,
                                         status=ReportedValueStatus.APPROVED, as_of__lte=as_of)
            .order_by("region_id", "-as_of", "-pk").values_list("region_id", "value"))
    out: dict[int, Decimal] = {}
    for region_id, value in rows:
        out.setdefault(region_id, value)
    if indicator.kind in ADDITIVE_KINDS:
        for region in regions:
            if region.pk not in out and region.level == Region.Level.CITY:
                parts = [v for r, v in out.items() if r != region.pk]
                if parts:
                    out[region.pk] = sum(parts, Decimal(0))
    return out


def actuals(indicator: Indicator, regions: list[Region], year: int, as_of: datetime.date) -> dict[int, Decimal]:
    if indicator.is_computed:
        return computed_actuals(indicator, regions, year, as_of)
    return reported_actuals(indicator, regions, year, as_of)


def thresholds(city: Region) -> tuple[Decimal, Decimal]:
    rule = ProgressRule.objects.filter(city=city).first()
    if rule is None:
        return DEFAULT_POINTS, DEFAULT_POINTS
    return rule.ahead_points, rule.behind_points


def completion(indicator: Indicator, target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    if target is None or actual is None:
        return None
    if indicator.direction == Direction.LOWER:
        if actual == 0:
            return None
        pct = target * HUNDRED / actual
    else:
        if target == 0:
            return None
        pct = actual * HUNDRED / target
    return pct.quantize(Decimal("0.1"), ROUND_HALF_UP)


def status_of(indicator: Indicator, completion_pct: Decimal | None, elapsed: Decimal,
              ahead: Decimal, behind: Decimal) -> str:
    if completion_pct is None:
        return ProgressStatus.NO_DATA
    reference = elapsed if indicator.kind in ADDITIVE_KINDS else HUNDRED
    if completion_pct >= reference + ahead:
        return ProgressStatus.AHEAD
    if completion_pct < reference - behind:
        return ProgressStatus.BEHIND
    return ProgressStatus.ON_TRACK


def _rank(rows: list[ProgressRow]) -> None:
    """Competition ranking (1, 2, 2, 4) of units by completion; rows without completion get none."""
    ranked = sorted((r for r in rows if r.completion_pct is not None and not r.is_city),
                    key=lambda r: r.completion_pct, reverse=True)
    previous, position = None, 0
    for i, row in enumerate(ranked, start=1):
        if row.completion_pct != previous:
            position, previous = i, row.completion_pct
        row.rank = position


def city_progress(*, city: Region, year: int, as_of: datetime.date | None = None,
                  indicator: Indicator | None = None) -> CityProgress:
    """Every indicator of the city with a target in the year × (city + its units)."""
    as_of = as_of or as_of_for(year)
    indicators = list(Indicator.objects.filter(city=city, is_active=True, targets__year=year).distinct()
                      .order_by("order", "pk"))
    if indicator is not None:
        indicators = [i for i in indicators if i.pk == indicator.pk]
    units = city_units(city)
    regions = [city, *units]
    targets = {(t.indicator_id, t.region_id): t for t in
               Target.objects.filter(indicator__in=indicators, year=year, region__in=regions)}
    elapsed = elapsed_pct(year, as_of)
    ahead, behind = thresholds(city)
    result = CityProgress(city=city, year=year, as_of=as_of, elapsed_pct=elapsed, units=units,
                          indicators=indicators)
    for ind in indicators:
        values = actuals(ind, regions, year, as_of)
        rows = []
        for region in regions:
            target = targets.get((ind.pk, region.pk))
            actual = values.get(region.pk)
            pct = completion(ind, target.value if target else None, actual)
            rows.append(ProgressRow(
                indicator=ind, region=region, target=target.value if target else None, actual=actual,
                completion_pct=pct, elapsed_pct=elapsed,
                status=status_of(ind, pct, elapsed, ahead, behind) if target else ProgressStatus.NO_DATA,
                is_city=region.pk == city.pk, citation=target.citation if target else ""))
        _rank(rows)
        result.rows.extend(rows)
    return result


def monthly_trend(*, indicator: Indicator, region: Region, year: int,
                  as_of: datetime.date | None = None) -> list[tuple[str, Decimal | None]]:
    """Year-to-date actual at each month end up to the as-of date (for the trend chart)."""
    as_of = as_of or as_of_for(year)
    points = []
    for month in range(1, 13):
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        if datetime.date(year, month, 1) > as_of:
            break
        value = actuals(indicator, [region], year, min(end, as_of)).get(region.pk)
        points.append((_("{m}月").format(m=month), value))
    return points
