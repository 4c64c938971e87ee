import pytest
from django.urls import reverse
from freezegun import freeze_time

from techmarket.portal.models import Article, PortalCity
from techmarket.portal.selectors import SESSION_KEY

from . import factories as f


def detail_url(article) -> str:
    return reverse("portal:article_detail", kwargs={"code": article.city.code, "kind_slug": article.kind_slug,
                                                    "pk": article.pk})


@pytest.mark.django_db
class TestHome:
    def test_home_lists_active_cities(self, client, zhengzhou, hebi):
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "郑州市科学技术局" in html and "鹤壁市科学技术局" in html

    def test_home_redirects_when_only_one_city_is_active(self, client, zhengzhou):
        PortalCity.objects.exclude(pk=zhengzhou.pk).update(is_active=False)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/city/4101/"

    def test_inactive_city_home_is_not_found(self, client, zhengzhou):
        zhengzhou.is_active = False
        zhengzhou.save()
        assert client.get("/city/4101/").status_code == 404


@pytest.mark.django_db
class TestCityHome:
    def test_city_home_shows_only_published_articles(self, client, zhengzhou, zz_admin):
        # given
        f.article(by=zz_admin, city=zhengzhou, title="已发布的通知", publish=True)
        f.article(by=zz_admin, city=zhengzhou, kind="policy", title="已发布的政策", publish=True)
        f.article(by=zz_admin, city=zhengzhou, title="尚未发布的草稿")

        # when
        response = client.get("/city/4101/")

        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert "已发布的通知" in html and "已发布的政策" in html
        assert "尚未发布的草稿" not in html

    def test_city_home_does_not_show_other_cities_articles(self, client, zhengzhou, hebi, hb_admin):
        f.article(by=hb_admin, city=hebi, title="鹤壁的通知", publish=True)
        assert "鹤壁的通知" not in client.get("/city/4101/").content.decode()

    @freeze_time("2024-06-01 04:00:00")
    def test_city_home_counts_figures_of_the_city_subtree(self, client, zhengzhou):
        # given: two enterprises in Zhengzhou districts, one of them high-tech, one in Hebi
        hitech = f.organization(region_code="410105")
        f.hitech(hitech, recognised_on="2023-01-01", valid_until="2025-12-31")
        f.organization(region_code="410122")
        f.organization(region_code="410602")

        # when
        response = client.get("/city/4101/")

        # then
        figures = {fig["key"]: fig["value"] for fig in response.context["figures"]}
        assert figures["organizations"] == 2
        assert figures["hitech_enterprises"] == 1

    def test_visiting_a_city_remembers_it_in_the_session_and_header(self, client, zhengzhou, hebi):
        client.get("/city/4106/")
        assert client.session[SESSION_KEY] == "4106"
        response = client.get("/search/")
        assert response.context["current_city"].pk == hebi.pk

    def test_user_defaults_to_the_city_of_their_organization(self, client, zhengzhou, hebi, enterprise_user):
        client.force_login(enterprise_user)
        response = client.get("/search/")
        assert response.context["current_city"].pk == zhengzhou.pk


@pytest.mark.django_db
class TestFrame:
    """The city's brand, menu, navigation and footer are rendered once per process ({% cache %} in base.html)."""

    @staticmethod
    def active_nav(html: str) -> list[str]:
        nav = html.split('id="tm-nav-items"')[1].split("</nav>")[0]
        return [part.split('href="')[1].split('"')[0] for part in nav.split('class="nav-link active"')[1:]]

    def test_each_section_marks_its_own_navigation_item(self, client, zhengzhou, hebi):
        client.get("/city/4101/")

        assert self.active_nav(client.get("/achievements/").content.decode()) == ["/achievements/"]
        assert self.active_nav(client.get("/demands/").content.decode()) == ["/demands/"]
        assert self.active_nav(client.get("/search/").content.decode()) == []
        assert self.active_nav(client.get("/city/4101/").content.decode()) == ["/city/4101/"]

    def test_each_city_gets_its_own_frame(self, client, zhengzhou, hebi):
        client.get("/city/4101/")
        zz = client.get("/achievements/").content.decode()
        client.get("/city/4106/")
        hb = client.get("/achievements/").content.decode()

        assert "主办单位：郑州市科学技术局" in zz and "主办单位：鹤壁市科学技术局" in hb
        assert 'href="/city/4106/"' in hb.split('class="tm-brand"')[1].split(">")[0]

    def test_a_renamed_bureau_shows_at_once(self, client, zhengzhou, hebi):
        client.get("/city/4101/")
        assert "主办单位：郑州市科学技术局" in client.get("/achievements/").content.decode()

        # when
        zhengzhou.bureau_name = "郑州市科学技术局（郑州市外国专家局）"
        zhengzhou.save()

        # then
        assert "主办单位：郑州市科学技术局（郑州市外国专家局）" in client.get("/achievements/").content.decode()

    def test_the_user_menu_is_not_shared_between_visitors(self, client, zhengzhou, enterprise_user):
        anonymous = client.get("/achievements/").content.decode()
        client.force_login(enterprise_user)
        signed_in = client.get("/achievements/").content.decode()

        assert "登录" in anonymous and enterprise_user.display_name not in anonymous
        assert enterprise_user.display_name in signed_in and "/accounts/login/?next=" not in signed_in


