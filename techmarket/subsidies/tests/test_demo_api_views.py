"""Demo load, API shapes, pages and the .xlsx export."""
from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories as core
from techmarket.subsidies import services
from techmarket.subsidies.demo import subsidies_demo_load
from techmarket.subsidies.models import SubsidyRound

from . import factories as f

D = datetime.date


class StubLoader:
    def user(self, username, *, name, roles, organization, region, **kw):
        from techmarket.accounts.models import User

        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        return core.user(username, organization_obj=organization, roles=roles, region_obj=region, name=name)


@pytest.fixture
def hebi_round(bureau_hebi, hebi_policies):
    policy = hebi_policies["hb-ent-buy-outside-province"]
    ent = f.org("鹤壁导出企业", "410611")
    c = f.contract(seller_region="110108", buyer=ent, total=20_000_000)
    f.payment(c, D(2025, 5, 5), 12_345_600)
    f.payment(c, D(2025, 6, 5), 1_000_000, evidence=("voucher",))
    round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                    declarations=[{"org": ent, "policy": policy}])
    f.compute(round_, bureau_hebi)
    return round_


@pytest.mark.django_db
def test_demo_builds_both_rounds(bureau_hebi, bureau_zhoukou):
    ent_org = f.org("鹤壁演示企业", "410611")
    core.user("ent-4106-1", organization_obj=ent_org, roles=[Role.ENTERPRISE])
    c = f.contract(seller_region="110108", buyer=ent_org, total=100_000_000)
    f.payment(c, D(2025, 5, 5), 50_000_000)
    summary = subsidies_demo_load(StubLoader())
    hebi = SubsidyRound.objects.get(city__code="410600")
    assert hebi.status == "approved" and hebi.approved_by.username == "bureau-4106-2"
    assert hebi.current_computation.lines.get().amount_fen == 5_000_000
    assert SubsidyRound.objects.get(city__code="411600").status == "notice"
    assert "鹤壁" in summary and "已批准" in summary
    assert subsidies_demo_load(StubLoader()).count("已存在") == 2  # idempotent


@pytest.mark.django_db
class TestApi:
    def test_policy_list_is_public_with_money_strings(self, hebi_policies):
        body = Client().get("/api/v1/subsidy-policies?city=4106").json()
        assert body["count"] == 6 and set(body) == {"count", "page", "page_size", "items"}
        item = next(i for i in body["items"] if i["code"] == "hb-ent-buy-outside-province")
        assert item["cap_per_unit_year"] == "1000000.00" and item["rate_percent"] == "10.000"

    def test_district_officer_cannot_edit_a_policy(self, hebi_policies, officer_qibin):
        client = Client()
        client.force_login(officer_qibin)
        policy = hebi_policies["hb-agency-band"]
        response = client.patch(f"/api/v1/subsidy-policies/{policy.pk}", data={"name": "改"},
                                content_type="application/json")
        assert response.status_code == 404

    def test_round_lines_and_actions(self, hebi_round, bureau_hebi, bureau_hebi_2):
        client = Client()
        client.force_login(bureau_hebi)
        lines = client.get(f"/api/v1/subsidy-rounds/{hebi_round.pk}/lines").json()
        assert lines["items"][0]["amount"] == "12345.60"
        assert lines["items"][0]["explanation"]["steps"][0].startswith("基数 123456.00 元 × 10.000%")
        excl = client.get(f"/api/v1/subsidy-rounds/{hebi_round.pk}/exclusions").json()
        assert excl["items"][0]["code"] == "payment_not_evidenced"
        r = client.post(f"/api/v1/subsidy-rounds/{hebi_round.pk}/actions/publish_notice", data={"comment": ""},
                        content_type="application/json")
        assert r.status_code == 200 and r.json()["status"] == "notice"
        r = client.post(f"/api/v1/subsidy-rounds/{hebi_round.pk}/actions/approve", data={"comment": ""},
                        content_type="application/json")
        assert r.status_code == 403
        assert "测算人不能批准" in r.json()["errors"][0]["message"]
        public = Client().get(f"/api/v1/subsidy-rounds/{hebi_round.pk}/lines").json()
        assert set(public["items"][0]) == {"id", "organization", "policy", "amount"}

    def test_precheck_uses_the_same_engine(self, hebi_round):
        declaration = hebi_round.declarations.get()
        user = core.user("ent-precheck", organization_obj=declaration.organization, roles=[Role.ENTERPRISE])
        client = Client()
        client.force_login(user)
        body = client.get("/api/v1/subsidy-precheck?year=2026").json()
        row = next(p for p in body["policies"] if p["policy"]["code"] == "hb-ent-buy-outside-province")
        # the round already granted 12,345.60 of the 1,000,000 cap this year: the same numbers, same engine
        assert row["qualifies"] and row["estimated_amount"] == "12345.60"
        assert row["received_before"] == "12345.60"
        assert "1 笔付款缺少发票" in row["missing"]


@pytest.mark.django_db
class TestPages:
    def test_round_page_export_and_notice(self, hebi_round, bureau_hebi, officer_qixian):
        client = Client()
        client.force_login(bureau_hebi)
        page = client.get(f"/manage/subsidies/rounds/{hebi_round.pk}/")
        assert page.status_code == 200 and "排除明细" in page.content.decode()
        export = client.get(f"/manage/subsidies/rounds/{hebi_round.pk}/export.xlsx")
        wb = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
        rows = list(wb["补助明细"].iter_rows(values_only=True))
        assert rows[1][1] == "鹤壁导出企业" and rows[1][11] == 12345.6
        assert list(wb["排除明细"].iter_rows(values_only=True))[1][4] == "payment_not_evidenced"
        assert Client().get(f"/subsidies/rounds/{hebi_round.pk}/notice/").status_code == 404
        services.round_act(round_=hebi_round, action="publish_notice", by=bureau_hebi)
        assert "鹤壁导出企业" in Client().get(f"/subsidies/rounds/{hebi_round.pk}/notice/").content.decode()

    def test_district_officer_cannot_edit_policies_or_approve(self, hebi_round, hebi_policies, officer_qibin):
        client = Client()
        client.force_login(officer_qibin)
        policy = hebi_policies["hb-agency-band"]
        assert client.get(f"/manage/subsidies/policies/{policy.pk}/edit/").status_code == 404
        assert client.get(f"/manage/subsidies/rounds/{hebi_round.pk}/").status_code == 200
        response = client.post(f"/manage/subsidies/rounds/{hebi_round.pk}/actions/compute/", {"compute-comment": ""})
        assert response.status_code == 403
