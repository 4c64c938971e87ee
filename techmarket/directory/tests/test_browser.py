"""The issue's browser check, in headless Debian Chromium driven by Playwright.

officer-410105 logs in, edits a 金水区 organization, and gets 404 on the managed page of a 二七区 one.
"""
import pytest

from techmarket.directory.models import Organization

from .factories import make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page(browser):
    return browser.new_page(locale="zh-CN")


def test_district_officer_edits_in_scope_and_gets_404_out_of_scope(live_server, browser_page, make_user):
    # given
    make_user("officer-410105", "district_officer", region_code="410105")
    jinshui = make_organization("金水浏览器测试科技有限公司", region_code="410105")
    erqi = make_organization("二七浏览器测试机械有限公司", region_code="410103")
    page = browser_page

    # when the officer logs in
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "officer-410105")
    page.fill("input[name=password]", "pw-for-tests-123")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url

    # and edits the 金水区 organization's address
    page.goto(f"{live_server.url}/manage/organizations/{jinshui.pk}/edit/")
    page.fill("input[name=address]", "郑州市金水区花园路 100 号")
    page.locator("form:has(input[name=address]) [type=submit]").last.click()
    page.wait_for_load_state()

    # then the change is saved and shown
    jinshui.refresh_from_db()
    assert jinshui.address == "郑州市金水区花园路 100 号"
    assert "郑州市金水区花园路 100 号" in page.content()

    # and the 二七区 organization's managed page is a 404
    response = page.goto(f"{live_server.url}/manage/organizations/{erqi.pk}/")
    assert response.status == 404
    assert Organization.objects.get(pk=erqi.pk).address == ""
