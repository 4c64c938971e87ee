"""Bidding: the five refusal codes (service and API), aliases, anti-sniping, the 201 body and the chain."""
from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from django.test import Client
from freezegun import freeze_time

from techmarket.accounts.services import api_token_create
from techmarket.auctions import services
from techmarket.auctions.choices import AuctionStatus
from techmarket.auctions.models import GENESIS_HASH, Auction, Bid
from techmarket.core.actors import SYSTEM
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories as core_factories
from techmarket.directory.models import Person

from . import factories

START = 10_000_000          # 100,000.00 yuan
STEP = 100_000              # the default increment: 1,000.00 yuan


def refusal(callable_, **kwargs) -> tuple[str, str | None]:
    with pytest.raises(ApplicationError) as exc:
        callable_(**kwargs)
    return exc.value.errors[0].code, exc.value.errors[0].field


def api(user) -> Client:
    _token, raw = api_token_create(user=user, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_bid(client, auction, amount):
    return client.post(f"/api/v1/auctions/{auction.pk}/bids", data=json.dumps({"amount": amount}),
                       content_type="application/json")


class TestBidPlaceRefusals:
    def test_not_eligible_for_an_organization_without_interest(self, auction, regions):
        _org, outsider = factories.enterprise(regions, "未登记意向企业有限公司")
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=outsider, amount_fen=START) == ("not_eligible", None)

    def test_not_eligible_for_the_seller_staff_and_the_system(self, auction, seller, bureau, officer):
        with factories.during(auction):
            for user in (seller, bureau, officer, SYSTEM):
                assert refusal(services.bid_place, auction=auction, by=user, amount_fen=START)[0] == "not_eligible"

    def test_not_eligible_for_staff_who_belong_to_a_bidder(self, auction, buyers, regions):
        # given a district officer who is also a user of bidder A01's organization
        staff = core_factories.user("officer-in-bidder", organization_obj=buyers[0][0],
                                    roles=["district_officer"], region_obj=regions["zhongyuan"])
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=staff, amount_fen=START)[0] == "not_eligible"

    def test_not_eligible_for_the_brokers_agency(self, seller, bureau, buyers, regions):
        # given a listing brought by a broker of an agency that also registered interest… (it cannot: the
        # listing refuses it) — so the agency is only a would-be bidder; its user is refused as not eligible
        agency = core_factories.organization("郑州技术转移中心", region_obj=regions["jinshui"], kind="agency")
        broker = Person.objects.create(name="王经纪", kind="broker", region=regions["jinshui"], organization=agency)
        agency_user = core_factories.user("agency-user", organization_obj=agency, roles=["broker"])
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers], broker=broker)
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=agency_user, amount_fen=START)[0] == "not_eligible"

    def test_deposit_not_confirmed(self, seller, bureau, buyers):
        users = [u for _o, u in buyers]
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=users, confirm=users[:2])
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=users[2], amount_fen=START) == (
                "deposit_not_confirmed", None)

    def test_auction_not_open_before_the_start(self, auction, buyers):
        assert refusal(services.bid_place, auction=auction, by=buyers[0][1], amount_fen=START) == (
            "auction_not_open", None)

    def test_auction_not_open_once_cancelled(self, auction, buyers, bureau):
        services.auction_cancel(auction=auction, by=bureau, comment="撤回")
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=buyers[0][1], amount_fen=START)[0] == \
                "auction_not_open"

    def test_auction_ended_at_the_exact_end(self, auction, buyers):
        with factories.after_end(auction, seconds=0):
            assert refusal(services.bid_place, auction=auction, by=buyers[0][1], amount_fen=START) == (
                "auction_ended", None)

    def test_bid_too_low_below_the_start_then_below_high_plus_increment(self, auction, buyers):
        a01, a02 = buyers[0][1], buyers[1][1]
        with factories.during(auction):
            assert refusal(services.bid_place, auction=auction, by=a01, amount_fen=START - 1) == ("bid_too_low",
                                                                                                 "amount")
            services.bid_place(auction=auction, by=a01, amount_fen=START)
            assert refusal(services.bid_place, auction=auction, by=a02, amount_fen=START + STEP - 1)[0] == \
                "bid_too_low"
            # the refusal names the lowest acceptable amount (bidders and the benchmark's clients read it)
            with pytest.raises(ApplicationError) as exc:
                services.bid_place(auction=auction, by=a02, amount_fen=START + 1)
            assert "101000.00 元" in exc.value.errors[0].message
            # the same price as the high bid is never accepted twice
            assert refusal(services.bid_place, auction=auction, by=a02, amount_fen=START)[0] == "bid_too_low"
            services.bid_place(auction=auction, by=a02, amount_fen=START + STEP)
        assert list(Bid.objects.filter(auction=auction).values_list("amount_fen", flat=True)) == [START, START + STEP]


