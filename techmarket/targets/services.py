"""Every write of the targets app: indicators, targets, the decomposition import, reported values.

Names a bureau officer recognises: ``indicator_save``, ``target_set``, ``decomposition_import``
(目标任务分解表导入), ``reported_value_create`` / ``_submit`` / ``_approve`` / ``_return``.
"""
from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_resolve

from . import permissions
from .choices import ADDITIVE_KINDS, IndicatorUnit, ReportedValueStatus, ValueSource
from .computations import computation_get
from .models import VALUE_PLACES, Indicator, ReportedValue, Target

MAX_VALUE = Decimal("1e15")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def clean_value(raw, *, field: str = "value") -> Decimal:
    """A non-negative number with at most 4 decimals, from text, int, float or Decimal."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ApplicationError(_("请填写数值"), field=field, code="required")
    if isinstance(raw, bool):
        raise ApplicationError(_("“{v}”不是数字").format(v=raw), field=field, code="not_a_number")
    text = str(raw).strip().replace(",", "").replace("，", "")
    if isinstance(raw, float):
        text = repr(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(_("“{v}”不是数字").format(v=raw), field=field, code="not_a_number") from None
    if not value.is_finite():
        raise ApplicationError(_("“{v}”不是数字").format(v=raw), field=field, code="not_a_number")
    if value < 0:
        raise ApplicationError(_("数值不能为负数"), field=field, code="negative")
    if value >= MAX_VALUE:
        raise ApplicationError(_("数值过大"), field=field, code="too_large")
    quantum = Decimal(1).scaleb(-VALUE_PLACES)
    if value != value.quantize(quantum):
        raise ApplicationError(_("数值最多保留 {n} 位小数").format(n=VALUE_PLACES), field=field, code="too_precise")
    return value


def clean_year(raw, *, field: str = "year") -> int:
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("年度应为四位数字"), field=field, code="invalid_year") from None
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("年度应在 2000–2100 之间"), field=field, code="invalid_year")
    return year


# --------------------------------------------------------------------------- indicators

INDICATOR_FIELDS = ("code", "name", "unit", "direction", "kind", "source", "computation", "params", "aliases",
                    "description", "citation", "order", "is_active")


def clean_indicator(indicator: Indicator) -> None:
    """Computation and params checked against the registry; units of amounts fit the computation."""
    if indicator.source == ValueSource.COMPUTED:
        if not indicator.computation:
            raise ApplicationError(_("平台计算的指标须选择计算方法"), field="computation", code="required")
        comp = computation_get(indicator.computation)
        indicator.params = comp.clean_params(indicator.params)
        if comp.measure == "fen" and indicator.unit not in (IndicatorUnit.WAN_YUAN, IndicatorUnit.YI_YUAN):
            raise ApplicationError(_("金额类计算方法的计量单位应为万元或亿元"), field="unit", code="unit_mismatch")
        if comp.measure == "count" and indicator.unit in (IndicatorUnit.WAN_YUAN, IndicatorUnit.YI_YUAN,
                                                          IndicatorUnit.PERCENT, IndicatorUnit.PER_10K):
            raise ApplicationError(_("计数类计算方法的计量单位应为家、人、项、个或件"), field="unit",
                                   code="unit_mismatch")
    else:
        indicator.computation = ""
        indicator.params = {}
    if not isinstance(indicator.aliases, list) or not all(isinstance(a, str) for a in indicator.aliases):
        raise ApplicationError(_("别名应为文字列表"), field="aliases", code="invalid")
    try:
        indicator.full_clean(exclude=["city"])
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from None


@transaction.atomic
def indicator_save(*, city: Region, by, data: dict, indicator: Indicator | None = None) -> Indicator:
    _require(permissions.can_edit_targets(by, city), _("只有本市科技局管理员可以设置指标"))
    before = snapshot(indicator) if indicator is not None else None
    obj = indicator or Indicator(city=city)
    for key in INDICATOR_FIELDS:
        if key in data:
            setattr(obj, key, data[key])
    clean_indicator(obj)
    if Indicator.objects.filter(city=city, code=obj.code).exclude(pk=obj.pk).exists():
        raise ApplicationError(_("本市已有代码为“{c}”的指标").format(c=obj.code), field="code", code="duplicate")
    obj.save()
    record_change(obj=obj, action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE, by=by,
                  before=before)
    return obj


# --------------------------------------------------------------------------- targets

def _check_target_region(indicator: Indicator, region: Region) -> None:
    if region.pk != indicator.city_id and not region.path.startswith(indicator.city.path):
        raise ApplicationError(_("“{r}”不属于{c}").format(r=region.name, c=indicator.city.name), field="region",
                               code="outside_city")


@transaction.atomic
def target_set(*, indicator: Indicator, region: Region, year: int, value, by, citation: str = "",
               is_demo: bool = False, check_permission: bool = True) -> Target:
    """Create or change the target of an indicator for a region and year (audited)."""
    if check_permission:
        _require(permissions.can_edit_targets(by, indicator.city), _("只有本市科技局管理员可以设置目标"))
    year = clean_year(year)
    value = clean_value(value)
    _check_target_region(indicator, region)
    target = Target.objects.select_for_update().filter(indicator=indicator, region=region, year=year).first()
    if target is None:
        target = Target.objects.create(indicator=indicator, region=region, year=year, value=value,
                                       citation=citation[:300], is_demo=is_demo)
        record_change(obj=target, action=ObjectChange.Action.CREATE, by=by, comment=citation[:200])
        return target
    before = snapshot(target)
    target.value, target.is_demo = value, is_demo
    if citation:
        target.citation = citation[:300]
    target.save()
    after = snapshot(target)
    if after != before:
        record_change(obj=target, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after,
                      comment=citation[:200])
    return target


@dataclass
class SumCheck:
    """Units' targets against the city's for an additive indicator: a warning, never a refusal."""

    indicator: Indicator
    city_target: Decimal | None
    units_sum: Decimal
    units_count: int

    @property
    def difference(self) -> Decimal | None:
        return None if self.city_target is None else self.units_sum - self.city_target

    @property
    def matches(self) -> bool:
        return self.difference == 0

    @property
    def message(self) -> str:
        if self.city_target is None:
            return _("{i}：未设全市目标，各单位合计 {s}{u}").format(i=self.indicator.name, s=_num(self.units_sum),
                                                             u=self.indicator.unit)
        if self.matches:
            return _("{i}：各单位合计与全市目标一致（{s}{u}）").format(i=self.indicator.name, s=_num(self.units_sum),
                                                             u=self.indicator.unit)
        word = _("多分解") if self.difference > 0 else _("少分解")
        return _("{i}：各单位合计 {s}{u}，全市目标 {t}{u}，{w} {d}{u}").format(
            i=self.indicator.name, s=_num(self.units_sum), t=_num(self.city_target), u=self.indicator.unit,
            w=word, d=_num(abs(self.difference)))


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value is not None else ""
    return text


def sum_check(*, city: Region, year: int) -> list[SumCheck]:
    """One check per additive indicator of the city that has unit targets in the year."""
    checks = []
    indicators = Indicator.objects.filter(city=city, kind__in=list(ADDITIVE_KINDS)).order_by("order", "pk")
    for indicator in indicators:
        rows = list(Target.objects.filter(indicator=indicator, year=year).values_list("region_id", "value"))
        unit_values = [v for r, v in rows if r != city.pk]
        if not unit_values:
            continue
        city_value = next((v for r, v in rows if r == city.pk), None)
        checks.append(SumCheck(indicator, city_value, sum(unit_values, Decimal(0)), len(unit_values)))
    return checks


# --------------------------------------------------------------------------- decomposition import (附件)

SUM_ROW_LABELS = ("合计", "小计", "总计")
_UNIT_IN_HEADER = re.compile(r"[（(]\s*([^（()）]{1,6})\s*[)）]\s*$")


def _normalize_label(text) -> str:
    text = "" if text is None else str(text)
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)
    return re.sub(r"[\s\u3000*＊]+", "", text)


def _strip_unit(label: str) -> tuple[str, str]:
    m = _UNIT_IN_HEADER.search(label)
    if m:
        return label[: m.start()], m.group(1)
    return label, ""


def _cell(row: int, col: int, message: str, code: str = "invalid") -> ErrorItem:
    where = _("第{row}行 第{col}列").format(row=row, col=col)
    return ErrorItem(where, code, f"{where}: {message}")


@dataclass
class DecompositionCell:
    row: int
    col: int
    indicator: Indicator
    region: Region
    value: Decimal


@dataclass
class DecompositionResult:
    year: int
    cells: list[DecompositionCell] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    checks: list[SumCheck] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [c.message for c in self.checks if not c.matches]

    @property
    def units(self) -> list[Region]:
        return list({c.region.pk: c.region for c in self.cells}.values())


def _indicator_index(city: Region) -> dict[str, Indicator]:
    index: dict[str, Indicator] = {}
    for indicator in Indicator.objects.filter(city=city):
        for label in [indicator.name, indicator.code, *(indicator.aliases or [])]:
            key, _unit = _strip_unit(_normalize_label(label))
            index.setdefault(key, indicator)
    return index


def _read_rows(source) -> list[tuple]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a bad file)
        raise ApplicationError(_("文件不是有效的 Excel (.xlsx) 文件"), field="file", code="invalid_file") from None
    try:
        ws = wb.worksheets[0]
        return [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def decomposition_read(source, *, city: Region) -> tuple[int, list[DecompositionCell]]:
    """Validate a 目标任务分解 sheet (rows = units, columns = indicators) without writing anything.

    The header row is the first row with two or more filled cells (title rows above it are skipped);
    its first column names the units (县(市)区、开发区), the others the indicators, matched by name, code
    or alias, with a trailing unit such as “(家)” ignored. Units are matched by name or short name within
    the city. Blank cells set no target. Every problem is reported as ``第N行 第M列: 原因``.
    Returns (header row number, cells).
    """
    rows = _read_rows(source)
    header_at = next((i for i, r in enumerate(rows) if sum(1 for v in r if v not in (None, "")) >= 2), None)
    if header_at is None:
        raise ApplicationError(_("文件中没有找到表头（第一列为县（市）区、开发区，其余各列为指标）"), field="file",
                               code="no_header")
    header = rows[header_at]
    header_row = header_at + 1
    errors: list[ErrorItem] = []
    index = _indicator_index(city)
    columns: dict[int, Indicator] = {}
    for c, label in enumerate(header[1:], start=2):
        if label in (None, "") or not str(label).strip():
            continue
        key, unit = _strip_unit(_normalize_label(label))
        indicator = index.get(key)
        if indicator is None:
            errors.append(_cell(header_row, c, _("未知指标“{t}”").format(t=str(label).strip()), "unknown_indicator"))
            continue
        if unit and unit != indicator.unit and _normalize_label(unit) != _normalize_label(indicator.unit):
            errors.append(_cell(header_row, c, _("“{t}”的单位“{u}”与指标的计量单位“{v}”不一致").format(
                t=str(label).strip(), u=unit, v=indicator.unit), "unit_mismatch"))
            continue
        if indicator.pk in {i.pk for i in columns.values()}:
            errors.append(_cell(header_row, c, _("指标“{t}”重复").format(t=indicator.name), "duplicate_indicator"))
            continue
        columns[c] = indicator
    if not columns and not errors:
        errors.append(_cell(header_row, 2, _("表头中没有指标列"), "no_indicator"))
    cells: list[DecompositionCell] = []
    seen_units: dict[int, int] = {}
    for offset, values in enumerate(rows[header_at + 1:], start=header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        name = values[0] if values else None
        if name is None or not str(name).strip():
            errors.append(_cell(offset, 1, _("未填写单位名称"), "required"))
            continue
        label = _normalize_label(name)
        if label in SUM_ROW_LABELS:
            continue  # a 合计 row is arithmetic, not a target
        try:
            region = city if label in (_("全市"), city.name) else region_resolve(label, within=city, field=None)
        except ApplicationError:
            errors.append(_cell(offset, 1, _("未知单位“{t}”").format(t=str(name).strip()), "unknown_unit"))
            continue
        if region.pk == city.pk:
            pass  # a 全市 row sets the city's targets
        elif not region.path.startswith(city.path):
            errors.append(_cell(offset, 1, _("“{t}”不属于{c}").format(t=str(name).strip(), c=city.name),
                                "outside_city"))
            continue
        if region.pk in seen_units:
            errors.append(_cell(offset, 1, _("单位“{t}”与第{r}行重复").format(t=str(name).strip(),
                                                                     r=seen_units[region.pk]), "duplicate_unit"))
            continue
        seen_units[region.pk] = offset
        for c, indicator in columns.items():
            raw = values[c - 1] if c - 1 < len(values) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                value = clean_value(raw)
            except ApplicationError as exc:
                errors.append(_cell(offset, c, exc.errors[0].message, exc.errors[0].code))
                continue
            cells.append(DecompositionCell(offset, c, indicator, region, value))
    if errors:
        raise ApplicationError(errors=errors)
    if not cells:
        raise ApplicationError(_("文件中没有目标数据"), field="file", code="empty_file")
    return header_row, cells


def decomposition_import(*, city: Region, year, source, by, file_name: str = "") -> DecompositionResult:
    """Import a decomposition table: all cells or none. The sum check warns and never blocks."""
    _require(permissions.can_edit_targets(by, city), _("只有本市科技局管理员可以导入目标任务分解表"))
    year = clean_year(year)
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    _header, cells = decomposition_read(source, city=city)
    citation = _("{y}年目标任务分解表导入{f}").format(y=year, f=f"（{file_name}）" if file_name else "")
    result = DecompositionResult(year=year, cells=cells)
    with transaction.atomic():
        existing = {(t.indicator_id, t.region_id): t.value for t in
                    Target.objects.filter(indicator__city=city, year=year)}
        for cell in cells:
            old = existing.get((cell.indicator.pk, cell.region.pk))
            target_set(indicator=cell.indicator, region=cell.region, year=year, value=cell.value, by=by,
                       citation=citation, check_permission=False)
            if old is None:
                result.created += 1
            elif old != cell.value:
                result.updated += 1
            else:
                result.unchanged += 1
    result.checks = sum_check(city=city, year=year)
    return result


def decomposition_workbook(*, city: Region, year: int) -> bytes:
    """The table in the bureaus' layout (rows = units, columns = indicators), filled with the current targets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from .progress import city_units

    indicators = list(Indicator.objects.filter(city=city, is_active=True).order_by("order", "pk"))
    targets = {(t.indicator_id, t.region_id): t.value for t in Target.objects.filter(indicator__city=city, year=year)}
    wb = Workbook()
    ws = wb.active
    ws.title = _("目标任务分解")
    ws.append([_("{y}年度{c}目标任务分解").format(y=year, c=city.name)])
    ws.append([_("县(市)区、开发区")] + [f"{i.name}({i.unit})" for i in indicators])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for region in [city, *city_units(city)]:
        ws.append([region.name if region.pk != city.pk else _("全市")]
                  + [_xl(targets.get((i.pk, region.pk))) for i in indicators])
    ws.column_dimensions["A"].width = 22
    for i in range(len(indicators)):
        ws.column_dimensions[chr(ord("B") + i) if i < 25 else "Z"].width = 16
    ws.freeze_panes = "B3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xl(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --------------------------------------------------------------------------- reported values

