"""The API around bidding: list, detail, terms, actions, bidders and deposit actions (SPEC §3)."""
from __future__ import annotations

import json

from django.test import Client

from techmarket.auctions import services

from . import factories
from .test_bidding import START, api


def patch(client, auction, data):
    return client.patch(f"/api/v1/auctions/{auction.pk}", data=json.dumps(data), content_type="application/json")


def act(client, auction, action, data=None):
    return client.post(f"/api/v1/auctions/{auction.pk}/actions/{action}", data=json.dumps(data or {}),
                       content_type="application/json")


class TestAuctionList:
    def test_public_list_by_phase(self, auction, buyers):
        # given an upcoming auction
        upcoming = Client().get("/api/v1/auctions?phase=upcoming").json()
        assert [a["id"] for a in upcoming["items"]] == [auction.pk]
        assert set(upcoming) == {"count", "page", "page_size", "items"}
        # when it is open, it is listed as open and no longer as upcoming
        with factories.during(auction):
            assert [a["id"] for a in Client().get("/api/v1/auctions?phase=open").json()["items"]] == [auction.pk]
            assert Client().get("/api/v1/auctions?phase=upcoming").json()["count"] == 0
        with factories.after_end(auction):
            assert Client().get("/api/v1/auctions?phase=ended").json()["count"] == 1

    def test_unknown_phase_is_422_naming_the_field(self, db):
        response = Client().get("/api/v1/auctions?phase=soon")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "phase"

    def test_clock_answers_server_time(self, db):
        assert Client().get("/api/v1/auctions/clock").json()["now"].endswith("+08:00")


class TestTermsApi:
    def test_bureau_patches_terms(self, auction, bureau):
        response = patch(api(bureau), auction, {"increment": "2000.00", "reserve_price": "120000.00"})
        assert response.status_code == 200
        body = response.json()
        assert body["increment"] == "2000.00" and body["has_reserve"] is True and body["reserve_price"] == "120000.00"

    def test_who_gets_what(self, auction, officer, buyers, seller):
        assert patch(Client(), auction, {"increment": "2000.00"}).status_code == 401
        assert patch(api(buyers[0][1]), auction, {"increment": "2000.00"}).status_code == 404
        assert patch(api(officer), auction, {"increment": "2000.00"}).status_code == 403
        assert patch(api(seller), auction, {"increment": "2000.00"}).status_code == 403

    def test_bad_value_is_422_with_the_field(self, auction, bureau):
        response = patch(api(bureau), auction, {"reserve_price": "1.00"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reserve_price"


class TestActionsApi:
    def test_cancel_answers_the_updated_record(self, auction, bureau):
        response = act(api(bureau), auction, "cancel", {"comment": "委托方撤回", "reason_code": None})
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "cancelled" and body["status_display"] == "已取消"
        assert body["available_actions"] == []

    def test_available_actions_follow_the_caller(self, auction, bureau, seller):
        assert api(bureau).get(f"/api/v1/auctions/{auction.pk}").json()["available_actions"] == ["cancel"]
        assert api(seller).get(f"/api/v1/auctions/{auction.pk}").json()["available_actions"] == []
        assert act(api(seller), auction, "cancel", {"comment": "x"}).status_code == 403


class TestBiddersApi:
    def test_bureau_sees_names_and_references_seller_only_aliases_while_open(self, auction, bureau, seller, buyers):
        staff = api(bureau).get(f"/api/v1/auctions/{auction.pk}/bidders").json()
        assert [(b["alias"], b["organization"]["name"]) for b in staff["items"]] == [
            ("A01", buyers[0][0].name), ("A02", buyers[1][0].name), ("A03", buyers[2][0].name)]
        assert staff["items"][0]["deposit_reference"].startswith("HD")
        own = api(seller).get(f"/api/v1/auctions/{auction.pk}/bidders").json()
        assert [b["organization"] for b in own["items"]] == [None, None, None]
        assert own["items"][0]["deposit_reference"] is None

    def test_other_organizations_get_404(self, auction, buyers):
        assert api(buyers[0][1]).get(f"/api/v1/auctions/{auction.pk}/bidders").status_code == 404

    def test_confirm_deposit_action(self, seller, bureau, buyers):
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers], confirm=[])
        bidder = auction.bidders.get(alias="A02")
        url = f"/api/v1/auctions/{auction.pk}/bidders/{bidder.pk}/actions/confirm_deposit"
        client = api(bureau)
        missing = client.post(url, data=json.dumps({}), content_type="application/json")
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reference"
        done = client.post(url, data=json.dumps({"reference": "HD-A02"}), content_type="application/json")
        assert done.status_code == 200
        assert (done.json()["deposit_status"], done.json()["deposit_reference"]) == ("confirmed", "HD-A02")
        assert done.json()["available_actions"] == []


class TestHistoryEndpoint:
    def test_bids_newest_first_and_chain_fields(self, auction, buyers):
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
            services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + 500_000)
        body = Client().get(f"/api/v1/auctions/{auction.pk}/bids?order=desc").json()
        assert [b["seq"] for b in body["items"]] == [2, 1]
        assert body["final_hash"] == body["items"][0]["hash"] and body["chain_valid"] is True
        assert body["auction_id"] == auction.pk

    def test_empty_log_verifies_against_the_genesis(self, auction):
        body = Client().get(f"/api/v1/auctions/{auction.pk}/bids").json()
        assert body["count"] == 0 and body["final_hash"] == "0" * 64 and body["chain_valid"] is True