class TestBidPlace:
    def test_any_user_of_a_bidder_organization_bids_as_its_bidder(self, auction, buyers):
        # given two users of the A01 organization
        org, first = buyers[0]
        second = factories.colleague(org)
        # when both bid
        with factories.during(auction):
            one = services.bid_place(auction=auction, by=first, amount_fen=START)
            two = services.bid_place(auction=auction, by=second, amount_fen=START + STEP)
        # then both bids are A01's
        assert (one.bidder.alias, two.bidder.alias) == ("A01", "A01")
        assert auction.bidders.filter(organization=org).count() == 1

    def test_first_bid_opens_the_auction_and_updates_its_summary(self, auction, buyers):
        with factories.during(auction, minutes=3):
            bid = services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + 5 * STEP)
        auction.refresh_from_db()
        assert auction.status == AuctionStatus.OPEN
        assert (auction.high_bid_id, auction.bid_count, auction.last_hash) == (bid.pk, 1, bid.hash)
        assert bid.prev_hash == GENESIS_HASH and bid.seq == 1

    def test_hash_is_sha256_of_the_documented_fields(self, auction, buyers):
        with factories.during(auction):
            first = services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
            second = services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + 250_000)
        beijing = datetime.timezone(datetime.timedelta(hours=8))

        def expected(seq, alias, amount, bid, prev):
            when = bid.created_at.astimezone(beijing).isoformat(timespec="milliseconds")
            return hashlib.sha256(f"{auction.pk}|{seq}|{alias}|{amount}|{when}|{prev}".encode()).hexdigest()

        assert first.hash == expected(1, "A01", "100000.00", first, "0" * 64)
        assert second.prev_hash == first.hash
        assert second.hash == expected(2, "A02", "102500.00", second, first.hash)
        assert services.auction_chain_verify(auction) == (True, [])

    def test_a_bid_outside_the_last_minutes_does_not_move_the_end(self, auction, buyers):
        ends = auction.ends_at
        with freeze_time(ends - datetime.timedelta(minutes=5, seconds=1)):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
        auction.refresh_from_db()
        assert auction.ends_at == ends

    def test_a_bid_in_the_last_minutes_moves_the_end_to_now_plus_n(self, auction, buyers):
        ends = auction.ends_at
        moment = ends - datetime.timedelta(minutes=2)
        with freeze_time(moment):
            bid = services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
        auction.refresh_from_db()
        assert auction.ends_at == moment + datetime.timedelta(minutes=5) == bid.auction_ends_at
        assert auction.original_ends_at == ends
        # and a bid at the new last second moves it again, never earlier
        with freeze_time(auction.ends_at - datetime.timedelta(milliseconds=1)):
            services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + STEP)
        later = Auction.objects.get(pk=auction.pk).ends_at
        assert later > auction.ends_at

    def test_invalid_amounts_are_refused_before_anything_else(self, auction, buyers):
        for amount in (0, -100, 10**20):
            assert refusal(services.bid_place, auction=auction, by=buyers[0][1], amount_fen=amount)[0] == \
                "invalid_amount"


