"""Demo trading: listings in every state, agreement deals under public notice, auctions (one open
while the demo runs, closed ones with results), deals and the draft contracts they made.

Everything goes through the services, so the histories, notifications, bid hash chains and deposit
records are what the product itself writes. To give the records a past, the services run under a
demo clock (``demo_clock``) that sets the time the services read; nothing else is faked.
"""
from __future__ import annotations

import contextlib
import datetime
from unittest import mock

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.auctions import services as auctions
from techmarket.auctions.selectors import auction_setting_current
from techmarket.core.money import yuan_str
from techmarket.deals import services as deals
from techmarket.directory.models import Person
from techmarket.listings import services as listings
from techmarket.listings.models import Listing

User = get_user_model()

# Cities with demo trading accounts (SPEC §3: ent-/univ-/inst-/agency-/broker- of 4101 and 4106).
CITIES = ("4101", "4106")
MARKER = "（演示交易）"  # in listing conditions: makes the loader idempotent
DAY = datetime.timedelta(days=1)


@contextlib.contextmanager
def demo_clock(moment: datetime.datetime):
    """Run services as if it were ``moment`` (django.utils.timezone.now is what every service reads)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class TradingLoader:
    def __init__(self, loader, city4: str):
        self.loader = loader
        self.city4 = city4
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.users = {u.username: u for u in User.objects.filter(username__regex=rf"^[a-z]+-{city4}(-\d+)?$")
                      .select_related("organization")}
        self.bureau = self.users[f"bureau-{city4}"]
        self.univ, self.inst = self.users[f"univ-{city4}-1"], self.users[f"inst-{city4}-1"]
        self.ents = [self.users[f"ent-{city4}-{i}"] for i in (1, 2, 3)]
        self.broker = Person.objects.filter(user__username=f"broker-{city4}-1").first()
        self.used: set[int] = set()

    # -- material ------------------------------------------------------------------------------

    def achievement(self, seller, *, mode: str) -> tuple[Achievement | None, object]:
        """A public achievement offered with ``mode``, not yet traded, of ``seller``'s organization or,
        when it has none left, of the city's other demo institution; with the user who sells it."""
        for user in (seller, self.inst if seller == self.univ else self.univ):
            candidates = (Achievement.objects.filter(owner_organization=user.organization, status="published",
                                                     expires_at__gt=self.now + 60 * DAY)
                          .exclude(pk__in=self.used).exclude(listings__isnull=False).exclude(deals__isnull=False)
                          .order_by("pk"))
            for a in candidates:
                if mode in a.transfer_modes:
                    self.used.add(a.pk)
                    return a, user
        return None, seller

    def seller_user(self, listing: Listing):
        return self.univ if listing.seller_id == self.univ.organization_id else self.inst

    @staticmethod
    def price(achievement: Achievement) -> int:
        fen = achievement.price_fen or achievement.price_min_fen or 30_000_000
        return max(1_000_000, fen // 1_000_000 * 1_000_000)  # whole 万元

    def listing(self, seller, *, mode: str, at: datetime.datetime, days: int = 20, state: str = "open",
                note: str = "") -> Listing | None:
        achievement, seller = self.achievement(seller, mode=mode)
        if achievement is None:
            return None
        with demo_clock(at - 2 * DAY):
            listing = listings.listing_create(by=seller, achievement=achievement, transfer_mode=mode,
                                              price_fen=self.price(achievement), period_days=days,
                                              broker=self.broker if note == "broker" else None,
                                              conditions=f"受让方需具备相关产业化条件。{MARKER}")
            if state == "draft":
                return listing
            listing = listings.listing_submit(listing=listing, by=seller)
            if state == "submitted":
                return listing
        with demo_clock(at - DAY):
            if state == "returned":
                return listings.listing_return(listing=listing, by=self.bureau, reason_code="missing_materials",
                                               comment="请补充成果的知识产权证明和交易条件说明。")
        with demo_clock(at):
            return listings.listing_approve(listing=listing, by=self.bureau)

    def interests(self, listing: Listing, buyers, *, at: datetime.datetime) -> None:
        for n, buyer in enumerate(buyers):
            with demo_clock(at + n * datetime.timedelta(hours=5)):
                listings.listing_register_interest(listing=listing, by=buyer, note="拟用于本单位产品升级。")

    def end(self, listing: Listing) -> Listing:
        with demo_clock(listing.ends_at + datetime.timedelta(minutes=1)):
            return listings.listing_close_if_due(listing=listing)

    def auction_from(self, listing: Listing, buyers, *, start: datetime.datetime):
        """End ``listing`` (two or more interests) and confirm the bidders' deposits."""
        listing = self.end(listing)
        auction = listing.auction
        for bidder, buyer in zip(auction.bidders.order_by("alias"), buyers):
            with demo_clock(start - DAY):
                auctions.bidder_deposit_confirm(bidder=bidder, by=self.bureau,
                                                reference=f"BZJ{start:%Y%m%d}{bidder.alias}")
        return auction

    def bids(self, auction, plan, *, start: datetime.datetime):
        """``plan``: (minutes after the start, bidder user, increments above the minimum)."""
        for minutes, buyer, steps in plan:
            auction.refresh_from_db()
            high = auction.high_bid.amount_fen if auction.high_bid_id else None
            amount = auctions.bid_minimum_fen(auction, high) + steps * auction.increment_fen
            with demo_clock(start + datetime.timedelta(minutes=minutes)):
                auctions.bid_place(auction=auction, by=buyer, amount_fen=amount)
        auction.refresh_from_db()
        return auction

    # -- the stories -----------------------------------------------------------------------------

    def run(self) -> int:
        now, (e1, e2, e3) = self.now, self.ents
        made = 0
        # Listings in the review states and open ones.
        for seller, state in ((self.univ, "draft"), (self.inst, "submitted"), (self.univ, "returned")):
            made += bool(self.listing(seller, mode="transfer", at=now - DAY, state=state))
        made += bool(self.listing(self.univ, mode="transfer", at=now - 3 * DAY, days=30))
        open_one = self.listing(self.inst, mode="licence_non_exclusive", at=now - 6 * DAY, days=20, note="broker")
        if open_one:
            self.interests(open_one, [e1], at=now - 4 * DAY)
            made += 1
        # Ended without interest, then withdrawn.
        unsold = self.listing(self.univ, mode="transfer", at=now - 40 * DAY, days=20)
        if unsold:
            self.end(unsold)
            made += 1
        gone = self.listing(self.inst, mode="transfer", at=now - 70 * DAY, days=20)
        if gone:
            self.end(gone)
            with demo_clock(gone.ends_at + 2 * DAY):
                listings.listing_withdraw(listing=gone, by=self.seller_user(gone), comment="拟调整转化方式后再挂牌。")
            made += 1
        # 挂牌成交: one interest. The first deal awaits the buyer's signature, the second is signed.
        pending = self.listing(self.univ, mode="licence_exclusive", at=now - 25 * DAY, days=20)
        if pending:
            self.interests(pending, [e2], at=now - 20 * DAY)
            self.end(pending)
            made += 1
        signed = self.listing(self.inst, mode="transfer", at=now - 60 * DAY, days=20)
        if signed:
            self.interests(signed, [e3], at=now - 50 * DAY)
            self.end(signed)
            with demo_clock(signed.ends_at + 3 * DAY):
                deals.deal_sign(deal=signed.deals.get(), by=e3)
            made += 1
        made += self.auctions()
        made += self.agreements()
        return made

    def auctions(self) -> int:
        now, (e1, e2, e3) = self.now, self.ents
        opens_after = datetime.timedelta(days=auction_setting_current().opens_after_days)
        made = 0
        # Open now: the listing ended so that the auction opened an hour ago; it stays open for the demo.
        live = self.listing(self.univ, mode="transfer", at=now - opens_after - 21 * DAY - datetime.timedelta(hours=1),
                            days=20)
        if live:
            self.interests(live, [e1, e2, e3], at=live.starts_at + DAY)
            start = now - datetime.timedelta(hours=1)
            auction = self.auction_from(live, [e1, e2], start=start)
            # Keep it open for the demo's visitors: two days instead of the default two hours.
            with demo_clock(start - 2 * DAY):
                auction = auctions.auction_update_terms(
                    auction=auction, by=self.bureau, comment="演示：延长竞价时间，便于体验",
                    data={"starts_at": start, "ends_at": now + 2 * DAY})
            self.bids(auction, [(5, e1, 0), (12, e2, 1), (30, e1, 0)], start=start)
            made += 1
        # Upcoming: deposits still to confirm.
        upcoming = self.listing(self.inst, mode="licence_exclusive", at=now - 20 * DAY - datetime.timedelta(hours=2),
                                days=20)
        if upcoming:
            self.interests(upcoming, [e2, e3], at=upcoming.starts_at + 2 * DAY)
            self.end(upcoming)
            made += 1
        # Closed with a winner, the deal signed and the draft contract made; and one below the reserve.
        for seller, reserve, sign in ((self.univ, False, True), (self.inst, True, False)):
            won = self.listing(seller, mode="transfer", at=now - 50 * DAY, days=20)
            if not won:
                continue
            self.interests(won, [e1, e2], at=won.starts_at + DAY)
            start = won.ends_at + opens_after
            auction = self.auction_from(won, [e1, e2], start=start)
            if reserve:
                with demo_clock(start - 2 * DAY):
                    auction = auctions.auction_update_terms(
                        auction=auction, by=self.bureau, comment="委托方设定保留价",
                        data={"reserve_price": yuan_str(auction.starting_price_fen * 2)})
            auction = self.bids(auction, [(10, e1, 0), (40, e2, 2), (70, e1, 1), (118, e2, 0)], start=start)
            with demo_clock(auction.ends_at + datetime.timedelta(minutes=1)):
                auction = auctions.auction_close(auction=auction)
            deal = auction.deals.first()
            if sign and deal is not None:
                with demo_clock(auction.ends_at + 2 * DAY):
                    deals.deal_sign(deal=deal, by=User.objects.get(organization=deal.buyer, username__startswith="ent-"))
            with demo_clock(auction.ends_at + 3 * DAY):
                for bidder in auction.bidders.filter(deposit_status="refund_due"):
                    auctions.bidder_deposit_refund(bidder=bidder, by=self.bureau, reference=f"TK{bidder.alias}")
            made += 1
        return made

    def agreements(self) -> int:
        """协议定价 by a state institute or university: under notice, with an objection, and closed."""
        now, (e1, e2, e3) = self.now, self.ents
        made = 0
        for seller, buyer, days_ago, story in ((self.univ, e1, 4, "notice"), (self.inst, e2, 8, "objection"),
                                               (self.univ, e3, 30, "closed")):
            achievement, seller = self.achievement(seller, mode="transfer")
            if achievement is None:
                continue
            at = now - days_ago * DAY
            with demo_clock(at - DAY):
                deal = deals.deal_propose_agreement(by=seller, achievement=achievement, buyer=buyer.organization,
                                                    price_fen=self.price(achievement), transfer_mode="transfer")
            with demo_clock(at):
                deal = deals.deal_sign(deal=deal, by=buyer)
            if story == "objection":
                with demo_clock(at + 2 * DAY):
                    deals.objection_create(notice=deal.notice, by=self.ents[0],
                                           text="该成果的部分专利权属存在争议，请核实后再成交。")
            if story == "closed":
                with demo_clock(deal.notice.closes_from + datetime.timedelta(hours=9)):
                    deals.deal_close(deal=deal, by=seller)  # the user who proposed it
            made += 1
        return made


def load_trading(loader) -> None:
    if Listing.objects.filter(Q(conditions__endswith=MARKER)).exists():
        loader.say("技术交易演示数据已存在，跳过。\n")
        return
    made = 0
    for city4 in CITIES:
        made += TradingLoader(loader, city4).run()
    loader.say(f"技术交易：挂牌、竞价与协议成交演示 {made} 项。\n")
