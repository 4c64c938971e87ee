"""The decomposition import (目标任务分解表, T2) and the sum check, on seed 004's 附件 rebuilt as .xlsx."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from techmarket.core.errors import ApplicationError

from ..models import Target
from ..seeds import ZHENGZHOU_2019_TABLE, ZHENGZHOU_TABLE_CODES, ZHENGZHOU_TABLE_COLUMNS
from ..services import decomposition_import, decomposition_workbook, sum_check
from . import factories as f

pytestmark = pytest.mark.django_db


def _messages(exc) -> list[str]:
    return [e.message for e in exc.value.errors]


class TestDecompositionImport:
    def test_seed_004_table_reproduces_all_128_cells(self, zhengzhou_indicators, bureau):
        # given the 附件 as the bureau lays it out
        data = f.table_workbook()
        # when
        result = decomposition_import(city=zhengzhou_indicators, year=2019, source=data, by=bureau,
                                      file_name="附件.xlsx")
        # then every cell of the document is a target of the right unit and indicator
        assert len(result.cells) == 128 and result.created == 128
        assert len(result.units) == 16
        for name, code, cells in ZHENGZHOU_2019_TABLE:
            for indicator_code, value in zip(ZHENGZHOU_TABLE_CODES, cells):
                target = Target.objects.get(indicator__code=indicator_code, indicator__city__code="410100",
                                            region__code=code, year=2019)
                assert target.value == Decimal(value), (name, indicator_code)
        assert Target.objects.filter(year=2019).exclude(region__code="410100").count() == 128

    def test_short_names_match_units(self, zhengzhou_indicators, bureau):
        # 管城区 = 管城回族区, 郑州高新区 = 郑州高新技术产业开发区, 郑东新区 has a local code
        result = decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=bureau)
        codes = {c.region.code for c in result.cells}
        assert {"410104", "410172", "410171", "410173", "410190"} <= codes

    def test_reimport_updates_and_counts_unchanged(self, zhengzhou_indicators, bureau):
        decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=bureau)
        rows = [(n, c, ("9.9",) + cells[1:]) if c == "410172" else (n, c, cells)
                for n, c, cells in ZHENGZHOU_2019_TABLE]
        result = decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(rows),
                                      by=bureau)
        assert (result.created, result.updated, result.unchanged) == (0, 1, 127)

    def test_unknown_unit_refuses_whole_file(self, zhengzhou_indicators, bureau):
        rows = list(ZHENGZHOU_2019_TABLE)
        rows[3] = ("火星新区", "000000", rows[3][2])
        with pytest.raises(ApplicationError) as exc:
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(rows), by=bureau)
        # title row 1, header row 2, the 4th unit is row 6
        assert _messages(exc) == ["第6行 第1列: 未知单位“火星新区”"]
        assert not Target.objects.filter(year=2019).exclude(region__code="410100").exists()

    def test_unknown_indicator_and_non_numeric_cells_are_all_reported(self, zhengzhou_indicators, bureau):
        columns = list(ZHENGZHOU_TABLE_COLUMNS)
        columns[2] = "新增独角兽企业(家)"
        rows = list(ZHENGZHOU_2019_TABLE)
        rows[0] = (rows[0][0], rows[0][1], ("8.7", "很多") + rows[0][2][2:])
        with pytest.raises(ApplicationError) as exc:
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(rows, columns),
                                 by=bureau)
        assert _messages(exc) == ["第2行 第4列: 未知指标“新增独角兽企业(家)”", "第3行 第3列: “很多”不是数字"]
        assert not Target.objects.filter(year=2019).exclude(region__code="410100").exists()

    def test_unit_outside_city_and_duplicate_rows(self, zhengzhou_indicators, bureau):
        rows = list(ZHENGZHOU_2019_TABLE) + [("淇滨区", "410611", ZHENGZHOU_2019_TABLE[0][2]),
                                             ("金水", "410105", ZHENGZHOU_2019_TABLE[0][2])]
        with pytest.raises(ApplicationError) as exc:
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(rows), by=bureau)
        assert _messages(exc) == ["第19行 第1列: “淇滨区”不属于郑州市", "第20行 第1列: 单位“金水”与第7行重复"]

    def test_negative_and_wrong_unit_header(self, zhengzhou_indicators, bureau):
        columns = list(ZHENGZHOU_TABLE_COLUMNS)
        columns[6] = "国家网技术合同成交额(万元)"
        rows = list(ZHENGZHOU_2019_TABLE)
        rows[1] = (rows[1][0], rows[1][1], ("-1",) + rows[1][2][1:])
        with pytest.raises(ApplicationError) as exc:
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(rows, columns),
                                 by=bureau)
        assert _messages(exc) == [
            "第2行 第8列: “国家网技术合同成交额(万元)”的单位“万元”与指标的计量单位“亿元”不一致",
            "第4行 第2列: 数值不能为负数"]

    def test_not_an_xlsx(self, zhengzhou_indicators, bureau):
        with pytest.raises(ApplicationError) as exc:
            decomposition_import(city=zhengzhou_indicators, year=2019, source=b"not a workbook", by=bureau)
        assert exc.value.errors[0].field == "file"

    def test_district_officer_may_not_import(self, zhengzhou_indicators, officer):
        with pytest.raises(PermissionDenied):
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=officer)

    def test_other_city_admin_may_not_import(self, zhengzhou_indicators, other_bureau):
        with pytest.raises(PermissionDenied):
            decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=other_bureau)

    def test_exported_workbook_imports_back(self, zhengzhou_indicators, bureau):
        decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=bureau)
        data = decomposition_workbook(city=zhengzhou_indicators, year=2019)
        result = decomposition_import(city=zhengzhou_indicators, year=2020, source=data, by=bureau)
        # the city row (全市) carries the 12 city targets, plus the 128 unit cells
        assert result.created == 128 + 12


class TestSumCheck:
    def test_warns_with_difference_and_never_blocks(self, zhengzhou_indicators, bureau):
        # when the seed's table is imported (its units over- and under-allocate the city targets)
        result = decomposition_import(city=zhengzhou_indicators, year=2019, source=f.table_workbook(), by=bureau)
        # then the import went through and the check names the differences
        assert result.created == 128
        checks = {c.indicator.code: c for c in result.checks}
        assert checks["hitech_net_new"].units_sum == 700 and checks["hitech_net_new"].difference == 200
        assert checks["contract_amount"].units_sum == Decimal("55.5")
        assert checks["contract_amount"].difference == Decimal("-59.5")
        assert "少分解 59.5亿元" in checks["contract_amount"].message
        assert "rd_gdp_share" not in checks  # a level indicator does not add up
        assert any("新增有效高新技术企业" in w and "多分解 200家" in w for w in result.warnings)

    def test_matching_sum_gives_no_warning(self, zhengzhou_indicators, bureau):
        ind = zhengzhou_indicators.indicators.get(code="top_talent_teams")
        f.target(ind, "410105", 2019, 3)
        f.target(ind, "410102", 2019, 2)
        checks = {c.indicator.code: c for c in sum_check(city=zhengzhou_indicators, year=2019)}
        assert checks["top_talent_teams"].matches and "一致" in checks["top_talent_teams"].message


class TestSeeds:
    def test_the_11_main_values_of_zhengzhou_2019(self, zhengzhou_indicators):
        expected = {"rd_gdp_share": "2", "hitech_value_added_share": "48", "tech_progress_contribution": "64",
                    "hitech_net_new": "500", "tech_enterprise_new": "800", "contract_amount": "115",
                    "invention_patents_per_10k": "16", "provincial_platforms_new": "200",
                    "talents_introduced": "200", "top_talent_teams": "5", "rd_institutions_new": "10"}
        rows = Target.objects.filter(region__code="410100", year=2019, citation__contains="二、主要目标")
        assert {t.indicator.code: t.value for t in rows} == {k: Decimal(v) for k, v in expected.items()}
        assert rows.get(indicator__code="contract_amount").indicator.unit == "亿元"

    def test_all_five_cities_load_with_citations(self, db):
        from ..seeds import seed_configurations_load

        total = seed_configurations_load()
        again = seed_configurations_load()  # idempotent
        assert total == again and Target.objects.count() == total
        assert not Target.objects.filter(citation="").exists()
        assert Target.objects.get(indicator__city__code="410600", indicator__code="hitech_total", year=2020,
                                  region__code="410600").value == 80
        assert Target.objects.get(indicator__city__code="410600", indicator__code="contract_amount",
                                  year=2020).value == 4000  # 万元 = 40,000,000 yuan
        assert Target.objects.get(indicator__city__code="511900", indicator__code="contract_amount").value == 3
        assert Target.objects.get(indicator__city__code="411600", indicator__code="contract_amount",
                                  year=2025).value == 20
        sjz = Target.objects.filter(indicator__city__code="130100", year=2020)
        assert sjz.get(indicator__code="hitech_total").value == 1400
        assert sjz.get(indicator__code="contract_amount").value == 100
        assert Target.objects.filter(indicator__city__code="410100", year=2019).count() == 12 + 128


def test_workbook_with_blank_cells_sets_no_target(zhengzhou_indicators, bureau):
    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "新增有效高新技术企业(家)", "技术合同成交额"])
    ws.append(["金水区", 99, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = decomposition_import(city=zhengzhou_indicators, year=2019, source=buffer.getvalue(), by=bureau)
    assert result.created == 1