class TestBidApi:
    def test_201_has_exactly_the_documented_keys(self, auction, buyers):
        client = api(buyers[0][1])
        with factories.during(auction):
            response = post_bid(client, auction, "100000.00")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "seq", "amount", "bidder_alias", "created_at", "prev_hash", "hash", "ends_at"}
        assert (body["seq"], body["amount"], body["bidder_alias"], body["prev_hash"]) == (1, "100000.00", "A01",
                                                                                          GENESIS_HASH)
        assert body["created_at"].endswith("+08:00") and len(body["created_at"].split(".")[1]) == len("123+08:00")
        text = f"{auction.pk}|1|A01|100000.00|{body['created_at']}|{GENESIS_HASH}"
        assert body["hash"] == hashlib.sha256(text.encode()).hexdigest()

    @pytest.mark.parametrize("case, code, field", [
        ("outsider", "not_eligible", None),
        ("unconfirmed", "deposit_not_confirmed", None),
        ("before", "auction_not_open", None),
        ("after", "auction_ended", None),
        ("low", "bid_too_low", "amount"),
    ])
    def test_refusals_are_422_with_the_code_and_a_chinese_message(self, seller, bureau, buyers, regions, case, code,
                                                                   field):
        users = [u for _o, u in buyers]
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=users, confirm=users[:2])
        user, amount, clock = users[0], "100000.00", factories.during(auction)
        if case == "outsider":
            user = factories.enterprise(regions, "局外企业有限公司")[1]
        elif case == "unconfirmed":
            user = users[2]
        elif case == "before":
            clock = freeze_time(auction.starts_at - datetime.timedelta(seconds=1))
        elif case == "after":
            clock = factories.after_end(auction)
        elif case == "low":
            amount = "99999.99"
        client = api(user)
        with clock:
            response = post_bid(client, auction, amount)
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert (error["code"], error["field"]) == (code, field)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])

    def test_anonymous_gets_401_and_a_missing_auction_404(self, auction, buyers):
        assert post_bid(Client(), auction, "100000.00").status_code == 401
        assert api(buyers[0][1]).post("/api/v1/auctions/999999/bids", data=json.dumps({"amount": "1.00"}),
                                      content_type="application/json").status_code == 404

    def test_bad_amount_names_the_field(self, auction, buyers):
        with factories.during(auction):
            response = post_bid(api(buyers[0][1]), auction, "10.001")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "amount"


class TestAliasesAndNames:
    def test_names_are_hidden_while_open_and_shown_after_close(self, auction, buyers, bureau):
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
            services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + STEP)
            public = Client().get(f"/api/v1/auctions/{auction.pk}/bids").json()
            page = Client().get(f"/auctions/{auction.pk}/").content.decode()
        # while open: aliases only, in the API and on the page
        assert [b["bidder_alias"] for b in public["items"]] == ["A01", "A02"]
        assert all(b["organization"] is None for b in public["items"])
        assert buyers[0][0].name not in page and "A01" in page
        assert public["chain_valid"] is True and public["final_hash"] == public["items"][-1]["hash"]
        # after the close (the first read closes it): names appear
        with factories.after_end(auction):
            closed = Client().get(f"/api/v1/auctions/{auction.pk}/bids").json()
            page = Client().get(f"/auctions/{auction.pk}/").content.decode()
        assert [b["organization"] for b in closed["items"]] == [buyers[0][0].name, buyers[1][0].name]
        assert buyers[1][0].name in page

    def test_detail_shows_the_callers_alias_deposit_and_eligibility(self, seller, bureau, buyers):
        users = [u for _o, u in buyers]
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=users, confirm=users[:1])
        with factories.during(auction):
            mine = api(users[0]).get(f"/api/v1/auctions/{auction.pk}").json()
            theirs = api(users[2]).get(f"/api/v1/auctions/{auction.pk}").json()
            anonymous = Client().get(f"/api/v1/auctions/{auction.pk}").json()
        assert mine["me"]["alias"] == "A01" and mine["me"]["deposit_status"] == "confirmed" and mine["me"]["eligible"]
        assert theirs["me"]["alias"] == "A03" and not theirs["me"]["eligible"]
        assert theirs["me"]["refusal"]["code"] == "deposit_not_confirmed"
        assert anonymous["me"] is None
        # the reserve's value is never public, only whether there is one
        assert "reserve_price" not in anonymous and anonymous["has_reserve"] is False
        assert anonymous["bidder_count"] == 3 and anonymous["status"] in ("scheduled", "open")