def _check_reported(indicator: Indicator, region: Region, year: int, as_of: datetime.date) -> None:
    if indicator.source != ValueSource.REPORTED:
        raise ApplicationError(_("指标“{i}”由平台自动计算，无需填报").format(i=indicator.name), field="indicator",
                               code="computed_indicator")
    _check_target_region(indicator, region)
    if as_of.year != year:
        raise ApplicationError(_("截至日期应在{y}年内").format(y=year), field="as_of", code="outside_year")
    if as_of > timezone.localdate():
        raise ApplicationError(_("截至日期不能晚于今天"), field="as_of", code="future_date")


def _evidence_problem(upload) -> str | None:
    from techmarket.core.uploads import upload_problem

    return upload_problem(upload, allowed=("pdf", "jpg", "png", "docx", "xlsx", "ofd", "zip"), noun=_("佐证材料"))


@transaction.atomic
def reported_value_create(*, indicator: Indicator, region: Region, year, as_of: datetime.date, value, by,
                          note: str = "", evidence=None, submit: bool = False) -> ReportedValue:
    """A district's figure (draft, or submitted at once with ``submit``)."""
    _require(permissions.can_report_value(by, region), _("只能填报本单位的数据"))
    year = clean_year(year)
    value = clean_value(value)
    _check_reported(indicator, region, year, as_of)
    obj = ReportedValue(indicator=indicator, region=region, year=year, as_of=as_of, value=value, note=note or "",
                        reported_by=by if getattr(by, "pk", None) else None)
    if evidence is not None:
        problem = _evidence_problem(evidence)
        if problem:
            raise ApplicationError(problem, field="evidence", code="invalid_file")
        from techmarket.core.uploads import clean_filename

        obj.evidence_name = clean_filename(evidence.name)[:200]
        obj.evidence.save(evidence.name, evidence, save=False)
    obj.save()
    record_change(obj=obj, action=ObjectChange.Action.CREATE, by=by)
    if submit:
        obj = reported_value_submit(value=obj, by=by)
    return obj


