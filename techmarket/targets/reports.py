"""The periodic report (定期通报, T4): headline figures, a table per indicator by unit with completion and
rank, charts, and the units behind schedule; as .xlsx (native openpyxl charts) or PDF (server-side charts).

    data = report_build(city=Region(4101), period=period_parse("2019-09"))
    report_xlsx(data) -> bytes;  report_pdf(data) -> bytes
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.regions.models import Region

from .choices import ProgressStatus
from .progress import CityProgress, Period, ProgressRow, as_of_for, city_progress, status_label

FORMATS = ("xlsx", "pdf")
STATUS_FILL = {"ahead": "D7EFDF", "on_track": "E8EEF7", "behind": "F8D7DA", "no_data": "EEEEEE"}


@dataclass
class ReportData:
    city: Region
    period: Period
    progress: CityProgress

    @property
    def title(self) -> str:
        return _("{c}科技创新目标任务完成情况通报").format(c=self.city.name)

    @property
    def subtitle(self) -> str:
        return _("{p}（截至{d}，全年时间进度 {e}%）").format(
            p=self.period.label, d=self.progress.as_of.strftime("%Y年%m月%d日"), e=self.progress.elapsed_pct)


def report_build(*, city: Region, period: Period) -> ReportData:
    as_of = as_of_for(period.year, until=period.end)
    return ReportData(city=city, period=period, progress=city_progress(city=city, year=period.year, as_of=as_of))


def default_path(city: Region, period: Period, fmt: str) -> Path:
    return Path(settings.VAR_DIR) / "reports" / f"{city.short_code}-{period.code}.{fmt}"


def file_name(data: ReportData, fmt: str) -> str:
    return f"{data.city.short_code}-{data.period.code}.{fmt}"


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.01')):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _unit_rows(data: ReportData, indicator) -> list[ProgressRow]:
    return [r for r in data.progress.by_indicator(indicator) if not r.is_city]


def _city_row(data: ReportData, indicator) -> ProgressRow:
    return next(r for r in data.progress.by_indicator(indicator) if r.is_city)


def headline(data: ReportData) -> list[list]:
    rows = []
    for ind in data.progress.indicators:
        r = _city_row(data, ind)
        rows.append([ind.name, ind.unit, _fmt(r.target), _fmt(r.actual), _pct(r.completion_pct),
                     status_label(r.status)])
    return rows


HEADLINE_HEADER = [_("指标"), _("单位"), _("全市目标"), _("完成"), _("完成率"), _("状态")]
UNIT_HEADER = [_("县（市、区）、开发区"), _("目标"), _("完成"), _("完成率"), _("时间进度"), _("状态"), _("排名")]


def behind_rows(data: ReportData) -> list[list]:
    return [[r.region.name, r.indicator.name, _fmt(r.target), _fmt(r.actual), _pct(r.completion_pct),
             _pct(r.elapsed_pct if r.indicator.is_additive else Decimal(100))]
            for r in sorted(data.progress.behind(), key=lambda r: (r.indicator.order, r.region.code))]


BEHIND_HEADER = [_("单位"), _("指标"), _("目标"), _("完成"), _("完成率"), _("应达进度")]


# --------------------------------------------------------------------------- .xlsx

def _sheet_title(n: int, name: str) -> str:
    clean = re.sub(r"[\\/*?:\[\]：]", "", name)
    return f"{n:02d}{clean}"[:31]


def report_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="1F4E8C")
    head_font = Font(bold=True, color="FFFFFF")

    def header(ws, row: int, values: list) -> None:
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=c, value=str(v))
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb = Workbook()
    ws = wb.active
    ws.title = _("概况")
    ws["A1"] = data.title
    ws["A1"].font = Font(bold=True, size=15)
    ws["A2"] = data.subtitle
    ws["A3"] = _("生成时间：{t}").format(t=timezone.localtime().strftime("%Y-%m-%d %H:%M"))
    header(ws, 5, HEADLINE_HEADER)
    for i, row in enumerate(data.progress.indicators, start=6):
        r = _city_row(data, row)
        values = [row.name, row.unit, _num(r.target), _num(r.actual), _num(r.completion_pct),
                  status_label(r.status)]
        for c, v in enumerate(values, start=1):
            ws.cell(row=i, column=c, value=v)
        ws.cell(row=i, column=6).fill = PatternFill("solid", fgColor=STATUS_FILL[r.status])
    for col, width in zip("ABCDEF", (38, 9, 12, 12, 11, 11)):
        ws.column_dimensions[col].width = width
    ws.cell(row=5, column=5).value = _("完成率（%）")

    behind = wb.create_sheet(_("滞后单位"))
    behind["A1"] = _("进度滞后的单位（完成率低于应达进度 {p} 个百分点以上）").format(p=_threshold(data))
    behind["A1"].font = bold
    header(behind, 2, BEHIND_HEADER)
    for i, row in enumerate(behind_rows(data), start=3):
        for c, v in enumerate(row, start=1):
            behind.cell(row=i, column=c, value=v)
    if not data.progress.behind():
        behind["A3"] = _("无")
    for col, width in zip("ABCDEF", (18, 38, 12, 12, 11, 11)):
        behind.column_dimensions[col].width = width

    for n, ind in enumerate(data.progress.indicators, start=1):
        sheet = wb.create_sheet(_sheet_title(n, ind.name))
        sheet["A1"] = f"{ind.name}（{ind.unit}）"
        sheet["A1"].font = Font(bold=True, size=13)
        city = _city_row(data, ind)
        sheet["A2"] = _("全市目标 {t}，完成 {a}，完成率 {c}，状态：{s}").format(
            t=_fmt(city.target), a=_fmt(city.actual), c=_pct(city.completion_pct), s=status_label(city.status))
        header(sheet, 4, [str(h) for h in UNIT_HEADER[:3]] + [_("完成率（%）"), _("时间进度（%）"), _("状态"),
                                                             _("排名")])
        rows = _unit_rows(data, ind)
        for i, r in enumerate(rows, start=5):
            values = [r.region.name, _num(r.target), _num(r.actual), _num(r.completion_pct),
                      _num(r.elapsed_pct if ind.is_additive else Decimal(100)), status_label(r.status), r.rank]
            for c, v in enumerate(values, start=1):
                sheet.cell(row=i, column=c, value=v)
            sheet.cell(row=i, column=6).fill = PatternFill("solid", fgColor=STATUS_FILL[r.status])
        for col, width in zip("ABCDEFG", (18, 11, 11, 12, 13, 10, 7)):
            sheet.column_dimensions[col].width = width
        if rows:
            chart = BarChart()
            chart.type = "col"
            chart.title = _("{i}：各单位完成率（%）").format(i=ind.name)
            chart.y_axis.title = _("完成率（%）")
            chart.x_axis.title = _("单位")
            chart.height, chart.width = 8.5, 22
            chart.legend = None
            values = Reference(sheet, min_col=4, min_row=4, max_row=4 + len(rows))
            cats = Reference(sheet, min_col=1, min_row=5, max_row=4 + len(rows))
            chart.add_data(values, titles_from_data=True)
            chart.set_categories(cats)
            sheet.add_chart(chart, f"A{len(rows) + 7}")
            bars = BarChart()
            bars.type = "col"
            bars.title = _("{i}：目标与完成（{u}）").format(i=ind.name, u=ind.unit)
            bars.height, bars.width = 8.5, 22
            bars.add_data(Reference(sheet, min_col=2, max_col=3, min_row=4, max_row=4 + len(rows)),
                          titles_from_data=True)
            bars.set_categories(cats)
            sheet.add_chart(bars, f"A{len(rows) + 25}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _threshold(data: ReportData) -> str:
    from .progress import thresholds

    return _fmt(thresholds(data.city)[1])


# --------------------------------------------------------------------------- PDF

def report_pdf(data: ReportData) -> bytes:
    from techmarket.core import pdf
    from techmarket.core.charts import bar_chart_png

    p = data.progress
    blocks: list = [
        pdf.KeyValue([(_("城市"), data.city.name), (_("通报期间"), data.period.label),
                      (_("统计截至"), p.as_of.strftime("%Y-%m-%d")), (_("全年时间进度"), f"{p.elapsed_pct}%"),
                      (_("指标数"), len(p.indicators)), (_("县（市、区）、开发区"), len(p.units)),
                      (_("进度滞后"), _("{n} 项次").format(n=len(p.behind())))]),
        pdf.Heading(_("一、全市主要指标完成情况"), level=1),
        pdf.Table([str(h) for h in HEADLINE_HEADER], headline(data), col_widths=[6.2, 1.6, 2, 2, 2, 2]),
    ]
    if p.indicators:
        first_additive = [i for i in p.indicators if i.is_additive][:1]
        if first_additive:
            ind = first_additive[0]
            rows = _unit_rows(data, ind)
            blocks.append(pdf.Image(bar_chart_png(
                categories=[r.region.name for r in rows],
                series={_("目标"): [r.target for r in rows], _("完成"): [r.actual or 0 for r in rows]},
                title=_("{i}：各单位目标与完成").format(i=ind.name), unit=ind.unit, height_cm=8), width_cm=16))
    blocks.append(pdf.Heading(_("二、分指标、分单位完成情况"), level=1))
    for n, ind in enumerate(p.indicators, start=1):
        city = _city_row(data, ind)
        rows = _unit_rows(data, ind)
        blocks.append(pdf.Heading(f"{n}. {ind.name}（{ind.unit}）", level=2))
        blocks.append(pdf.Paragraph(_("全市目标 {t}，完成 {a}，完成率 {c}，{s}。{k}").format(
            t=_fmt(city.target), a=_fmt(city.actual), c=_pct(city.completion_pct), s=status_label(city.status),
            k=_("（县区填报、市局审核）") if not ind.is_computed else _("（平台数据自动计算）"))))
        blocks.append(pdf.Table([str(h) for h in UNIT_HEADER], [
            [r.region.name, _fmt(r.target), _fmt(r.actual), _pct(r.completion_pct),
             _pct(r.elapsed_pct if ind.is_additive else Decimal(100)), status_label(r.status), r.rank or "—"]
            for r in rows], col_widths=[5.4, 1.9, 1.9, 1.9, 1.9, 1.7, 1.2]))
        if any(r.completion_pct is not None for r in rows):
            blocks.append(pdf.Image(bar_chart_png(
                categories=[r.region.name for r in rows],
                series={_("完成率"): [r.completion_pct for r in rows]}, unit="%", height_cm=7), width_cm=15))
    blocks.append(pdf.Heading(_("三、进度滞后的单位"), level=1))
    rows = behind_rows(data)
    if rows:
        blocks.append(pdf.Table([str(h) for h in BEHIND_HEADER], rows, col_widths=[3, 5.5, 2, 2, 2, 2]))
    else:
        blocks.append(pdf.Paragraph(_("本期没有进度滞后的单位。")))
    return pdf.render_pdf(title=data.title, subtitle=data.subtitle, blocks=blocks,
                          footer=_("{c}科学技术局").format(c=data.city.name))


def report_render(data: ReportData, fmt: str) -> bytes:
    if fmt == "xlsx":
        return report_xlsx(data)
    if fmt == "pdf":
        return report_pdf(data)
    from techmarket.core.errors import ApplicationError

    raise ApplicationError(_("格式“{f}”无效，应为 xlsx 或 pdf").format(f=fmt), field="format", code="invalid_format")


def status_counts(data: ReportData) -> dict[str, int]:
    out = {s.value: 0 for s in ProgressStatus}
    for r in data.progress.rows:
        if not r.is_city:
            out[r.status] += 1
    return out
