"""Round exports (.xlsx): lines with their explanation and the exclusions; the recommendation list of
the lines paid by the province (省财政 — the city recommends)."""
from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _

from techmarket.core.money import fen_to_yuan
from techmarket.core.xlsx import XLSX_CONTENT_TYPE

LINE_HEADERS = ["序号", "单位", "所在地区", "政策", "政策版本", "资金来源", "基数（元）", "按比例/档次（元）", "年度上限（元）",
                "本年度已获（元）", "封顶后（元）", "补助金额（元）", "计算说明", "依据明细", "拨付日期", "拨付凭证号"]
EXCLUSION_HEADERS = ["序号", "单位", "对象", "对象名称", "原因代码", "原因"]


def _money(fen):
    return None if fen is None else float(fen_to_yuan(fen))


def _workbook(sheets):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
    handle = tempfile.TemporaryFile()
    wb.save(handle)
    handle.seek(0)
    return handle


def _line_rows(lines):
    for n, line in enumerate(lines, 1):
        items = "；".join(f"{i.get('contract') or i.get('kind')} {i.get('date') or ''} {fen_to_yuan(i['amount_fen'])}"
                         for i in line.explanation.get("items", []))
        yield [n, line.organization.name, line.organization.region.full_name, line.policy.name,
               line.policy.version, line.policy.get_payer_display(), _money(line.base_fen), _money(line.raw_fen),
               _money(line.cap_fen), _money(line.received_before_fen), _money(line.capped_fen),
               _money(line.amount_fen), "；".join(line.explanation.get("steps", [])), items,
               line.paid_on, line.payment_reference]


def round_workbook(computation):
    lines = computation.lines.select_related("organization__region", "policy").order_by("policy__code", "pk")
    exclusions = computation.exclusions.select_related("organization")
    summary = [["批次", computation.round.name], ["测算版本", computation.version],
               ["基数年度", computation.round.base_year], ["测算人", computation.computed_by.username],
               ["测算时间", computation.computed_at.strftime("%Y-%m-%d %H:%M")],
               ["预算（元）", _money(computation.budget_fen)], ["缩放前合计（元）", _money(computation.capped_total_fen)],
               ["补助合计（元）", _money(computation.total_fen)], ["预算余额（元）", _money(computation.remainder_fen)],
               ["预算缩放", computation.scaling]]
    return _workbook([
        ("补助明细", LINE_HEADERS, _line_rows(lines)),
        ("排除明细", EXCLUSION_HEADERS, ([n, e.organization.name, e.get_subject_display(), e.subject_label, e.code,
                                         e.message] for n, e in enumerate(exclusions, 1))),
        ("测算汇总", ["项目", "内容"], summary),
    ])


def round_xlsx_response(computation) -> FileResponse:
    filename = _("补助批次-{id}-第{v}版.xlsx").format(id=computation.round_id, v=computation.version)
    return FileResponse(round_workbook(computation), as_attachment=True, filename=filename,
                        content_type=XLSX_CONTENT_TYPE)


def recommendation_xlsx_response(computation) -> FileResponse:
    """推荐名单：lines paid by the province, for the city to send up."""
    lines = computation.lines.select_related("organization__region", "policy").filter(policy__payer="province")
    headers = ["序号", "单位名称", "统一社会信用代码", "所在地区", "支持政策", "政策依据", "基数（元）", "推荐金额（元）", "计算说明"]
    rows = ([n, l.organization.name, l.organization.credit_code, l.organization.region.full_name, l.policy.name,
             l.policy.citation, _money(l.base_fen), _money(l.amount_fen), "；".join(l.explanation.get("steps", []))]
            for n, l in enumerate(lines, 1))
    filename = _("省级补助推荐名单-{id}.xlsx").format(id=computation.round_id)
    return FileResponse(_workbook([("推荐名单", headers, rows)]), as_attachment=True, filename=filename,
                        content_type=XLSX_CONTENT_TYPE)
