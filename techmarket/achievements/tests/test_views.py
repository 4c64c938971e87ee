"""Pages of the 成果库: public list and detail, the owners' pages and the reviewers' inbox (issue 3, M1)."""
from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time

from techmarket.achievements.models import Achievement
from techmarket.disclosure.models import DisclosureAccess, DisclosureRequest
from techmarket.notifications.models import Notification

from . import factories as f

PDF = b"%PDF-1.4\n%test\n"


def login(client, user):
    client.force_login(user)
    return client


def published(owner, reviewer, **overrides):
    return f.achievement_in_state("published", owner=owner, reviewer=reviewer, **overrides)


def form_data(**overrides) -> dict:
    data = {"title": "高效光伏组件封装技术", "abstract": "提高组件寿命的封装工艺。", "keywords": "光伏、封装",
            "tech_field": "10", "trl": "6", "transfer_modes": ["transfer", "equity"], "price": "50",
            "price_min": "", "price_max": "", "region": "", "contact": "", "discipline": "", "ip_type": "01",
            "patent_numbers": "", "confidential_detail": "封装胶配方。", "publish_at": ""}
    data.update(overrides)
    return data


class TestAchievementPublicList:
    def test_lists_published_and_hides_drafts_and_expired(self, client, owner, bureau):
        # given (the expired one first: the factory expires everything due 400 days ahead)
        f.achievement_in_state("expired", owner=owner, reviewer=bureau, title="过期成果")
        shown = published(owner, bureau, title="已发布的成果")
        f.achievement_in_state("draft", owner=owner, reviewer=bureau, title="草稿成果")
        f.achievement_in_state("submitted", owner=owner, reviewer=bureau, title="待审核成果")
        # when
        response = client.get("/achievements/")
        # then
        assert response.status_code == 200
        text = response.content.decode()
        assert shown.title in text and f"/achievements/{shown.pk}/" in text
        assert "草稿成果" not in text and "待审核成果" not in text and "过期成果" not in text

    def test_a_published_record_past_its_expiry_leaves_the_list_before_the_scheduler_runs(self, client, owner, bureau):
        # given
        record = published(owner, bureau, title="快到期的成果")
        # when
        with freeze_time(record.expires_at + datetime.timedelta(minutes=1)):
            response = client.get("/achievements/")
        # then
        assert "快到期的成果" not in response.content.decode()

    def test_filters_by_trl_and_price_in_wan_yuan(self, client, owner, bureau):
        # given
        published(owner, bureau, title="低成熟度成果", trl=4, price="500000.00")
        published(owner, bureau, title="高成熟度成果", trl=8, price="3000000.00")
        # when
        by_trl = client.get("/achievements/", {"trl_min": "7"}).content.decode()
        by_price = client.get("/achievements/", {"price_max": "100"}).content.decode()
        # then
        assert "高成熟度成果" in by_trl and "低成熟度成果" not in by_trl
        assert "低成熟度成果" in by_price and "高成熟度成果" not in by_price
        assert "50.00 万元" in by_price

    def test_a_trl_range_upside_down_is_shown_as_a_field_error(self, client, db):
        response = client.get("/achievements/", {"trl_min": "7", "trl_max": "3"})
        assert response.status_code == 200
        assert response.context["form"].errors["trl_max"] == ["上限不能低于下限"]


class TestAchievementPublicDetail:
    def test_stranger_sees_the_summary_but_not_the_confidential_detail_and_a_request_button(
            self, client, owner, bureau, enterprise):
        # given
        record = published(owner, bureau)
        # when
        response = login(client, enterprise).get(f"/achievements/{record.pk}/")
        # then
        text = response.content.decode()
        assert response.status_code == 200
        assert record.abstract in text and "郑州材料研究院" in text
        assert f"/organizations/{record.owner_organization_id}/" in text
        assert record.confidential_detail not in text
        assert "申请查看保密信息" in text and 'action="/disclosures/request/"' in text
        assert 'name="record_type" value="achievements.achievement"' in text
        assert not DisclosureAccess.objects.exists()

    def test_the_request_form_creates_a_disclosure_request(self, client, owner, bureau, enterprise):
        # given
        record = published(owner, bureau)
        login(client, enterprise)
        # when
        response = client.post("/disclosures/request/", {
            "record_type": "achievements.achievement", "record_id": record.pk, "message": "拟受让",
            "next": f"/achievements/{record.pk}/"})
        # then
        req = DisclosureRequest.objects.get()
        assert response.status_code == 302 and req.record == record and req.requester == enterprise
        page = client.get(f"/achievements/{record.pk}/").content.decode()
        assert "已提交查看申请" in page and f"/disclosures/{req.pk}/" in page

    def test_anonymous_visitors_are_asked_to_log_in(self, client, owner, bureau):
        record = published(owner, bureau)
        text = client.get(f"/achievements/{record.pk}/").content.decode()
        assert "登录后申请查看保密信息" in text and "/accounts/login/?next=" in text
        assert record.confidential_detail not in text

    def test_owner_sees_the_detail_and_each_view_is_logged(self, client, owner, bureau):
        # given
        record = published(owner, bureau)
        login(client, owner)
        # when
        client.get(f"/achievements/{record.pk}/")
        response = client.get(f"/achievements/{record.pk}/")
        # then
        assert record.confidential_detail in response.content.decode()
        assert DisclosureAccess.objects.filter(user=owner).count() == 2

    def test_a_draft_is_404_for_a_stranger_and_visible_to_its_owner(self, client, owner, bureau, enterprise):
        record = f.achievement(owner=owner)
        assert login(client, enterprise).get(f"/achievements/{record.pk}/").status_code == 404
        response = login(client, owner).get(f"/achievements/{record.pk}/")
        assert response.status_code == 200 and "目前未公开" in response.content.decode()


