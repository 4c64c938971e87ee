"""Pages: the list, the live page and its polled fragment, the htmx bid form, the chain file (verified with
the published one-liner), and the bureau's managed page."""
from __future__ import annotations

import html
import re
import subprocess
import sys

from django.test import Client

from techmarket.auctions import services
from techmarket.auctions.choices import AuctionStatus, DepositStatus
from techmarket.auctions.models import Auction, Bid

from . import factories
from .test_bidding import START, STEP


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestPublicPages:
    def test_list_has_the_three_phases(self, auction):
        page = Client().get("/auctions/?phase=upcoming")
        assert page.status_code == 200
        text = page.content.decode()
        assert "竞价中" in text and "即将开拍" in text and "已结束" in text
        assert auction.achievement.title in text

    def test_live_page_polls_every_second_and_shows_the_rulebook(self, auction, buyers):
        with factories.during(auction):
            text = logged_in(buyers[0][1]).get(f"/auctions/{auction.pk}/").content.decode()
        assert 'hx-trigger="every 1s, auction-bid from:body"' in text
        assert "竞价规则" in text and "不会出现同价" in text and "延时规则" in text
        assert 'id="bid-form"' in text and "A01" in text

    def test_fragment_shows_a_new_bid(self, auction, buyers):
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + 7 * STEP)
            text = Client().get(f"/auctions/{auction.pk}/live/?phase=open", HTTP_HX_REQUEST="true").content.decode()
        assert "107,000.00" in text and "A02" in text and buyers[1][0].name not in text

    def test_fragment_asks_for_a_reload_when_the_phase_changed(self, auction):
        with factories.during(auction):
            response = Client().get(f"/auctions/{auction.pk}/live/?phase=upcoming", HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response["HX-Refresh"] == "true"

    def test_htmx_bid_answers_a_fragment_with_the_chinese_refusal(self, auction, buyers):
        with factories.during(auction):
            client = logged_in(buyers[0][1])  # signed in at the frozen time (sessions expire after 30 idle minutes)
            low = client.post(f"/auctions/{auction.pk}/bid/", {"amount": "99999.00"}, HTTP_HX_REQUEST="true")
            ok = client.post(f"/auctions/{auction.pk}/bid/", {"amount": "100000.00"}, HTTP_HX_REQUEST="true")
        assert "alert-danger" in low.content.decode() and "出价不能低于起拍价" in low.content.decode()
        assert "HX-Trigger" not in low
        assert ok["HX-Trigger"] == "auction-bid" and "出价成功" in ok.content.decode()
        assert Bid.objects.filter(auction=auction).count() == 1

    def test_bid_without_javascript_redirects_with_the_message(self, auction, buyers):
        with factories.during(auction):
            response = logged_in(buyers[2][1]).post(f"/auctions/{auction.pk}/bid/", {"amount": "100000.00"},
                                                    follow=True)
        assert "出价成功" in response.content.decode()

    def test_result_page_names_the_winner_and_the_final_hash(self, auction, buyers):
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
        with factories.after_end(auction):
            text = Client().get(f"/auctions/{auction.pk}/").content.decode()
        auction.refresh_from_db()
        assert buyers[0][0].name in text and "以 <strong>100,000.00</strong> 元竞得" in text
        assert auction.last_hash in text and "最终哈希" in text


class TestChainFile:
    def test_published_one_liner_verifies_the_log_and_catches_a_change(self, auction, buyers):
        # given three accepted bids
        with factories.during(auction):
            for i, (_org, user) in enumerate([buyers[0], buyers[1], buyers[0]]):
                services.bid_place(auction=auction, by=user, amount_fen=START + i * STEP)
        auction.refresh_from_db()
        chain = Client().get(f"/auctions/{auction.pk}/chain.txt").content
        # the one-liner printed on the page (after the pipe), run exactly as a reader would
        page = Client().get(f"/auctions/{auction.pk}/").content.decode()
        command = html.unescape(re.search(r'\| (python3 -c ".*?")</code>', page).group(1))
        code = command[len('python3 -c "'):-1]

        def run(data: bytes) -> str:
            return subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                                  check=True).stdout.decode().strip()

        # then it prints the final hash for the published log
        assert run(chain) == auction.last_hash
        # and reports a failure when one amount is changed
        tampered = chain.replace(b"|101000.00|", b"|101500.00|")
        assert tampered != chain and run(tampered) == "校验失败"

    def test_service_verification_finds_a_changed_row(self, auction, buyers):
        with factories.during(auction):
            services.bid_place(auction=auction, by=buyers[0][1], amount_fen=START)
            services.bid_place(auction=auction, by=buyers[1][1], amount_fen=START + STEP)
        assert services.auction_chain_verify(auction) == (True, [])
        Bid.objects.filter(auction=auction, seq=1).update(amount_fen=START + 1)
        ok, problems = services.auction_chain_verify(auction)
        assert not ok and any("序号 1" in p for p in problems)


