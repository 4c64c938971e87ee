"""The dashboard's .xlsx export: one workbook, one sheet per table (title row, header row, then the rows;
money in yuan as numbers with two decimals)."""
from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _

from techmarket.core.xlsx import XLSX_CONTENT_TYPE

from .selectors import GROUP_BY_LABELS

HEADERS = ("分组代码", "名称", "合同数（项）", "合同成交额（元）", "技术交易额（元）", "上年同期合同数（项）",
           "上年同期合同成交额（元）", "合同成交额同比增长（%）")
MONEY_FORMAT = "#,##0.00"


def stats_workbook(handle, *, title: str, tables: dict[str, list[dict]]) -> None:
    """Write ``tables`` (group_by → rows of ``selectors.contract_stats``) into ``handle``."""
    from decimal import Decimal

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for group_by, rows in tables.items():
        ws = wb.create_sheet(GROUP_BY_LABELS[group_by])
        ws.append([f"{title}（{GROUP_BY_LABELS[group_by]}）"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(list(HEADERS))
        for cell in ws[2]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            ws.append([row["key"], row["label"], row["count"], row["contract_amount"], row["tech_amount"],
                       row["previous_count"], Decimal(row["previous_contract_amount_fen"]) / 100,
                       float(row["yoy_pct"]) if row["yoy_pct"] is not None else None])
            for col in (4, 5, 7):
                cell = ws.cell(row=ws.max_row, column=col)
                cell.value = float(cell.value)  # a number in Excel; fen / 100 is exact to two decimals
                cell.number_format = MONEY_FORMAT
            ws.cell(row=ws.max_row, column=8).number_format = "0.0"
        for i, width in enumerate((12, 28, 12, 18, 18, 16, 20, 18), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A3"
    if not wb.sheetnames:
        wb.create_sheet(_("统计"))
    wb.save(handle)


def stats_xlsx_response(*, filename: str, title: str, tables: dict[str, list[dict]]) -> FileResponse:
    handle = tempfile.TemporaryFile()
    stats_workbook(handle, title=title, tables=tables)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