class TestAchievementOwnerPages:
    def test_owner_creates_and_submits_through_the_pages(self, client, owner):
        login(client, owner)
        # when the owner saves the form (price in 万元)
        response = client.post("/manage/achievements/new/", form_data())
        # then a draft exists with the price in fen
        record = Achievement.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/manage/achievements/{record.pk}/"
        assert record.status == "draft" and record.price_fen == 50_000_000 and record.keywords == ["光伏", "封装"]
        assert record.transfer_modes == ["transfer", "equity"] and record.region.code == "410105"
        # and its page offers 提交审核
        page = client.get(f"/manage/achievements/{record.pk}/").content.decode()
        assert "提交审核" in page and "草稿" in page
        # when submitted
        response = client.post(f"/manage/achievements/{record.pk}/actions/submit/", {})
        # then
        record.refresh_from_db()
        assert response.status_code == 302 and record.status == "submitted"
        assert "待审核" in client.get("/manage/achievements/").content.decode()

    def test_service_errors_are_shown_in_chinese_on_their_field(self, client, owner):
        response = login(client, owner).post("/manage/achievements/new/", form_data(price_min="30", price_max="80"))
        assert response.status_code == 200 and not Achievement.objects.exists()
        assert response.context["form"].errors["price"] == ["固定价格与价格区间只能填写一种"]
        response = client.post("/manage/achievements/new/", form_data(transfer_modes=[]))
        assert response.context["form"].errors["transfer_modes"] == ["请至少选择一种转化方式"]

    def test_owner_edits_a_returned_achievement_and_sees_the_reason(self, client, owner, officer_in):
        # given
        record = f.achievement_in_state("returned", owner=owner, reviewer=officer_in)
        login(client, owner)
        # when
        page = client.get(f"/manage/achievements/{record.pk}/").content.decode()
        # then the reason and the comment are shown, and the edit form saves
        assert "退回修改：其他" in page and "请补充" in page and "重新提交" in page
        response = client.post(f"/manage/achievements/{record.pk}/edit/", form_data(title="修改后的名称"))
        record.refresh_from_db()
        assert response.status_code == 302 and record.title == "修改后的名称"

    def test_editing_a_published_achievement_is_the_chinese_403(self, client, owner, bureau):
        record = published(owner, bureau)
        response = login(client, owner).get(f"/manage/achievements/{record.pk}/edit/")
        assert response.status_code == 403 and "草稿或退回修改" in response.content.decode()

    def test_renew_button_appears_inside_the_reminder_window(self, client, owner, bureau):
        # given
        record = published(owner, bureau)
        login(client, owner)
        assert "续期</button>" not in client.get(f"/manage/achievements/{record.pk}/").content.decode()
        # when 10 days before expiry
        with freeze_time(record.expires_at - datetime.timedelta(days=10)):
            login(client, owner)  # a fresh session: the old one timed out
            page = client.get(f"/manage/achievements/{record.pk}/").content.decode()
            response = client.post(f"/manage/achievements/{record.pk}/renew/")
            now = timezone.now()
        # then
        assert "续期</button>" in page and "10 天后" in page
        record.refresh_from_db()
        assert response.status_code == 302 and record.expires_at > now + datetime.timedelta(days=300)

    def test_attachments_are_uploaded_with_the_confidential_flag_and_deleted(self, client, owner):
        record = f.achievement(owner=owner)
        login(client, owner)
        # when
        response = client.post(f"/manage/achievements/{record.pk}/attachments/", {
            "file": SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"), "is_confidential": "on"})
        # then
        row = record.attachments.get()
        assert response.status_code == 302 and row.is_confidential and row.original_name == "方案.pdf"
        assert "方案.pdf" in client.get(f"/manage/achievements/{record.pk}/").content.decode()
        response = client.post(f"/manage/achievements/{record.pk}/attachments/{row.pk}/delete/")
        assert response.status_code == 302 and not record.attachments.exists()

    def test_a_wrong_file_type_is_refused_in_chinese(self, client, owner):
        record = f.achievement(owner=owner)
        response = login(client, owner).post(f"/manage/achievements/{record.pk}/attachments/", {
            "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")})
        assert response.status_code == 200 and not record.attachments.exists()
        assert response.context["attachment_form"].errors["file"]

    def test_a_stranger_cannot_open_the_managed_pages(self, client, owner, enterprise):
        record = f.achievement(owner=owner)
        login(client, enterprise)
        assert client.get(f"/manage/achievements/{record.pk}/").status_code == 404
        assert client.post(f"/manage/achievements/{record.pk}/actions/submit/").status_code == 404


class TestAchievementReviewInbox:
    def test_in_scope_officer_approves_from_the_inbox_and_the_record_becomes_public(
            self, client, owner, officer_in):
        # given
        record = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        login(client, officer_in)
        inbox = client.get("/manage/achievements/review/").content.decode()
        assert record.title in inbox and f"/manage/achievements/{record.pk}/" in inbox
        page = client.get(f"/manage/achievements/{record.pk}/").content.decode()
        assert "审核通过" in page and "退回修改" in page and "不予通过" in page and "请选择原因" in page
        # when
        response = client.post(f"/manage/achievements/{record.pk}/actions/approve/", {"approve-comment": "同意"})
        # then
        record.refresh_from_db()
        assert response.status_code == 302 and response["Location"] == "/manage/achievements/review/"
        assert record.status == "published"
        client.logout()
        assert record.title in client.get("/achievements/").content.decode()
        assert client.get(f"/achievements/{record.pk}/").status_code == 200

    def test_the_owner_is_notified_with_a_link_to_the_managed_page(
            self, client, owner, officer_in, django_capture_on_commit_callbacks):
        record = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        with django_capture_on_commit_callbacks(execute=True):
            login(client, officer_in).post(f"/manage/achievements/{record.pk}/actions/approve/", {})
        notice = Notification.objects.filter(recipient=owner).latest("pk")
        assert notice.link == f"/manage/achievements/{record.pk}/"

    def test_out_of_scope_officer_gets_404(self, client, owner, officer_out):
        record = f.achievement_in_state("submitted", owner=owner, reviewer=officer_out)
        login(client, officer_out)
        assert record.title not in client.get("/manage/achievements/review/").content.decode()
        assert client.get(f"/manage/achievements/{record.pk}/").status_code == 404
        assert client.post(f"/manage/achievements/{record.pk}/actions/approve/", {}).status_code == 404
        record.refresh_from_db()
        assert record.status == "submitted"

    def test_reject_without_a_reason_code_shows_the_chinese_error_on_the_reason_field(
            self, client, owner, officer_in):
        # given
        record = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        # when
        response = login(client, officer_in).post(f"/manage/achievements/{record.pk}/actions/reject/",
                                                  {"reject-comment": "不符合"})
        # then
        assert response.status_code == 200
        form = next(a["form"] for a in response.context["actions"] if a["name"] == "reject")
        assert form.errors["reason_code"] == ["请选择原因"]
        assert 'id="id_reject-reason_code_errors"' in response.content.decode()
        record.refresh_from_db()
        assert record.status == "submitted"

    def test_return_with_a_reason_code(self, client, owner, officer_in):
        record = f.achievement_in_state("submitted", owner=owner, reviewer=officer_in)
        login(client, officer_in).post(f"/manage/achievements/{record.pk}/actions/return/",
                                       {"return-reason_code": "missing_materials", "return-comment": "补充检测报告"})
        record.refresh_from_db()
        assert record.status == "returned"
        page = login(client, owner).get(f"/manage/achievements/{record.pk}/").content.decode()
        assert "材料不全" in page and "补充检测报告" in page

    def test_the_inbox_is_404_for_non_staff(self, client, owner):
        assert login(client, owner).get("/manage/achievements/review/").status_code == 404


class TestMarketNavigation:
    def test_main_navigation_links_the_two_registries(self, client, db):
        text = client.get("/achievements/").content.decode()
        assert text.index('href="/achievements/"') < text.index('href="/demands/"') < text.index(
            'href="/organizations/"')

    def test_dashboard_shows_the_review_cards_with_waiting_counts(self, client, owner, bureau):
        f.achievement_in_state("submitted", owner=owner, reviewer=bureau)
        text = login(client, bureau).get("/manage/").content.decode()
        assert "成果审核" in text and "需求审核" in text and "当前待审核 1 项" in text

    def test_user_menu_links_my_achievements_for_an_institution(self, client, owner):
        text = login(client, owner).get("/achievements/").content.decode()
        assert 'href="/manage/achievements/"' in text and "发布成果" in text
