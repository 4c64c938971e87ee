"""A Hypothesis state machine over bid_place with a controlled clock (freezegun).

Rules move time forward by random amounts, place bids of random bidders at random distances from the
minimum, and run the scheduler. Checked throughout: accepted prices rise by at least the increment,
nothing is accepted before the start or at/after the end, the end moves only by the anti-sniping rule
(to the bid's time + N when the bid falls in the last N minutes, never earlier), every refusal has the
right code, and the chain verifies; at the end, the winner holds the highest accepted bid.
"""
from __future__ import annotations

import datetime

from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from techmarket.auctions import services
from techmarket.auctions.choices import AuctionStatus
from techmarket.auctions.models import Auction, Bid
from techmarket.core.errors import ApplicationError
from techmarket.deals.models import Deal

from . import factories


class AuctionMachine(RuleBasedStateMachine):
    def __init__(self, *, seller, bureau, users):
        super().__init__()
        self.users = users
        self.auction = factories.auction_for(seller=seller, bureau=bureau, buyers=users)
        self.window = datetime.timedelta(minutes=self.auction.extension_minutes)
        self.clock = freeze_time(self.auction.starts_at - datetime.timedelta(seconds=5))
        self.frozen = self.clock.start()
        self.accepted: list[tuple[int, str]] = []  # (amount_fen, alias)
        self.ends_at = self.auction.ends_at

    def _minimum(self) -> int:
        a = self.auction
        return a.starting_price_fen if not self.accepted else self.accepted[-1][0] + a.increment_fen

    @rule(ms=st.one_of(st.integers(0, 10_000), st.integers(0, 900_000)))
    def advance(self, ms):
        self.frozen.tick(datetime.timedelta(milliseconds=ms))

    @rule(ms_before=st.integers(-2_000, 400_000))
    def near_the_end(self, ms_before):
        """Jump to shortly before (or just after) the current end — where anti-sniping happens."""
        target = self.ends_at - datetime.timedelta(milliseconds=ms_before)
        if target > timezone.now():
            self.frozen.move_to(target)

    @rule(who=st.integers(0, 2), steps=st.integers(-2, 3), extra=st.sampled_from([-1, 0, 0, 1, 99_999]))
    def bid(self, who, steps, extra):
        a = self.auction
        now = timezone.now()
        minimum = self._minimum()
        amount = max(1, minimum + steps * a.increment_fen + extra)
        status = Auction.objects.get(pk=a.pk).status
        try:
            bid = services.bid_place(auction=a, by=self.users[who], amount_fen=amount)
        except ApplicationError as exc:
            code = exc.errors[0].code
            if status not in (AuctionStatus.SCHEDULED, AuctionStatus.OPEN) or now >= self.ends_at:
                assert code == "auction_ended"
            elif now < a.starts_at:
                assert code == "auction_not_open"
            else:
                assert code == "bid_too_low" and amount < minimum
            assert Auction.objects.get(pk=a.pk).ends_at == self.ends_at  # a refusal never moves the end
            return
        # accepted: inside [start, end), at least the minimum
        assert a.starts_at <= now < self.ends_at
        assert amount >= minimum
        expected_end = self.ends_at
        if now >= self.ends_at - self.window:
            expected_end = max(self.ends_at, bid.created_at + self.window)
        self.ends_at = Auction.objects.get(pk=a.pk).ends_at
        assert self.ends_at == expected_end
        self.accepted.append((amount, bid.bidder.alias))

    @rule()
    def scheduler(self):
        services.auctions_tick()
        auction = Auction.objects.get(pk=self.auction.pk)
        closed = auction.status in (AuctionStatus.SUCCEEDED, AuctionStatus.FAILED)
        assert closed == (timezone.now() >= self.ends_at)

    @invariant()
    def prices_rise_by_at_least_the_increment(self):
        amounts = list(Bid.objects.filter(auction=self.auction).order_by("seq").values_list("amount_fen", flat=True))
        assert amounts == [amount for amount, _alias in self.accepted]
        assert all(b - a >= self.auction.increment_fen for a, b in zip(amounts, amounts[1:]))

    @invariant()
    def chain_verifies(self):
        assert services.auction_chain_verify(self.auction) == (True, [])

    def teardown(self):
        try:
            self.frozen.move_to(self.ends_at + datetime.timedelta(seconds=1))
            auction = services.auction_close(auction=self.auction)
            if self.accepted:
                top_amount, top_alias = max(self.accepted)
                assert auction.status == AuctionStatus.SUCCEEDED
                deal = Deal.objects.get(auction=auction)
                winner = auction.bidders.get(status="won")
                assert (winner.alias, deal.price_fen, deal.buyer_id) == (top_alias, top_amount, winner.organization_id)
                assert auction.bidders.filter(status="won").count() == 1
            else:
                assert auction.status == AuctionStatus.FAILED
        finally:
            self.clock.stop()


def test_auction_state_machine(seller, bureau, buyers):
    users = [u for _o, u in buyers]
    run_state_machine_as_test(
        lambda: AuctionMachine(seller=seller, bureau=bureau, users=users),
        settings=settings(max_examples=20, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]))
