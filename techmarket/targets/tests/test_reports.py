"""The periodic report: the .xlsx opens with openpyxl and holds the expected cells and native charts; the PDF's
text layer holds the Chinese unit names; the command prints the path on its last line."""
from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ..progress import period_parse
from ..reports import report_build, report_pdf, report_xlsx
from ..seeds import ZHENGZHOU, ZHENGZHOU_2019_TABLE, city_config_load, zhengzhou_table_targets
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def zz2019(city):
    city_config_load(ZHENGZHOU, extra_targets=zhengzhou_table_targets())
    f.contract(seller="410172", amount_yuan=300_000_000, registered_on=datetime.date(2019, 8, 15))
    f.contract(seller="410105", amount_yuan=10_000_000, registered_on=datetime.date(2019, 10, 15))
    return city


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


class TestReport:
    def test_xlsx_holds_headline_tables_ranks_and_native_charts(self, zz2019):
        data = report_build(city=zz2019, period=period_parse("2019-09"))
        wb = load_workbook(io.BytesIO(report_xlsx(data)))
        overview = wb["概况"]
        assert overview["A1"].value == "郑州市科技创新目标任务完成情况通报"
        assert "2019年9月" in overview["A2"].value and "截至2019年09月30日" in overview["A2"].value
        headline = {overview.cell(row=r, column=1).value: [overview.cell(row=r, column=c).value for c in range(2, 7)]
                    for r in range(6, 6 + 12)}
        # only the August contract counts by 30 September: 3 亿元 of 115
        assert headline["技术合同成交额"] == ["亿元", 115, 3, 2.6, "滞后"]
        sheet = next(ws for ws in wb.worksheets if ws.title.endswith("技术合同成交额"))
        units = [sheet.cell(row=r, column=1).value for r in range(5, 21)]
        assert sorted(units) == sorted(f.region(code).name for _n, code, _c in ZHENGZHOU_2019_TABLE)
        gaoxin = next(r for r in range(5, 21) if sheet.cell(row=r, column=1).value == "郑州高新技术产业开发区")
        assert [sheet.cell(row=gaoxin, column=c).value for c in range(2, 8)] == [7.5, 3, 40, 74.8, "滞后", 1]
        assert len(sheet._charts) == 2
        behind = wb["滞后单位"]
        assert any(behind.cell(row=r, column=1).value == "金水区" for r in range(3, 200))
        assert len(wb.worksheets) == 2 + 12

    def test_pdf_text_layer_holds_chinese_unit_names(self, zz2019):
        text = _pdf_text(report_pdf(report_build(city=zz2019, period=period_parse("2019-Q3"))))
        for name in ["郑州市科技创新目标任务完成情况通报", "金水区", "郑州高新技术产业开发区", "郑东新区", "巩义市",
                     "技术合同成交额", "进度滞后的单位"]:
            assert name in text, name

    def test_command_writes_the_file_and_prints_its_path_last(self, zz2019, tmp_path, capsys):
        out = tmp_path / "r.xlsx"
        call_command("report", "--city", "4101", "--period", "2019", "--format", "xlsx", "--out", str(out))
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[-1] == str(out.resolve()) and out.exists()
        load_workbook(out)

    def test_command_default_path(self, zz2019, settings, tmp_path, capsys):
        settings.VAR_DIR = tmp_path
        call_command("report", "--city", "4101", "--period", "2019-Q3", "--format", "pdf")
        path = capsys.readouterr().out.strip().splitlines()[-1]
        assert path == str((tmp_path / "reports" / "4101-2019-Q3.pdf").resolve())
        assert open(path, "rb").read(5) == b"%PDF-"

    def test_command_refuses_bad_period(self, zz2019):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="期间"):
            call_command("report", "--city", "4101", "--period", "2019-13", "--format", "pdf")


class TestMonthlyMail:
    def test_sent_once_to_opted_in_bureau_admins_with_both_files(self, zz2019, bureau, officer, mailoutbox):
        from techmarket.core.tests import factories as core_factories
        from techmarket.notifications.services import subscription_set

        from ..mailing import monthly_reports_send

        bureau.email = "bureau@example.org"
        bureau.save()
        silent = core_factories.bureau_admin("bureau-4101-b", region_obj=zz2019)
        silent.email = "quiet@example.org"
        silent.save()
        officer.email = "officer@example.org"
        officer.save()
        subscription_set(user=bureau, topic="targets_report", in_app=True, email=True)
        subscription_set(user=officer, topic="targets_report", in_app=True, email=True)  # not a bureau admin
        sent = monthly_reports_send(day=datetime.date(2019, 10, 1))
        assert [d.period for d in sent] == ["2019-09"]
        assert len(mailoutbox) == 1 and mailoutbox[0].to == ["bureau@example.org"]
        names = sorted(a[0] for a in mailoutbox[0].attachments)
        assert names == ["4101-2019-09.pdf", "4101-2019-09.xlsx"]
        assert "2019年9月" in mailoutbox[0].subject
        assert monthly_reports_send(day=datetime.date(2019, 10, 1)) == [] and len(mailoutbox) == 1