@pytest.mark.django_db
class TestArticlePages:
    def test_draft_article_is_not_found_publicly(self, client, zhengzhou, zz_admin):
        draft = f.article(by=zz_admin, city=zhengzhou)
        assert client.get(detail_url(draft)).status_code == 404

    def test_draft_article_is_not_found_even_for_its_manager_on_public_pages(self, client, zhengzhou, zz_admin):
        draft = f.article(by=zz_admin, city=zhengzhou)
        client.force_login(zz_admin)
        assert client.get(detail_url(draft)).status_code == 404

    def test_published_article_body_is_escaped_and_split_into_paragraphs(self, client, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True, body="第一段<script>x</script>\n\n第二段")
        html = client.get(detail_url(article)).content.decode()
        assert "<p>第一段&lt;script&gt;x&lt;/script&gt;</p>" in html
        assert "<p>第二段</p>" in html

    def test_article_under_wrong_kind_or_city_is_not_found(self, client, zhengzhou, hebi, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, kind="notice", publish=True)
        assert client.get(f"/city/4101/policies/{article.pk}/").status_code == 404
        assert client.get(f"/city/4106/notices/{article.pk}/").status_code == 404
        assert client.get(f"/city/4101/other/{article.pk}/").status_code == 404

    def test_list_is_paginated_by_twenty_and_keeps_the_query(self, client, zhengzhou, zz_admin):
        for n in range(23):
            f.article(by=zz_admin, city=zhengzhou, title=f"申报通知{n:02d}", publish=True)
        response = client.get("/city/4101/notices/?q=申报&page=2")
        assert len(response.context["page_obj"].object_list) == 3
        assert "q=%E7%94%B3%E6%8A%A5&amp;page=1" in response.content.decode()


@pytest.mark.django_db
class TestAttachmentDownload:
    def test_anonymous_cannot_download_a_drafts_attachment(self, client, zhengzhou, zz_admin):
        draft = f.article(by=zz_admin, city=zhengzhou, attachments=[f.upload()])
        url = reverse("portal:attachment_download", kwargs={"pk": draft.attachments.get().pk})
        assert client.get(url).status_code == 404

    def test_bureau_admin_of_another_city_cannot_download_a_drafts_attachment(self, client, zhengzhou, zz_admin,
                                                                                hb_admin):
        draft = f.article(by=zz_admin, city=zhengzhou, attachments=[f.upload()])
        client.force_login(hb_admin)
        url = reverse("portal:attachment_download", kwargs={"pk": draft.attachments.get().pk})
        assert client.get(url).status_code == 404

    def test_manager_can_download_a_drafts_attachment(self, client, zhengzhou, zz_admin):
        draft = f.article(by=zz_admin, city=zhengzhou, attachments=[f.upload()])
        client.force_login(zz_admin)
        url = reverse("portal:attachment_download", kwargs={"pk": draft.attachments.get().pk})
        assert client.get(url).status_code == 200

    def test_published_attachment_streams_with_rfc5987_filename(self, client, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True, attachments=[f.upload("申报 指南.pdf")])
        response = client.get(reverse("portal:attachment_download", kwargs={"pk": article.attachments.get().pk}))
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''%E7%94%B3%E6%8A%A5%20%E6%8C%87%E5%8D%97.pdf")
        assert response["Content-Type"] == "application/octet-stream"
        assert b"".join(response.streaming_content) == f.PDF_BYTES


@pytest.mark.django_db
class TestSearch:
    def test_search_finds_published_titles_in_the_notices_tab_of_the_site_search(self, client, zhengzhou,
                                                                                  zz_admin):
        # The title search moved to the site search (matching:search), where it is a tab (issue 4).
        f.article(by=zz_admin, city=zhengzhou, title="技术合同登记通知", publish=True)
        f.article(by=zz_admin, city=zhengzhou, title="技术合同草稿")
        html = client.get("/search/?q=技术合同").content.decode()
        assert "技术合同登记通知" in html and "技术合同草稿" not in html
        assert "通知公告与政策文件" in html
        html = client.get(reverse("portal:search") + "?q=技术合同&type=notice").content.decode()
        assert "技术合同登记通知" in html and "技术合同草稿" not in html


