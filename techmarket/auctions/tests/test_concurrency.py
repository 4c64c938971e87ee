"""Many threads bidding at once over the API on PostgreSQL (the auction row is locked with SELECT … FOR UPDATE).

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/techmarket_h2 .venv/bin/pytest -m postgres
techmarket/auctions``. Checked: never two accepted bids at one price, every 201 is in the database with
its seq and hash (and nothing else is), seqs have no gap, and the chain verifies.
"""
from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from techmarket.accounts.services import api_token_create
from techmarket.auctions import services
from techmarket.auctions.models import Auction, Bid

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
ROUNDS = 12


def test_concurrent_bids_lose_nothing_and_never_share_a_price(seller, bureau, regions):
    # given an open auction with eight bidders, each bidding through its own API token
    bidders = [factories.enterprise(regions, f"并发竞买企业{i}有限公司") for i in range(THREADS)]
    auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in bidders])
    auction = factories.open_now(auction, bureau=bureau, minutes=30)
    tokens = [api_token_create(user=u, name="并发测试")[1] for _o, u in bidders]
    step, start = auction.increment_fen, auction.starting_price_fen
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, int, int, dict]] = []  # (round, thread, status, body)
    lock = threading.Lock()

    def bidder(index: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        try:
            for rnd in range(ROUNDS):
                # in each round half of the threads bid the same amount, the others different ones
                base = start + rnd * 10 * step
                amount = base + (0 if index % 2 == 0 else (index + 1) * step)
                barrier.wait(timeout=30)
                response = client.post(f"/api/v1/auctions/{auction.pk}/bids",
                                       data=json.dumps({"amount": f"{amount / 100:.2f}"}),
                                       content_type="application/json")
                with lock:
                    answers.append((rnd, index, response.status_code, response.json()))
        finally:
            connection.close()

    # when all threads bid at once, round after round
    threads = [threading.Thread(target=bidder, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    # then every answer is a 201 or a coded 422, and some of each happened
    assert len(answers) == THREADS * ROUNDS
    statuses = Counter(status for _r, _i, status, _b in answers)
    assert set(statuses) <= {201, 422} and statuses[201] > ROUNDS and statuses[422] > 0
    assert {b["errors"][0]["code"] for _r, _i, s, b in answers if s == 422} == {"bid_too_low"}
    accepted = [b for _r, _i, s, b in answers if s == 201]
    # never two accepted bids at one price
    assert len({b["amount"] for b in accepted}) == len(accepted)
    # every 201 is in the database as answered, and nothing unanswered is
    stored = {bid.pk: bid for bid in Bid.objects.filter(auction_id=auction.pk)}
    assert set(stored) == {b["id"] for b in accepted}
    for body in accepted:
        bid = stored[body["id"]]
        assert (bid.seq, bid.hash, bid.prev_hash, f"{bid.amount_fen / 100:.2f}") == (
            body["seq"], body["hash"], body["prev_hash"], body["amount"])
    assert sorted(bid.seq for bid in stored.values()) == list(range(1, len(stored) + 1))
    # the chain verifies and the auction's summary matches the log
    assert services.auction_chain_verify(auction) == (True, [])
    final = Auction.objects.get(pk=auction.pk)
    top = max(stored.values(), key=lambda b: b.amount_fen)
    assert (final.high_bid_id, final.bid_count) == (top.pk, len(stored))
