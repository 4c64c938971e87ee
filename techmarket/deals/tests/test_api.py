"""/api/v1/deals and /api/v1/deal-notices: SPEC §3 shapes and status codes (401/403/404/422)."""
from __future__ import annotations

from techmarket.deals import services
from techmarket.listings.tests.factories import api_error, as_user

from . import factories as f

DEALS = "/api/v1/deals"
NOTICES = "/api/v1/deal-notices"


class TestDealApi:
    def test_propose_sign_and_notice(self, client, owner, bureau, buyer, buyer_org):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        # the seller proposes: 201 with money as a string
        response = as_user(client, owner).post(DEALS, {"achievement": achievement.pk, "buyer": buyer_org.pk,
                                                       "price": "300000.00", "transfer_mode": "transfer"},
                                               content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["price"] == "300000.00" and body["status"] == "pending" and body["method"] == "agreement"
        assert body["notice_required"] is True and body["available_actions"] == ["cancel"]
        deal_id = body["id"]
        # the buyer sees sign_for_notice and signs with the generic "sign"
        as_user(client, buyer)
        assert client.get(f"{DEALS}/{deal_id}").json()["available_actions"] == ["sign_for_notice", "cancel"]
        response = client.post(f"{DEALS}/{deal_id}/actions/sign", {"comment": ""}, content_type="application/json")
        body = response.json()
        assert response.status_code == 200 and body["status"] == "in_notice"
        assert body["notice"]["closes_from"].endswith("T00:00:00+08:00") and body["notice"]["state"] == "running"
        # closing before 00:00 of the 16th day: 422 naming the date
        response = as_user(client, owner).post(f"{DEALS}/{deal_id}/actions/close", {},
                                               content_type="application/json")
        assert response.status_code == 422 and api_error(response)["code"] == "notice_running"

    def test_list_scope_and_404(self, client, owner, bureau, buyer_org, other_enterprise, officer_out, officer_in):
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org)
        assert as_user(client, owner).get(DEALS).json()["count"] == 1
        assert as_user(client, officer_in).get(DEALS).json()["count"] == 1
        assert as_user(client, other_enterprise).get(DEALS).json()["count"] == 0
        assert client.get(f"{DEALS}/{deal.pk}").status_code == 404
        assert as_user(client, officer_out).get(f"{DEALS}/{deal.pk}").status_code == 404
        response = as_user(client, officer_out).post(f"{DEALS}/{deal.pk}/actions/cancel", {"comment": "x"},
                                                     content_type="application/json")
        assert response.status_code == 404

    def test_anonymous_is_401(self, client, db):
        assert client.get(DEALS).status_code == 401
        response = client.post(DEALS, {"achievement": 1, "buyer": 1, "price": "1", "transfer_mode": "transfer"},
                               content_type="application/json")
        assert response.status_code == 401 and api_error(response)["code"] == "not_authenticated"

    def test_officer_may_see_but_not_cancel(self, client, owner, bureau, buyer_org, officer_in):
        deal = f.agreement_deal(owner=owner, reviewer=bureau, buyer_org=buyer_org)
        response = as_user(client, officer_in).post(f"{DEALS}/{deal.pk}/actions/cancel", {"comment": "x"},
                                                    content_type="application/json")
        assert response.status_code == 403 and api_error(response)["code"] == "permission_denied"

    def test_proposal_validation_is_422(self, client, owner, bureau, owner_org):
        achievement = f.listing_factories.published(owner=owner, reviewer=bureau)
        as_user(client, owner)
        response = client.post(DEALS, {"achievement": achievement.pk, "buyer": owner_org.pk, "price": "10.00",
                                       "transfer_mode": "transfer"}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "buyer"
        response = client.post(DEALS, {"achievement": achievement.pk, "buyer": 999999, "price": "10.00",
                                       "transfer_mode": "transfer"}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "buyer"
        response = client.post(DEALS, {"achievement": achievement.pk, "buyer": owner_org.pk, "price": "1.234",
                                       "transfer_mode": "transfer"}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "price"


class TestNoticeApi:
    def test_public_notice_shows_count_not_objectors(self, client, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        notice_id = deal.notice.pk
        # a logged-in user objects: 201
        response = as_user(client, other_enterprise).post(f"{NOTICES}/{notice_id}/objections",
                                                          {"text": "价格偏低"}, content_type="application/json")
        assert response.status_code == 201 and response.json()["status"] == "open"
        client.logout()
        body = client.get(f"{NOTICES}/{notice_id}").json()
        assert body["objection_count"] == 1 and "objections" not in body
        assert body["price"] == "300000.00" and body["achievement"]["title"] == deal.achievement.title
        listing = client.get(NOTICES, {"state": "running"}).json()
        assert listing["count"] == 1 and listing["items"][0]["id"] == notice_id
        assert client.get(NOTICES, {"state": "nope"}).status_code == 422
        # the bureau sees the objector
        staff = as_user(client, bureau).get(f"{NOTICES}/{notice_id}").json()
        assert staff["objections"][0]["objector"] == other_enterprise.display_name

    def test_objection_needs_login_and_text(self, client, owner, bureau, buyer, other_enterprise):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        url = f"{NOTICES}/{deal.notice.pk}/objections"
        assert client.post(url, {"text": "x"}, content_type="application/json").status_code == 401
        response = as_user(client, other_enterprise).post(url, {"text": " "}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "text"
        assert client.get(f"{NOTICES}/999999").status_code == 404

    def test_resolve_via_api(self, client, owner, bureau, buyer, other_enterprise, officer_in, officer_out):
        deal = f.noticed_deal(owner=owner, reviewer=bureau, buyer=buyer)
        objection = services.objection_create(notice=deal.notice, by=other_enterprise, text="异议")
        url = f"{NOTICES}/{deal.notice.pk}/objections/{objection.pk}/actions/dismiss"
        assert as_user(client, officer_out).post(url, {"comment": "x"},
                                                 content_type="application/json").status_code == 404
        assert as_user(client, officer_in).post(url, {"comment": "x"},
                                                content_type="application/json").status_code == 403
        response = as_user(client, bureau).post(url, {"comment": ""}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "comment"
        response = client.post(url, {"comment": "不成立"}, content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "dismissed"
