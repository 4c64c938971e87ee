from __future__ import annotations

import pytest
from django.test import Client

from techmarket.disclosure.services import disclosure_reject, disclosure_request
from techmarket.feedback.models import ReasonCode

from techmarket.core.tests import factories

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reject(record, *, requester, owner, code):
    disclosure_reject(request=disclosure_request(record=record, by=requester), by=owner, reason_code=code)


class TestReasonCodeList:
    def test_anonymous_lists_codes_of_a_context(self):
        # when
        response = Client().get("/api/v1/reason-codes", {"context": "match_decline"})

        # then
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 8
        assert body["items"][0] == {"context": "match_decline", "context_label": "匹配不适用", "code": "too_early",
                                    "label": "技术成熟度过早",
                                    "description": body["items"][0]["description"], "sort_order": 10}

    def test_inactive_codes_are_not_listed(self):
        # given
        ReasonCode.objects.filter(context_id="bid_lost", code="outbid").update(is_active=False)

        # when
        codes = [i["code"] for i in Client().get("/api/v1/reason-codes", {"context": "bid_lost"}).json()["items"]]

        # then
        assert codes == ["below_reserve", "deposit_unconfirmed", "other"]

    def test_list_is_paginated(self):
        body = Client().get("/api/v1/reason-codes", {"page_size": 5, "page": 2}).json()
        assert body["page"] == 2 and body["page_size"] == 5 and len(body["items"]) == 5
        assert body["count"] == ReasonCode.objects.filter(is_active=True).count()


class TestReasonStatisticsApi:
    URL = "/api/v1/reason-statistics"

    @pytest.fixture
    def reasons(self, org_a, org_b, user_a, user_b):
        reject(org_a, requester=user_b, owner=user_a, code="not_partner")   # counts for org_b
        reject(org_b, requester=user_a, owner=user_b, code="incomplete")    # counts for org_a

    def test_anonymous_gets_401(self):
        assert Client().get(self.URL).status_code == 401

    def test_bureau_admin_sees_all(self, reasons, regions):
        # given
        admin = factories.bureau_admin("bureau-4101", region_obj=regions["city"])

        # when
        body = client_for(admin).get(self.URL, {"context": "disclosure_reject"}).json()

        # then
        assert body["organization"] is None
        assert {(i["code"], i["count"]) for i in body["items"]} == {("not_partner", 1), ("incomplete", 1)}

    def test_staff_filter_by_organization(self, reasons, regions, org_b):
        admin = factories.bureau_admin("bureau-4101", region_obj=regions["city"])
        body = client_for(admin).get(self.URL, {"organization": org_b.pk}).json()
        assert body["organization"] == {"id": org_b.pk, "name": "乙单位"}
        assert [(i["label"], i["count"]) for i in body["items"]] == [("非合作对象", 1)]

    def test_district_officer_cannot_see_an_organization_outside_the_district(self, reasons, regions, org_b):
        officer = factories.district_officer("officer-410105", region_obj=regions["jinshui"])
        assert client_for(officer).get(self.URL, {"organization": org_b.pk}).status_code == 404

    def test_organization_user_sees_own_organization_only(self, reasons, user_b, org_a):
        # when
        own = client_for(user_b).get(self.URL).json()
        other = client_for(user_b).get(self.URL, {"organization": org_a.pk})

        # then
        assert [(i["code"], i["count"]) for i in own["items"]] == [("not_partner", 1)]
        assert other.status_code == 404

    def test_user_without_organization_is_refused(self, reasons):
        loner = factories.user("expert-1")
        assert client_for(loner).get(self.URL).status_code == 403

    def test_since_filter(self, reasons, user_b):
        body = client_for(user_b).get(self.URL, {"since": "2999-01-01"}).json()
        assert body["items"] == [] and body["since"] == "2999-01-01"
