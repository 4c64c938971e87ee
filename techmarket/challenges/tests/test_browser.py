"""The issue's browser check, in headless Debian Chromium driven by Playwright, on the live server.

An enterprise raises a challenge from its published demand; the district officer pre-approves it and the city
bureau publishes it (发榜); an institute accepts the agreement, reads the confidential detail and applies with
its team and milestones (揭榜); the bureau closes applications and appoints an expert (conflicts checked); the
expert scores; the enterprise awards (开榜) — every step through the pages, asserting what each actor sees.
"""
import datetime

import pytest
from django.utils import timezone

from techmarket.challenges.models import Challenge, ChallengeApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests-only"  # core.tests.factories.user
TIMEOUT_MS = 5000


class Actor:
    """One user in a browser context of its own."""

    def __init__(self, browser, live_server, user):
        self.base = live_server.url
        self.page = browser.new_context(locale="zh-CN").new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=username]", user.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.locator("form:has(input[name=password]) [type=submit]").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url

    def open(self, path: str):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def act(self, action: str, comment: str = ""):
        """Press a button of the 办理 panel (with a comment when the action's form has one)."""
        form = self.page.locator(f"form[data-action={action}]")
        if comment:
            form.locator("textarea").fill(comment)
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()


def test_from_demand_to_award_through_the_pages(live_server, browser, cast, published_demand, reindex):
    from playwright.sync_api import expect

    reindex()  # the talent registry in the search index: the panel's candidates are matched experts
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    # the enterprise raises a challenge from its demand: the form comes pre-filled from the demand
    setter = Actor(browser, live_server, cast.setter)
    page = setter.open(f"/manage/demands/{published_demand.pk}/")
    page.get_by_role("link", name="提出揭榜挂帅榜单").click()
    expect(page.locator("#id_title")).to_have_value(published_demand.title)
    page.fill("#id_application_deadline", deadline)
    page.fill("#id_duration_months", "12")
    page.fill("#id_indicators-0-name", "热变形补偿后定位误差")
    page.fill("#id_indicators-0-target", "≤5")
    page.fill("#id_indicators-0-unit", "μm")
    page.fill("#id_confidential_detail", "主轴型号 SP-200，温升曲线见附件。")
    page.locator(".tm-form-actions button[name=save]").click()
    page.wait_for_load_state()
    challenge = Challenge.objects.get()
    assert page.url.endswith(f"/manage/challenges/{challenge.pk}/")
    setter.act("submit")
    expect(page.locator(".tm-page-head .tm-status").first).to_have_text("待初审")

    # the district officer pre-approves; the city bureau publishes (发榜)
    officer = Actor(browser, live_server, cast.officer)
    officer.open(f"/manage/challenges/{challenge.pk}/")
    expect(officer.page.locator("form[data-action=publish]")).to_have_count(0)  # 发榜 stays with the city
    officer.act("pre_approve", "材料齐全，同意发榜")
    expect(officer.page.locator(".tm-page-head .tm-status").first).to_have_text("待发榜")
    bureau = Actor(browser, live_server, cast.bureau)
    bureau.open(f"/manage/challenges/{challenge.pk}/")
    bureau.act("publish")
    expect(bureau.page.locator(".tm-page-head .tm-status").first).to_have_text("揭榜中")
    expect(bureau.page.locator("#push-log")).to_be_visible()

    # the institute finds it on the public list, accepts the agreement and applies
    applicant = Actor(browser, live_server, cast.applicant)
    page = applicant.open("/challenges/")
    page.get_by_role("link", name=challenge.title).click()
    expect(page.locator("#countdown")).to_contain_text("剩")
    assert "SP-200" not in page.content()  # the confidential tier waits for the agreement
    page.locator("#apply-button").click()
    expect(page.locator("#agreement-text")).to_contain_text("保密")
    page.check("#id_agree")
    page.locator("#agreement-form button[type=submit]").click()
    expect(page.locator("#application-form")).to_be_visible()
    page.fill("#id_technical_plan", "基于温度场实时测量与神经网络模型的主轴热误差补偿方案。")
    page.fill("#id_price", "500000")
    page.fill("#id_duration_months", "10")
    page.select_option("#id_team-0-person", str(cast.researcher.pk))
    page.fill("#id_team-0-role", "项目负责人")
    page.check("#id_team-0-is_leader")
    page.fill("#id_milestones-0-title", "样机验证")
    page.fill("#id_milestones-0-month", "10")
    page.locator(".tm-form-actions button[name=save]").click()
    page.wait_for_load_state()
    application = ChallengeApplication.objects.get()
    assert page.url.endswith(f"/manage/challenges/applications/{application.pk}/")
    applicant.act("submit")
    expect(page.locator(".tm-page-head .tm-status").first).to_have_text("已揭榜")
    page = applicant.open(f"/challenges/{challenge.pk}/")
    expect(page.locator("#confidential-detail")).to_contain_text("SP-200")

    # the deadline passes (the clock is moved, not waited for); the bureau closes applications and appoints
    Challenge.objects.filter(pk=challenge.pk).update(
        application_deadline=timezone.now() - datetime.timedelta(minutes=1))
    bureau.open(f"/manage/challenges/{challenge.pk}/")
    bureau.act("close_applications")
    expect(bureau.page.locator(".tm-page-head .tm-status").first).to_have_text("评审中")
    expect(bureau.page.locator("#panel-candidates")).to_contain_text(cast.expert.name)
    bureau.page.select_option("#appoint-form select[name=person]", str(cast.expert.pk))
    bureau.page.locator("#appoint-form button[type=submit]").click()
    expect(bureau.page.locator("#panel-members")).to_contain_text(cast.expert.name)

    # the expert scores from the inbox
    expert = Actor(browser, live_server, cast.expert_user)
    page = expert.open("/manage/challenges/reviews/")
    expect(page.locator("#pending-count")).to_have_text("1")
    page.get_by_role("link", name="评分").click()
    for box in page.locator("#score-form input[name^=score_]").all():
        box.fill("85")
    page.fill("#score-form textarea[name=comment]", "方案可行，团队较强。")
    page.locator("#score-form button[name=submit]").click()
    expect(page.locator("#scoring")).to_contain_text("85.00")

    # the enterprise sees the ranking (reviewers anonymised) and awards (开榜)
    page = setter.open(f"/manage/challenges/{challenge.pk}/")
    expect(page.locator("#ranking")).to_contain_text(cast.applicant.organization.name)
    expect(page.locator("#panel")).to_contain_text("已遴选评审专家 1 名")
    expect(page.locator("#panel")).not_to_contain_text(cast.expert.name)  # the push log names whom it notified
    page.select_option("#award-form select[name=winner]", str(application.pk))
    page.locator("#award-form button[type=submit]").click()
    expect(page.locator(".tm-page-head .tm-status").first).to_have_text("已开榜")
    expect(page.locator("#contract-link")).to_be_visible()

    # the institute sees its award and the anonymised scores, never the expert's name
    page = applicant.open(f"/manage/challenges/applications/{application.pk}/")
    expect(page.locator("#feedback")).to_contain_text("中榜")
    expect(page.locator("#reviews")).to_contain_text("专家1")
    assert cast.expert.name not in page.content()