class TestManagedPages:
    def test_bureau_sees_terms_form_bidders_and_history(self, auction, bureau, buyers):
        text = logged_in(bureau).get(f"/manage/auctions/{auction.pk}/").content.decode()
        assert "保存拍卖条件" in text and buyers[0][0].name in text and "保证金记录" in text

    def test_scope_404_and_seller_read_only(self, auction, buyers, seller, other_bureau, officer):
        assert logged_in(buyers[0][1]).get(f"/manage/auctions/{auction.pk}/").status_code == 404
        assert logged_in(other_bureau).get(f"/manage/auctions/{auction.pk}/").status_code == 404
        own = logged_in(seller).get(f"/manage/auctions/{auction.pk}/").content.decode()
        assert "保存拍卖条件" not in own and buyers[0][0].name not in own and "竞价结束后公布" in own
        assert "保存拍卖条件" not in logged_in(officer).get(f"/manage/auctions/{auction.pk}/").content.decode()
        assert Client().get(f"/manage/auctions/{auction.pk}/").status_code == 302

    def test_terms_form_saves_and_reports_errors_on_fields(self, auction, bureau):
        client = logged_in(bureau)
        data = {"terms-starting_price": "100000.00", "terms-increment": "1500.00", "terms-reserve_price": "90000",
                "terms-deposit": "10000.00", "terms-starts_at": auction.starts_at.strftime("%Y-%m-%dT%H:%M"),
                "terms-ends_at": auction.ends_at.strftime("%Y-%m-%dT%H:%M"), "terms-extension_minutes": "5",
                "terms-signing_days": "10"}
        bad = client.post(f"/manage/auctions/{auction.pk}/terms/", data)
        assert bad.status_code == 422 and "保留价不应低于起拍价" in bad.content.decode()
        data["terms-reserve_price"] = ""
        assert client.post(f"/manage/auctions/{auction.pk}/terms/", data).status_code == 302
        assert Auction.objects.get(pk=auction.pk).increment_fen == 150_000

    def test_deposit_buttons_and_cancel(self, seller, bureau, buyers):
        auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers], confirm=[])
        client = logged_in(bureau)
        bidder = auction.bidders.get(alias="A01")
        url = f"/manage/auctions/{auction.pk}/bidders/{bidder.pk}/confirm_deposit/"
        assert client.post(url, {"reference": ""}).status_code == 422
        assert client.post(url, {"reference": "HD-9"}).status_code == 302
        bidder.refresh_from_db()
        assert bidder.deposit_status == DepositStatus.CONFIRMED
        response = client.post(f"/manage/auctions/{auction.pk}/actions/cancel/", {"cancel-comment": "委托方撤回"})
        assert response.status_code == 302
        assert Auction.objects.get(pk=auction.pk).status == AuctionStatus.CANCELLED

    def test_manage_list_is_scoped(self, auction, bureau, other_bureau, seller):
        assert auction.achievement.title in logged_in(bureau).get("/manage/auctions/").content.decode()
        assert auction.achievement.title not in logged_in(other_bureau).get("/manage/auctions/").content.decode()
        assert auction.achievement.title in logged_in(seller).get("/manage/auctions/").content.decode()
