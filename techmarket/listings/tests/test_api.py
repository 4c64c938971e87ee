"""/api/v1/listings: SPEC §3 shapes and status codes (401/403/404/422), interests."""
from __future__ import annotations

import pytest

from techmarket.core.tests import factories
from techmarket.listings.models import Interest

from . import factories as f
from .factories import api_error, as_user

BASE = "/api/v1/listings"


class TestListingApiCreate:
    def test_create_draft_returns_201_with_money_string_and_actions(self, client, owner, officer_in):
        achievement = f.published(owner=owner, reviewer=officer_in)
        response = as_user(client, owner).post(BASE, {"achievement": achievement.pk, "transfer_mode": "transfer",
                                                      "price": "500000.50", "period_days": 30},
                                               content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["price"] == "500000.50" and body["status"] == "draft" and body["status_display"] == "草稿"
        assert body["available_actions"] == ["submit", "withdraw"] and body["managed"] is True
        assert body["achievement"]["id"] == achievement.pk and body["interest_count"] == 0

    def test_anonymous_is_401(self, client, db):
        response = client.post(BASE, {"achievement": 1, "transfer_mode": "transfer", "price": "1.00"},
                               content_type="application/json")
        assert response.status_code == 401 and api_error(response)["code"] == "not_authenticated"

    def test_other_organization_is_403(self, client, owner, officer_in, buyer):
        achievement = f.published(owner=owner, reviewer=officer_in)
        response = as_user(client, buyer).post(BASE, {"achievement": achievement.pk, "transfer_mode": "transfer",
                                                      "price": "1.00"}, content_type="application/json")
        assert response.status_code == 403 and api_error(response)["code"] == "permission_denied"

    @pytest.mark.parametrize(("payload", "field"), [
        ({"price": "abc"}, "price"), ({"price": "0"}, "price"), ({"period_days": 2}, "period_days"),
        ({"transfer_mode": "equity"}, "transfer_mode"), ({"achievement": 999999}, "achievement"),
        ({"broker": 999999}, "broker"),
    ])
    def test_invalid_input_is_422_naming_the_field(self, client, owner, officer_in, payload, field):
        achievement = f.published(owner=owner, reviewer=officer_in)
        data = {"achievement": achievement.pk, "transfer_mode": "transfer", "price": "100.00", **payload}
        response = as_user(client, owner).post(BASE, data, content_type="application/json")
        assert response.status_code == 422
        assert api_error(response)["field"] == field


class TestListingApiReadAndAct:
    def test_public_sees_open_listings_only(self, client, owner, officer_in, officer_out):
        draft = f.draft_listing(owner=owner, reviewer=officer_in)
        shown = f.open_listing(owner=owner, reviewer=officer_in)
        body = client.get(BASE).json()
        assert set(body) == {"count", "page", "page_size", "items"}
        assert body["count"] == 1 and body["items"][0]["id"] == shown.pk
        item = body["items"][0]
        assert item["ends_at"].endswith("+08:00") and item["managed"] is False and item["available_actions"] == []
        assert client.get(f"{BASE}/{draft.pk}").status_code == 404
        assert client.get(f"{BASE}/{shown.pk}").status_code == 200
        assert as_user(client, officer_out).get(f"{BASE}/{draft.pk}").status_code == 404

    def test_mine_and_manage_lists(self, client, owner, officer_in, officer_out):
        f.draft_listing(owner=owner, reviewer=officer_in)
        assert as_user(client, owner).get(BASE, {"mine": "true"}).json()["count"] == 1
        assert as_user(client, officer_in).get(BASE, {"manage": "true"}).json()["count"] == 1
        assert as_user(client, officer_out).get(BASE, {"manage": "true"}).json()["count"] == 0
        client.logout()
        response = client.get(BASE, {"mine": "true"})
        assert response.status_code == 401 and api_error(response)["code"] == "not_authenticated"

    def test_review_actions_and_reason_code(self, client, owner, officer_in, buyer):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        as_user(client, owner)
        response = client.post(f"{BASE}/{listing.pk}/actions/submit", {"comment": ""}, content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "submitted"
        # a seller may not approve its own listing: 403 on a record it can see
        response = client.post(f"{BASE}/{listing.pk}/actions/approve", {}, content_type="application/json")
        assert response.status_code == 403
        as_user(client, officer_in)
        response = client.post(f"{BASE}/{listing.pk}/actions/return", {"comment": "补充"},
                               content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "reason_code"
        response = client.post(f"{BASE}/{listing.pk}/actions/approve", {}, content_type="application/json")
        body = response.json()
        assert response.status_code == 200 and body["status"] == "open" and body["status_display"] == "挂牌中"
        # an enterprise sees the open listing but may not act on it
        response = as_user(client, buyer).post(f"{BASE}/{listing.pk}/actions/withdraw", {},
                                               content_type="application/json")
        assert response.status_code == 403

    def test_patch_draft(self, client, owner, officer_in):
        listing = f.draft_listing(owner=owner, reviewer=officer_in)
        response = as_user(client, owner).patch(f"{BASE}/{listing.pk}", {"price": "88.80", "conditions": "分期"},
                                                content_type="application/json")
        assert response.status_code == 200 and response.json()["price"] == "88.80"
        response = client.patch(f"{BASE}/{listing.pk}", {"period_days": None}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["field"] == "period_days"


class TestInterestApi:
    def test_register_list_and_withdraw(self, client, owner, officer_in, buyer, other_enterprise):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        # register: 201
        response = as_user(client, buyer).post(f"{BASE}/{listing.pk}/interests", {"note": "意向"},
                                               content_type="application/json")
        assert response.status_code == 201 and response.json()["status"] == "active"
        # twice: 422 already_registered
        response = client.post(f"{BASE}/{listing.pk}/interests", {}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["code"] == "already_registered"
        detail = client.get(f"{BASE}/{listing.pk}").json()
        assert detail["interest_count"] == 1 and detail["my_interest"]["status"] == "active"
        # names: 403 for another enterprise, listed for the seller and the reviewer
        assert as_user(client, other_enterprise).get(f"{BASE}/{listing.pk}/interests").status_code == 403
        names = as_user(client, owner).get(f"{BASE}/{listing.pk}/interests").json()
        assert names["count"] == 1 and names["items"][0]["organization"]["id"] == buyer.organization_id
        assert as_user(client, officer_in).get(f"{BASE}/{listing.pk}/interests").status_code == 200
        # withdraw: 204
        response = as_user(client, buyer).delete(f"{BASE}/{listing.pk}/interests/mine")
        assert response.status_code == 204
        assert Interest.objects.get().status == "withdrawn"
        response = client.delete(f"{BASE}/{listing.pk}/interests/mine")
        assert response.status_code == 422 and api_error(response)["code"] == "no_interest"

    def test_staff_and_seller_are_refused_with_not_eligible(self, client, owner, officer_in, bureau):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        for user in (owner, bureau):
            response = as_user(client, user).post(f"{BASE}/{listing.pk}/interests", {},
                                                  content_type="application/json")
            assert response.status_code == 422 and api_error(response)["code"] == "not_eligible"

    def test_anonymous_interest_is_401_and_unknown_listing_404(self, client, owner, officer_in, buyer):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        assert client.post(f"{BASE}/{listing.pk}/interests", {}, content_type="application/json").status_code == 401
        response = as_user(client, buyer).post(f"{BASE}/999999/interests", {}, content_type="application/json")
        assert response.status_code == 404 and api_error(response)["code"] == "not_found"

    def test_user_without_organization_is_not_eligible(self, client, owner, officer_in, regions):
        listing = f.open_listing(owner=owner, reviewer=officer_in)
        lonely = factories.user("lonely-api")
        response = as_user(client, lonely).post(f"{BASE}/{listing.pk}/interests", {}, content_type="application/json")
        assert response.status_code == 422 and api_error(response)["code"] == "not_eligible"
