"""Pages of the 需求库: the same pages as the 成果库 (achievements.pages), with the demands' fields."""
from __future__ import annotations

import datetime

from django.utils import timezone

from techmarket.demands.models import Demand
from techmarket.disclosure.models import DisclosureAccess

from . import factories as f


def login(client, user):
    client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    data = {"title": "高效低成本锂电池正极材料回收工艺", "description": "寻求湿法回收工艺，锂回收率 90% 以上。",
            "keywords": "电池回收，正极材料", "tech_field": "10", "budget_min": "80", "budget_max": "300",
            "deadline": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(), "region": "",
            "contact": "", "confidential_detail": "现有工艺流程图。", "publish_at": ""}
    data.update(overrides)
    return data


class TestDemandPublicPages:
    def test_list_shows_published_demands_only(self, client, owner, bureau):
        shown = f.demand_in_state("published", owner=owner, reviewer=bureau, title="已发布需求")
        f.demand_in_state("draft", owner=owner, reviewer=bureau, title="草稿需求")
        f.demand_in_state("returned", owner=owner, reviewer=bureau, title="退回需求")
        text = client.get("/demands/").content.decode()
        assert shown.title in text and "20.00–50.00 万元" in text
        assert "草稿需求" not in text and "退回需求" not in text

    def test_budget_filter_in_wan_yuan(self, client, owner, bureau):
        f.demand_in_state("published", owner=owner, reviewer=bureau, title="小预算需求", budget_min="10000.00",
                          budget_max="50000.00")
        f.demand_in_state("published", owner=owner, reviewer=bureau, title="大预算需求")
        text = client.get("/demands/", {"budget_min": "10"}).content.decode()
        assert "大预算需求" in text and "小预算需求" not in text

    def test_stranger_sees_the_request_button_not_the_detail(self, client, owner, bureau, enterprise):
        record = f.demand_in_state("published", owner=owner, reviewer=bureau)
        text = login(client, enterprise).get(f"/demands/{record.pk}/").content.decode()
        assert record.description in text and record.confidential_detail not in text
        assert 'name="record_type" value="demands.demand"' in text and "申请查看保密信息" in text
        assert not DisclosureAccess.objects.exists()


class TestDemandOwnerAndReviewerPages:
    def test_owner_creates_submits_and_the_in_scope_officer_approves(self, client, owner, officer_in):
        # when the enterprise saves and submits
        response = login(client, owner).post("/manage/demands/new/", form_data())
        demand = Demand.objects.get()
        assert response.status_code == 302
        assert demand.budget_min_fen == 80_000_000 and demand.budget_max_fen == 300_000_000
        client.post(f"/manage/demands/{demand.pk}/actions/submit/", {})
        # and the district officer approves from the inbox
        login(client, officer_in)
        assert demand.title in client.get("/manage/demands/review/").content.decode()
        response = client.post(f"/manage/demands/{demand.pk}/actions/approve/", {})
        # then
        demand.refresh_from_db()
        assert response.status_code == 302 and demand.status == "published"
        client.logout()
        assert demand.title in client.get("/demands/").content.decode()

    def test_a_past_deadline_is_refused_on_its_field(self, client, owner):
        past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        response = login(client, owner).post("/manage/demands/new/", form_data(deadline=past))
        assert response.context["form"].errors["deadline"] == ["截止日期不能早于今天"]

    def test_institutions_cannot_open_the_create_page(self, client, institution):
        assert login(client, institution).get("/manage/demands/new/").status_code == 404

    def test_out_of_scope_officer_gets_404(self, client, owner, officer_out):
        demand = f.demand_in_state("submitted", owner=owner, reviewer=officer_out)
        login(client, officer_out)
        assert client.get(f"/manage/demands/{demand.pk}/").status_code == 404
        assert client.post(f"/manage/demands/{demand.pk}/actions/approve/", {}).status_code == 404

    def test_return_without_a_reason_shows_the_chinese_error(self, client, owner, officer_in):
        demand = f.demand_in_state("submitted", owner=owner, reviewer=officer_in)
        response = login(client, officer_in).post(f"/manage/demands/{demand.pk}/actions/return/", {})
        form = next(a["form"] for a in response.context["actions"] if a["name"] == "return")
        assert response.status_code == 200 and form.errors["reason_code"] == ["请选择原因"]
