"""The dashboard page and its .xlsx export."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

URL = "/manage/contract-stats/"
EXPORT = "/manage/contract-stats/export.xlsx"


@pytest.mark.django_db
class TestDashboard:
    def test_renders_for_the_city_bureau(self, client, case, users):
        client.force_login(users["bureau"])
        response = client.get(URL, {"year": 2025})
        assert response.status_code == 200
        html = response.content.decode()
        assert "技术合同统计" in html and "vendor/echarts/echarts.min.js" in html
        assert "100,000.00" in html  # 技术开发 in 2025
        assert 'id="table-plan_category"' in html
        assert "cdn" not in html.lower()

    def test_htmx_filter_change_returns_the_body_only(self, client, case, users):
        client.force_login(users["bureau"])
        response = client.get(URL, {"year": 2025, "side": "absorbed"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html and "300,000.00" in html

    def test_bad_filter_shows_the_reason_and_falls_back(self, client, case, users):
        client.force_login(users["bureau"])
        response = client.get(URL, {"year": "abc"})
        assert response.status_code == 200 and "年度应为" in response.content.decode()

    def test_region_outside_scope_is_404(self, client, case, users):
        client.force_login(users["officer"])
        assert client.get(URL, {"region": "410102"}).status_code == 404
        assert client.get(EXPORT, {"region": "410102"}).status_code == 404

    def test_other_users_get_403(self, client, case, users):
        client.force_login(users["enterprise"])
        assert client.get(URL).status_code == 403
        assert client.get(EXPORT).status_code == 403

    def test_anonymous_is_sent_to_login(self, client, case):
        assert client.get(URL).status_code == 302


@pytest.mark.django_db
class TestExport:
    def test_workbook_has_one_sheet_per_table_with_numbers(self, client, case, users):
        client.force_login(users["bureau"])
        response = client.get(EXPORT, {"year": 2025, "side": "output"})
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert wb.sheetnames == ["按月份", "按地区", "按合同类别", "按技术领域", "按卖方性质", "按买方性质",
                                 "按知识产权类型", "按计划类别"]
        ws = wb["按合同类别"]
        assert ws["A1"].value == "河南省郑州市2025年技术合同输出统计（按合同类别）"
        assert ws["B2"].value == "名称" and ws["D2"].value == "合同成交额（元）"
        assert [c.value for c in ws[3]] == ["1", "技术开发", 1, 100000.0, 80000.0, 1, 80000.0, 25.0]
        assert ws["D3"].number_format == "#,##0.00"
        months = wb["按月份"]
        assert months["A5"].value == "2025-03" and months["D5"].value == 150000.0
