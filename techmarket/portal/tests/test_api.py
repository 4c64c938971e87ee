import pytest

from . import factories as f


@pytest.mark.django_db
class TestArticleListApi:
    def test_lists_only_published_articles_of_the_city_and_kind(self, client, zhengzhou, hebi, zz_admin, hb_admin):
        # given
        notice = f.article(by=zz_admin, city=zhengzhou, kind="notice", title="郑州通知", publish=True)
        f.article(by=zz_admin, city=zhengzhou, kind="policy", title="郑州政策", publish=True)
        f.article(by=zz_admin, city=zhengzhou, kind="notice", title="郑州草稿")
        f.article(by=hb_admin, city=hebi, kind="notice", title="鹤壁通知", publish=True)

        # when
        response = client.get("/api/v1/articles", {"city": "4101", "kind": "notice"})

        # then
        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (1, 1, 20)
        item = body["items"][0]
        assert (item["id"], item["title"], item["city"], item["kind_display"]) == (
            notice.pk, "郑州通知", "4101", "通知公告")
        assert item["published_at"].endswith("+08:00")

    def test_unknown_kind_is_a_422_naming_the_field(self, client, zhengzhou):
        response = client.get("/api/v1/articles", {"kind": "news"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "kind"

    def test_unknown_city_is_a_422(self, client, zhengzhou):
        response = client.get("/api/v1/articles", {"city": "9999"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "city"


@pytest.mark.django_db
class TestArticleDetailApi:
    def test_published_article_has_body_and_attachments(self, client, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True, attachments=[f.upload("指南.pdf")])
        body = client.get(f"/api/v1/articles/{article.pk}").json()
        assert body["body"] == article.body
        assert body["attachments"][0]["name"] == "指南.pdf"
        assert body["attachments"][0]["url"] == f"/attachments/{article.attachments.get().pk}/"

    def test_draft_article_is_404(self, client, zhengzhou, zz_admin):
        draft = f.article(by=zz_admin, city=zhengzhou)
        response = client.get(f"/api/v1/articles/{draft.pk}")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
class TestCityListApi:
    def test_lists_active_cities_with_figures(self, client, zhengzhou, hebi):
        hebi.is_active = False
        hebi.save()
        body = client.get("/api/v1/cities", {"page_size": 100}).json()
        codes = [c["code"] for c in body["items"]]
        assert "4101" in codes and "4106" not in codes
        zz = next(c for c in body["items"] if c["code"] == "4101")
        assert zz["bureau_name"] == "郑州市科学技术局"
        assert {fig["key"] for fig in zz["headline_figures"]} >= {"organizations", "people"}
