"""The progress API and the dashboard: live figures, scope (404 outside it), reported values' review."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ..models import ReportedValue
from ..seeds import ZHENGZHOU, city_config_load, zhengzhou_table_targets
from . import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/targets/progress"


@pytest.fixture
def configured(city):
    """郑州's seed set and 附件 decomposition, copied to the current year so contracts registered today count."""
    from ..seeds import zhengzhou_demo_year_load

    city_config_load(ZHENGZHOU, extra_targets=zhengzhou_table_targets())
    zhengzhou_demo_year_load(timezone.localdate().year)
    return city


def _items(client, **params):
    response = client.get(URL, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return response.json()


class TestProgressApi:
    def test_registration_moves_contract_progress_at_once(self, client, configured, bureau):
        # given
        client.force_login(bureau)
        year = timezone.localdate().year
        before = _items(client, region="4101", year=year, indicator="contract_amount")
        assert before["count"] == 17
        gaoxin = next(i for i in before["items"] if i["region"] == "410172")
        assert (gaoxin["target"], gaoxin["actual"], gaoxin["region_name"]) == ("7.5", "0", "郑州高新技术产业开发区")
        # when a contract whose seller is in 郑州高新区 is registered today
        f.contract(seller="410172", amount_yuan=150_000_000, registered_on=timezone.localdate())
        # then the next call shows it, with no refresh step in between
        after = _items(client, region="4101", year=year, indicator="contract_amount")
        gaoxin = next(i for i in after["items"] if i["region"] == "410172")
        assert gaoxin["actual"] == "1.5" and gaoxin["completion_pct"] == 20.0 and gaoxin["rank"] == 1
        city_item = next(i for i in after["items"] if i["region"] == "410100")
        assert city_item["actual"] == "1.5" and city_item["target"] == "115"
        assert set(gaoxin) == {"indicator", "indicator_name", "unit", "region", "region_name", "target", "actual",
                               "completion_pct", "elapsed_pct", "status", "rank"}

    def test_list_envelope_and_pagination(self, client, configured, bureau):
        client.force_login(bureau)
        body = client.get(URL, {"region": "410100", "year": 2019, "page_size": 5, "page": 2}).json()
        assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (12 * 17, 2, 5, 5)
        statuses = {i["status"] for i in _items(client, region="4101", year=2019)["items"]}
        assert statuses <= {"ahead", "on_track", "behind", "no_data"}

    def test_officer_sees_only_own_unit(self, client, configured, officer):
        client.force_login(officer)
        body = _items(client, region="4101", year=2019)
        assert body["count"] == 12 and {i["region"] for i in body["items"]} == {"410105"}
        assert client.get(URL, {"region": "410102", "year": 2019}).status_code == 404

    def test_anonymous_401_outsiders_404(self, client, configured, other_bureau, enterprise_user):
        assert client.get(URL, {"region": "4101"}).status_code == 401
        client.force_login(other_bureau)
        assert client.get(URL, {"region": "4101"}).status_code == 404
        client.force_login(enterprise_user)
        assert client.get(URL, {"region": "4101"}).status_code == 404

    def test_decomposition_upload_reports_cells_and_warnings(self, client, configured, bureau, officer):
        client.force_login(officer)
        upload = SimpleUploadedFile("附件.xlsx", f.table_workbook())
        assert client.post("/api/v1/targets/decompositions", {"city": "4101", "year": 2030,
                                                              "file": upload}).status_code == 403
        client.force_login(bureau)
        upload = SimpleUploadedFile("附件.xlsx", f.table_workbook())
        body = client.post("/api/v1/targets/decompositions", {"city": "4101", "year": 2030, "file": upload}).json()
        assert body["cells"] == 128 and body["units"] == 16 and body["created"] == 128
        bad = SimpleUploadedFile("附件.xlsx", f.table_workbook(rows=[("火星区", "", ("1",) * 8)]))
        response = client.post("/api/v1/targets/decompositions", {"city": "4101", "year": 2030, "file": bad})
        assert response.status_code == 422
        assert response.json()["errors"][0]["message"] == "第3行 第1列: 未知单位“火星区”"


class TestReportedValues:
    def test_officer_reports_city_reviews_then_it_counts(self, client, configured, officer, bureau, other_officer):
        year = timezone.localdate().year
        as_of = timezone.localdate().isoformat()
        client.force_login(officer)
        # an officer may not report for another unit, nor a computed indicator
        refused = client.post("/api/v1/targets/reported-values", {"indicator": "rd_gdp_share", "region": "410102",
                                                                  "year": year, "as_of": as_of, "value": "2.1"},
                              content_type="application/json")
        assert refused.status_code == 404
        computed = client.post("/api/v1/targets/reported-values", {
            "indicator": "contract_amount", "region": "410105", "year": year, "as_of": as_of, "value": "1"},
            content_type="application/json")
        assert computed.status_code == 422 and computed.json()["errors"][0]["field"] == "indicator"
        created = client.post("/api/v1/targets/reported-values", {
            "indicator": "rd_gdp_share", "region": "410105", "year": year, "as_of": as_of, "value": "2.1",
            "submit": True}, content_type="application/json")
        assert created.status_code == 201, created.content
        value_id = created.json()["id"]
        assert created.json()["status"] == "submitted" and created.json()["available_actions"] == []
        # the officer cannot approve
        assert client.post(f"/api/v1/targets/reported-values/{value_id}/actions/approve", {"comment": ""},
                           content_type="application/json").status_code == 403
        item = next(i for i in _items(client, region="410105", year=year, indicator="rd_gdp_share")["items"])
        assert item["status"] == "no_data"
        # another unit's officer does not see it
        client.force_login(other_officer)
        assert client.get(f"/api/v1/targets/reported-values/{value_id}").status_code == 404
        # the bureau approves: it counts (2.1 vs 2.0: 105 %, a level indicator → on track)
        client.force_login(bureau)
        approved = client.post(f"/api/v1/targets/reported-values/{value_id}/actions/approve", {"comment": "核实"},
                               content_type="application/json")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        item = next(i for i in _items(client, region="410105", year=year, indicator="rd_gdp_share")["items"])
        assert (item["actual"], item["completion_pct"], item["status"]) == ("2.1", 105.0, "on_track")

    def test_return_needs_a_comment(self, configured, officer, bureau):
        from techmarket.core.errors import ApplicationError

        from ..services import reported_value_act, reported_value_create

        ind = configured.indicators.get(code="talents_introduced")
        obj = reported_value_create(indicator=ind, region=f.region("410105"), year=timezone.localdate().year,
                                    as_of=timezone.localdate(), value="3", by=officer, submit=True)
        with pytest.raises(ApplicationError):
            reported_value_act(value=obj, action="return", by=bureau, comment="")
        obj = reported_value_act(value=obj, action="return", by=bureau, comment="请附统计报表")
        assert obj.status == "returned"


class TestPages:
    def test_dashboard_polls_a_live_fragment(self, client, configured, bureau):
        client.force_login(bureau)
        year = timezone.localdate().year
        page = client.get("/manage/targets/", {"region": "4101", "year": year})
        html = page.content.decode()
        assert page.status_code == 200
        assert 'hx-trigger="every 30s"' in html and "/manage/targets/live/?region=410100" in html
        assert "vendor/echarts/echarts.min.js" in html and "郑州高新技术产业开发区" in html
        assert "cdn" not in html.lower()
        fragment = client.get("/manage/targets/live/", {"region": "410100", "year": year,
                                                        "indicator": "contract_amount"})
        assert fragment.status_code == 200 and 'id="targets-live"' in fragment.content.decode()
        f.contract(seller="410105", amount_yuan=45_000_000, registered_on=timezone.localdate())
        fragment = client.get("/manage/targets/live/", {"region": "410100", "year": year,
                                                        "indicator": "contract_amount"})
        assert "0.45 / 4.5" in fragment.content.decode()

    def test_drill_down_lists_the_contracts_behind_the_figure(self, client, configured, bureau):
        client.force_login(bureau)
        f.contract(seller="410105", amount_yuan=45_000_000, registered_on=timezone.localdate())
        year = timezone.localdate().year
        city = client.get("/manage/targets/drill/", {"region": "410100", "year": year, "indicator": "contract_amount"})
        assert city.status_code == 200 and "金水区" in city.content.decode()
        unit = client.get("/manage/targets/drill/", {"region": "410105", "year": year, "indicator": "contract_amount"})
        assert "卖方单位" in unit.content.decode() and "4,500.00 万元" in unit.content.decode()

    def test_scope_on_pages(self, client, configured, officer, other_bureau, enterprise_user):
        client.force_login(officer)
        assert client.get("/manage/targets/").status_code == 200
        assert client.get("/manage/targets/", {"region": "410102"}).status_code == 404
        assert client.get("/manage/targets/config/", {"city": "4101"}).status_code == 404
        assert client.get("/manage/targets/report/", {"city": "4101", "period": "2019",
                                                      "format": "xlsx"}).status_code == 404
        client.force_login(other_bureau)
        assert client.get("/manage/targets/", {"region": "4101"}).status_code == 404
        client.force_login(enterprise_user)
        assert client.get("/manage/targets/").status_code == 404

    def test_config_page_shows_sum_check_and_imports(self, client, configured, bureau):
        client.force_login(bureau)
        page = client.get("/manage/targets/config/", {"city": "4101", "year": 2019}).content.decode()
        assert "少分解 59.5亿元" in page and "多分解 200家" in page
        bad = SimpleUploadedFile("附件.xlsx", f.table_workbook(rows=[("金水区", "", ("x",) + ("1",) * 7)]))
        response = client.post("/manage/targets/import/?city=4101", {"year": 2031, "file": bad})
        assert response.status_code == 422 and "第3行 第2列: “x”不是数字" in response.content.decode()
        good = SimpleUploadedFile("附件.xlsx", f.table_workbook())
        response = client.post("/manage/targets/import/?city=4101", {"year": 2031, "file": good}, follow=True)
        assert "已导入2031年目标 128 项" in response.content.decode()

    def test_officer_reports_with_evidence_on_the_page(self, client, configured, officer):
        client.force_login(officer)
        ind = configured.indicators.get(code="rd_gdp_share")
        pdf = SimpleUploadedFile("统计快报.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        response = client.post("/manage/targets/reported/", {
            "indicator": ind.pk, "region": f.region("410105").pk, "as_of": timezone.localdate().isoformat(),
            "value": "2.2", "evidence": pdf, "submit_now": "on"})
        assert response.status_code == 302
        obj = ReportedValue.objects.get()
        assert obj.status == "submitted" and obj.evidence_name == "统计快报.pdf" and obj.value == Decimal("2.2")
        assert client.get(f"/manage/targets/reported/{obj.pk}/evidence/").status_code == 200
        assert client.get(f"/manage/targets/reported/{obj.pk}/").status_code == 200
