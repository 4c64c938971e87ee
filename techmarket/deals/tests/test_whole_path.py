"""The market's whole path through the REST API, as an integrator or a checker would walk it (issue 3,
"Must show"): publish → approve → list → two interests → deposits → auction → bids → close → deal →
draft contract; and an agreed price under public notice → deal."""
from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone
from freezegun import freeze_time

pytestmark = pytest.mark.django_db


def frozen(moment):
    """A frozen clock; the URLconf (and with it the API's pydantic schemas) is loaded first, outside it,
    because freezegun swaps ``datetime`` in loaded modules and pydantic cannot build a schema for that."""
    import techmarket.urls  # noqa: F401

    return freeze_time(moment)


def call(client, user, method: str, path: str, payload=None):
    client.force_login(user)
    response = getattr(client, method)(f"/api/v1{path}", data=payload, content_type="application/json")
    return response.status_code, (response.json() if response.content else None)


def act(client, user, path: str, action: str, **payload):
    status, body = call(client, user, "post", f"{path}/actions/{action}",
                        {"comment": payload.pop("comment", ""), "reason_code": payload.pop("reason_code", None)})
    assert status == 200, body
    return body


def published_achievement(client, owner, bureau) -> int:
    status, body = call(client, owner, "post", "/achievements", {
        "title": "高导热氮化铝陶瓷基板制备技术", "abstract": "低温烧结制备高导热氮化铝陶瓷基板的工艺。",
        "keywords": ["氮化铝", "陶瓷基板"], "tech_field": "10", "trl": 6, "ip_type": "01",
        "patent_numbers": ["CN202310000002.1"], "transfer_modes": ["transfer", "licence_non_exclusive"],
        "price": "300000.00"})
    assert status == 201, body
    act(client, owner, f"/achievements/{body['id']}", "submit")
    assert act(client, bureau, f"/achievements/{body['id']}", "approve")["status"] == "published"
    return body["id"]


def test_listing_with_two_interests_goes_to_auction_and_ends_in_a_draft_contract(
        client, owner, bureau, buyer, other_enterprise):
    start = timezone.now().replace(microsecond=0)
    with frozen(start) as clock:
        # given a published achievement, listed and approved
        achievement_id = published_achievement(client, owner, bureau)
        status, listing = call(client, owner, "post", "/listings", {
            "achievement": achievement_id, "transfer_mode": "transfer", "price": "300000.00", "period_days": 10})
        assert status == 201, listing
        act(client, owner, f"/listings/{listing['id']}", "submit")
        listing = act(client, bureau, f"/listings/{listing['id']}", "approve")
        assert listing["status"] == "open"
        # when two enterprises register interest
        for user in (buyer, other_enterprise):
            status, body = call(client, user, "post", f"/listings/{listing['id']}/interests", {"note": ""})
            assert status == 201, body
        # and the period ends: reading the listing closes it
        clock.move_to(datetime.datetime.fromisoformat(listing["ends_at"]) + datetime.timedelta(seconds=1))
        status, listing = call(client, owner, "get", f"/listings/{listing['id']}")
        assert listing["status"] == "to_auction"
        status, page = call(client, buyer, "get", "/auctions")
        auction = next(a for a in page["items"] if a["achievement"]["id"] == achievement_id)
        status, auction = call(client, buyer, "get", f"/auctions/{auction['id']}")
        assert auction["starting_price"] == "300000.00"
        assert auction["increment"] == "3000.00"  # 1 % rounded to 100 yuan
        assert auction["deposit"] == "30000.00"  # 10 %
        # then the bureau confirms both deposits
        status, bidders = call(client, bureau, "get", f"/auctions/{auction['id']}/bidders")
        assert [b["alias"] for b in bidders["items"]] == ["A01", "A02"]
        for bidder in bidders["items"]:
            status, body = call(client, bureau, "post",
                                f"/auctions/{auction['id']}/bidders/{bidder['id']}/actions/confirm_deposit",
                                {"reference": f"BZJ-{bidder['alias']}"})
            assert status == 200, body
        # and both bid once the auction opens
        clock.move_to(datetime.datetime.fromisoformat(auction["starts_at"]) + datetime.timedelta(minutes=1))
        status, low = call(client, buyer, "post", f"/auctions/{auction['id']}/bids", {"amount": "299000.00"})
        assert status == 422 and low["errors"][0]["code"] == "bid_too_low"
        accepted = []
        for user, amount in ((buyer, "300000.00"), (other_enterprise, "303000.00"), (buyer, "310000.00")):
            status, bid = call(client, user, "post", f"/auctions/{auction['id']}/bids", {"amount": amount})
            assert status == 201, bid
            accepted.append(bid)
            clock.tick(60)
        # the chain is what the issue defines
        previous = "0" * 64
        for bid in accepted:
            text = f"{auction['id']}|{bid['seq']}|{bid['bidder_alias']}|{bid['amount']}|{bid['created_at']}|{previous}"
            assert bid["prev_hash"] == previous
            assert bid["hash"] == hashlib.sha256(text.encode()).hexdigest()
            previous = bid["hash"]
        # when the auction ends and someone reads it
        clock.move_to(datetime.datetime.fromisoformat(accepted[-1]["ends_at"]) + datetime.timedelta(seconds=1))
        status, auction = call(client, bureau, "get", f"/auctions/{auction['id']}")
        assert auction["status"] == "succeeded"
        # then the winner has a deal at its bid; signing it makes the draft contract
        status, deals = call(client, buyer, "get", "/deals")
        deal = next(d for d in deals["items"] if d["method"] == "auction")
        assert deal["price"] == "310000.00"
        deal = act(client, buyer, f"/deals/{deal['id']}", "sign")
        assert deal["status"] == "closed"
        status, contract = call(client, owner, "get", f"/contracts/{deal['contract_id']}")
        assert status == 200, contract
        assert contract["status"] == "draft"
        assert contract["total_amount"] == contract["tech_amount"] == "310000.00"
        assert contract["buyer_name"] == buyer.organization.name
        assert contract["deal"] == deal["id"]
        status, achievement = call(client, owner, "get", f"/achievements/{achievement_id}")
        assert achievement["status"] == "traded"


def test_agreed_price_of_a_state_institute_closes_after_fifteen_days_of_notice(client, owner, bureau, buyer):
    published = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    with frozen(published) as clock:
        # given an agreed price proposed by the state institute and accepted by the buyer
        achievement_id = published_achievement(client, owner, bureau)
        status, deal = call(client, owner, "post", "/deals", {
            "achievement": achievement_id, "buyer": buyer.organization_id, "price": "280000.00",
            "transfer_mode": "transfer"})
        assert status == 201, deal
        deal = act(client, buyer, f"/deals/{deal['id']}", "sign")
        assert deal["status"] == "in_notice"
        # when the 15th day after publication ends
        clock.move_to(published + datetime.timedelta(days=15, hours=13, minutes=59))
        status, body = call(client, owner, "post", f"/deals/{deal['id']}/actions/close", {"comment": ""})
        # then it cannot close yet
        assert status == 422, body
        # and from 00:00 of the 16th day it can
        clock.move_to((published + datetime.timedelta(days=16)).replace(hour=0, minute=0))
        deal = act(client, owner, f"/deals/{deal['id']}", "close")
        assert deal["status"] == "closed"
        assert deal["contract_id"]
