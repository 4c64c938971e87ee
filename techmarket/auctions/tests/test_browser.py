"""The issue's browser check, in headless Debian Chromium driven by Playwright.

Two enterprise users, each in its own browser context, open the same live auction page; each bids through
the page's htmx form, and each page shows the other's higher bid within 3 seconds (the live block is
polled every second).
"""
import pytest

from . import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-only"  # core.tests.factories.user


def signed_in_page(browser, live_server, user, auction):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    page.goto(f"{live_server.url}/auctions/{auction.pk}/")
    return page


def bid(page, amount: str) -> None:
    from playwright.sync_api import expect

    page.fill("#id_amount", amount)
    page.locator("#bid-form [type=submit]").click()
    expect(page.locator("#bid-feedback")).to_contain_text("出价成功", timeout=3000)


def test_each_page_shows_the_others_higher_bid_within_3_seconds(live_server, browser, seller, bureau, buyers):
    from playwright.sync_api import expect

    # given an auction open now with bidders A01 and A02, each on the live page
    auction = factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers[:2]])
    auction = factories.open_now(auction, bureau=bureau, minutes=30)
    first = signed_in_page(browser, live_server, buyers[0][1], auction)
    second = signed_in_page(browser, live_server, buyers[1][1], auction)
    expect(first.locator("#auction-my-alias")).to_have_text("A01")
    expect(second.locator("#auction-my-alias")).to_have_text("A02")

    # when A01 bids the starting price
    bid(first, "100000.00")
    # then A02's page shows it within 3 seconds
    expect(second.locator("#auction-high")).to_contain_text("100,000.00", timeout=3000)
    expect(second.locator("#auction-high-alias")).to_contain_text("A01", timeout=3000)

    # when A02 outbids
    bid(second, "105000.00")
    # then A01's page shows the higher bid within 3 seconds, with the history by alias only
    expect(first.locator("#auction-high")).to_contain_text("105,000.00", timeout=3000)
    expect(first.locator("#auction-bids tbody tr").first).to_contain_text("A02", timeout=3000)
    assert buyers[1][0].name not in first.content()

    # and a bid that is too low is refused on the page, in Chinese
    first.fill("#id_amount", "105500.00")
    first.locator("#bid-form [type=submit]").click()
    expect(first.locator("#bid-feedback")).to_contain_text("出价应不低于当前最高价加一个加价幅度", timeout=3000)
