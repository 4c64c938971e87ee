from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements.records import add_months
from techmarket.core.errors import ApplicationError
from techmarket.demands import selectors, services
from techmarket.demands.choices import DemandStatus
from techmarket.demands.representations import demand_out
from techmarket.disclosure import services as disclosure
from techmarket.disclosure.models import DisclosureAccess

from . import factories as f

START = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def public_ids():
    return set(selectors.demand_list().values_list("pk", flat=True))


class TestDemandCreate:
    def test_budget_in_fen_and_region_defaults_to_owner(self, owner, demand_org):
        d = f.demand(owner=owner, budget_min="1.50", budget_max="2.00")
        assert (d.budget_min_fen, d.budget_max_fen) == (150, 200) and d.region == demand_org.region

    def test_budget_min_above_max_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.demand(owner=owner, budget_min="3.00", budget_max="2.00")
        assert exc.value.errors[0].field == "budget_min"

    def test_past_deadline_is_refused(self, owner):
        with pytest.raises(ApplicationError) as exc:
            f.demand(owner=owner, deadline=timezone.localdate() - datetime.timedelta(days=1))
        assert exc.value.errors[0].field == "deadline"

    def test_only_enterprise_users_post_demands(self, institution):
        with pytest.raises(PermissionDenied):
            f.demand(owner=institution)


class TestDemandFreshness:
    def test_scheduled_then_published_then_expired_then_renewed(self, owner, officer_in):
        with freeze_time(START):
            d = f.demand(owner=owner, publish_at=START + datetime.timedelta(days=1))
            services.demand_submit(demand=d, by=owner)
            d = services.demand_approve(demand=d, by=officer_in)
            assert d.status == DemandStatus.SCHEDULED and d.pk not in public_ids()
        with freeze_time(START + datetime.timedelta(days=1, hours=1)):
            services.demands_publish_due()
            d.refresh_from_db()
            assert d.status == DemandStatus.PUBLISHED and d.pk in public_ids()
        with freeze_time(d.expires_at + datetime.timedelta(seconds=1)):
            assert d.pk not in public_ids()
            assert services.demands_freshness_run()["expired"] == 1
            d = services.demand_renew(demand=d, by=owner)
            assert d.status == DemandStatus.PUBLISHED and d.expires_at == add_months(timezone.now(), 12)


class TestDemandConfidential:
    def test_detail_only_after_disclosure(self, owner, enterprise, bureau, officer_in):
        d = f.demand_in_state("published", owner=owner, reviewer=officer_in)
        assert demand_out(d, enterprise, detail=True)["confidential_detail"] is None
        disclosure.disclosure_terms_publish(title="保密协议", version="v1", body="……", by=bureau)
        request = disclosure.disclosure_request(record=d, by=enterprise)
        disclosure.disclosure_approve(request=request, by=owner)
        disclosure.disclosure_accept_terms(request=request, by=enterprise)
        assert demand_out(d, enterprise, detail=True)["confidential_detail"] == d.confidential_detail
        assert DisclosureAccess.objects.filter(user=enterprise, object_id=str(d.pk)).count() == 1


class TestDemandApi:
    def test_create_list_and_money_strings(self, client, owner, officer_in):
        client.force_login(owner)
        response = client.post("/api/v1/demands", {"title": "污水处理工艺优化", "description": "降低能耗。",
                                                   "tech_field": "10", "budget_min": "1000.5"},
                               content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["budget_min"] == "1000.50" and body["status"] == "draft"
        demand_id = body["id"]
        assert client.post(f"/api/v1/demands/{demand_id}/actions/submit", {}, content_type="application/json").json()[
            "status"] == "submitted"
        client.force_login(officer_in)
        assert client.post(f"/api/v1/demands/{demand_id}/actions/approve", {},
                           content_type="application/json").json()["status"] == "published"
        client.logout()
        listing = client.get("/api/v1/demands", {"budget_min": "500", "region": "410100"}).json()
        assert [i["id"] for i in listing["items"]] == [demand_id]
        assert client.get("/api/v1/demands", {"budget_min": "5000"}).json()["count"] == 0