@transaction.atomic
def reported_value_update(*, value: ReportedValue, by, data: dict) -> ReportedValue:
    _require(permissions.can_report_value(by, value.region), _("只能修改本单位的数据"))
    obj = ReportedValue.objects.select_for_update().get(pk=value.pk)
    if obj.status not in (ReportedValueStatus.DRAFT, ReportedValueStatus.RETURNED):
        raise ApplicationError(_("已报送或已审核的数据不能修改"), code="invalid_state")
    before = snapshot(obj)
    if "value" in data:
        obj.value = clean_value(data["value"])
    if "as_of" in data:
        obj.as_of = data["as_of"]
    if "note" in data:
        obj.note = data["note"] or ""
    _check_reported(obj.indicator, obj.region, obj.year, obj.as_of)
    obj.save()
    record_change(obj=obj, action=ObjectChange.Action.UPDATE, by=by, before=before)
    return obj


def reported_value_submit(*, value: ReportedValue, by, comment: str = "") -> ReportedValue:
    return transition(value, action="submit", by=by, comment=comment)


@transaction.atomic
def reported_value_approve(*, value: ReportedValue, by, comment: str = "") -> ReportedValue:
    obj = transition(value, action="approve", by=by, comment=comment)
    obj.reviewed_by, obj.reviewed_at = by, timezone.now()
    obj.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    return obj


def reported_value_return(*, value: ReportedValue, by, comment: str = "", reason_code: str | None = None
                          ) -> ReportedValue:
    return transition(value, action="return", by=by, comment=comment)


ACTIONS = {"submit": reported_value_submit, "approve": reported_value_approve, "return": reported_value_return}


def reported_value_act(*, value: ReportedValue, action: str, by, comment: str = "",
                       reason_code: str | None = None) -> ReportedValue:
    if action not in ACTIONS:
        raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
    return ACTIONS[action](value=value, by=by, comment=comment)