@pytest.mark.django_db
class TestManageDashboard:
    def test_anonymous_gets_not_found(self, client):
        assert client.get("/manage/").status_code == 404

    def test_enterprise_user_gets_not_found(self, client, enterprise_user):
        client.force_login(enterprise_user)
        assert client.get("/manage/").status_code == 404

    def test_district_officer_sees_dashboard_without_articles(self, client, zz_officer):
        client.force_login(zz_officer)
        response = client.get("/manage/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "/manage/organizations/" in html and "/manage/registrations/" in html
        assert "/manage/articles/" not in html
        assert 'href="/admin/"' not in html

    def test_bureau_admin_sees_articles_and_admin(self, client, zz_admin):
        client.force_login(zz_admin)
        html = client.get("/manage/").content.decode()
        assert "/manage/articles/" in html and 'href="/admin/"' in html


@pytest.mark.django_db
class TestManageArticles:
    def test_district_officer_gets_not_found_on_article_management(self, client, zz_officer):
        client.force_login(zz_officer)
        assert client.get("/manage/articles/").status_code == 404
        assert client.get("/manage/articles/new/").status_code == 404

    def test_out_of_scope_bureau_admin_gets_not_found_on_edit(self, client, zhengzhou, zz_admin, hb_admin):
        # given
        article = f.article(by=zz_admin, city=zhengzhou, title="郑州的通知")
        client.force_login(hb_admin)
        url = reverse("portal:manage_article_edit", kwargs={"pk": article.pk})

        # when
        get = client.get(url)
        post = client.post(url, {"city": zhengzhou.pk, "kind": "notice", "title": "改掉", "body": "x"})
        publish = client.post(reverse("portal:manage_article_action", kwargs={"pk": article.pk, "action": "publish"}))

        # then
        assert (get.status_code, post.status_code, publish.status_code) == (404, 404, 404)
        article.refresh_from_db()
        assert (article.title, article.status) == ("郑州的通知", "draft")

    def test_manage_list_shows_only_articles_in_scope(self, client, zhengzhou, hebi, zz_admin, hb_admin):
        f.article(by=zz_admin, city=zhengzhou, title="郑州的草稿")
        f.article(by=hb_admin, city=hebi, title="鹤壁的草稿")
        client.force_login(hb_admin)
        html = client.get("/manage/articles/").content.decode()
        assert "鹤壁的草稿" in html and "郑州的草稿" not in html

    def test_create_with_bad_attachment_shows_chinese_error_and_saves_nothing(self, client, zhengzhou, zz_admin):
        # given
        client.force_login(zz_admin)

        # when
        response = client.post("/manage/articles/new/", {
            "city": zhengzhou.pk, "kind": "notice", "title": "关于申报的通知", "body": "正文",
            "attachments": [f.upload("病毒.exe", b"MZ")], "save": "1",
        })

        # then
        assert response.status_code == 200
        assert "附件“病毒.exe”的类型不允许上传" in response.context["form"].errors["attachments"][0]
        assert "附件“病毒.exe”的类型不允许上传" in response.content.decode()
        assert not Article.objects.exists()

    def test_create_with_missing_body_shows_the_field_error(self, client, zhengzhou, zz_admin):
        client.force_login(zz_admin)
        response = client.post("/manage/articles/new/", {"city": zhengzhou.pk, "kind": "notice", "title": "标题"})
        assert response.status_code == 200
        assert response.context["form"].errors["body"] == ["这个字段是必填项。"]

    def test_create_and_publish_in_one_step(self, client, zhengzhou, zz_admin):
        client.force_login(zz_admin)
        response = client.post("/manage/articles/new/", {
            "city": zhengzhou.pk, "kind": "policy", "title": "实施方案", "body": "正文",
            "document_number": "郑科[2019]1号", "attachments": [f.upload("方案.pdf")], "publish": "1",
        })
        article = Article.objects.get()
        assert response.status_code == 302
        assert (article.status, article.document_number, article.attachments.count()) == (
            "published", "郑科〔2019〕1号", 1)

    def test_create_for_a_city_out_of_scope_is_refused(self, client, zhengzhou, hebi, hb_admin):
        client.force_login(hb_admin)
        response = client.post("/manage/articles/new/", {"city": zhengzhou.pk, "kind": "notice", "title": "t",
                                                         "body": "b"})
        assert response.status_code == 200
        assert "city" in response.context["form"].errors
        assert not Article.objects.exists()

    def test_detail_shows_history_and_actions(self, client, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        client.force_login(zz_admin)
        html = client.get(reverse("portal:manage_article_detail", kwargs={"pk": article.pk})).content.decode()
        assert "变更记录" in html and "草稿" in html and "已发布" in html
        assert reverse("portal:manage_article_action", kwargs={"pk": article.pk, "action": "unpublish"}) in html

    def test_unpublish_action_takes_article_off_public_pages(self, client, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        client.force_login(zz_admin)
        client.post(reverse("portal:manage_article_action", kwargs={"pk": article.pk, "action": "unpublish"}),
                    {"comment": "需修改"})
        client.logout()
        assert client.get(detail_url(article)).status_code == 404
