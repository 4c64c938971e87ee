import datetime
import os
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from freezegun import freeze_time

from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange, StatusChange
from techmarket.portal.models import Article, ArticleAttachment
from techmarket.portal.services import (
    article_attachment_delete,
    article_create,
    article_delete,
    article_publish,
    article_unpublish,
    article_update,
    normalize_document_number,
)

from . import factories as f


def stored_files(media_root) -> list[str]:
    return [os.path.join(d, n) for d, _dirs, names in os.walk(media_root) for n in names]


@pytest.mark.django_db
class TestArticleCreate:
    def test_create_saves_draft_with_attachment_and_audit(self, zhengzhou, zz_admin, settings):
        # given
        upload = f.upload("关于开展申报工作的通知.pdf")

        # when
        article = article_create(by=zz_admin, city=zhengzhou, kind="notice", title="关于开展申报工作的通知",
                                 body="正文", attachments=[upload])

        # then
        assert article.status == "draft"
        assert article.published_at is None
        attachment = article.attachments.get()
        assert attachment.original_name == "关于开展申报工作的通知.pdf"
        assert attachment.size == len(f.PDF_BYTES)
        assert attachment.file.name.startswith(f"portal/articles/{article.pk}/")
        assert str(settings.MEDIA_ROOT) in attachment.file.path
        change = ObjectChange.objects.get(object_id=str(article.pk), action="create")
        assert change.actor == zz_admin
        assert change.after["attachments"] == ["关于开展申报工作的通知.pdf"]

    def test_create_refuses_disallowed_extension_and_saves_nothing(self, zhengzhou, zz_admin, settings):
        # given
        bad = f.upload("setup.exe", b"MZ\x90\x00")

        # when
        with pytest.raises(ApplicationError) as caught:
            article_create(by=zz_admin, city=zhengzhou, kind="notice", title="带附件的通知", body="正文",
                           attachments=[f.upload("ok.pdf"), bad])

        # then
        error = caught.value.errors[0]
        assert error.field == "attachments"
        assert "setup.exe" in error.message and "不允许上传" in error.message
        assert not Article.objects.exists()
        assert not ArticleAttachment.objects.exists()
        assert stored_files(settings.MEDIA_ROOT) == []

    def test_create_refuses_oversized_attachment_and_saves_nothing(self, zhengzhou, zz_admin, settings):
        # given
        settings.TECHMARKET_UPLOAD_MAX_MB = 1
        big = f.upload("大文件.pdf", f.PDF_BYTES + b"0" * (1024 * 1024))

        # when
        with pytest.raises(ApplicationError) as caught:
            article_create(by=zz_admin, city=zhengzhou, kind="notice", title="通知", body="正文", attachments=[big])

        # then
        assert "超过上限 1 MB" in caught.value.errors[0].message
        assert not Article.objects.exists()
        assert stored_files(settings.MEDIA_ROOT) == []

    def test_create_refuses_content_that_does_not_match_extension(self, zhengzhou, zz_admin):
        # given
        fake_pdf = f.upload("通知.pdf", b"<html><script>alert(1)</script></html>")

        # when
        with pytest.raises(ApplicationError) as caught:
            article_create(by=zz_admin, city=zhengzhou, kind="notice", title="通知", body="正文",
                           attachments=[fake_pdf])

        # then
        assert "内容与扩展名 .pdf 不符" in caught.value.errors[0].message
        assert not Article.objects.exists()

    def test_failure_after_files_are_stored_removes_them(self, zhengzhou, zz_admin, settings):
        # given
        with mock.patch("techmarket.portal.services.record_change", side_effect=RuntimeError("boom")):
            # when
            with pytest.raises(RuntimeError):
                article_create(by=zz_admin, city=zhengzhou, kind="notice", title="通知", body="正文",
                               attachments=[f.upload()])

        # then
        assert not Article.objects.exists()
        assert stored_files(settings.MEDIA_ROOT) == []

    def test_create_by_bureau_admin_of_another_city_is_refused(self, zhengzhou, hb_admin):
        # when / then
        with pytest.raises(PermissionDenied):
            article_create(by=hb_admin, city=zhengzhou, kind="notice", title="通知", body="正文")
        assert not Article.objects.exists()

    def test_create_by_district_officer_is_refused(self, zhengzhou, zz_officer):
        with pytest.raises(PermissionDenied):
            article_create(by=zz_officer, city=zhengzhou, kind="notice", title="通知", body="正文")

    def test_create_without_title_names_the_field(self, zhengzhou, zz_admin):
        with pytest.raises(ApplicationError) as caught:
            article_create(by=zz_admin, city=zhengzhou, kind="notice", title="  ", body="正文")
        assert [e.field for e in caught.value.errors] == ["title"]
        assert not Article.objects.exists()

    def test_create_normalizes_document_number(self, zhengzhou, zz_admin):
        article = article_create(by=zz_admin, city=zhengzhou, kind="policy", title="实施方案", body="正文",
                                 document_number="鹤政 [2019] 12号")
        assert article.document_number == "鹤政〔2019〕12号"

    def test_create_with_publish_publishes_at_once(self, zhengzhou, zz_admin):
        article = article_create(by=zz_admin, city=zhengzhou, kind="notice", title="通知", body="正文", publish=True)
        assert article.status == "published"
        assert article.published_at is not None


class TestNormalizeDocumentNumber:
    @pytest.mark.parametrize("raw", ["鹤政〔2019〕12号", "鹤政[2019]12号", "鹤政（2019）12号", "鹤政【2019】12号",
                                     "鹤政(2019)12号", " 鹤政 〔2019〕 12号 "])
    def test_year_brackets_become_the_standard_ones(self, raw):
        assert normalize_document_number(raw) == "鹤政〔2019〕12号"


@pytest.mark.django_db
class TestArticlePublish:
    @freeze_time("2024-05-06 02:00:00")
    def test_publish_sets_publication_time_and_records_transition(self, zhengzhou, zz_admin):
        # given
        article = f.article(by=zz_admin, city=zhengzhou)

        # when
        article = article_publish(article=article, by=zz_admin, comment="经局长审定")

        # then
        assert article.status == "published"
        assert article.published_at == timezone.now()
        change = StatusChange.objects.get(object_id=str(article.pk))
        assert (change.from_status, change.to_status, change.actor, change.comment) == (
            "draft", "published", zz_admin, "经局长审定")

    def test_publish_keeps_the_publication_time_the_editor_set(self, zhengzhou, zz_admin):
        when = timezone.make_aware(datetime.datetime(2019, 3, 26, 9, 0))
        article = f.article(by=zz_admin, city=zhengzhou, published_at=when)
        assert article_publish(article=article, by=zz_admin).published_at == when

    def test_publish_by_bureau_admin_of_another_city_is_refused(self, zhengzhou, zz_admin, hb_admin):
        article = f.article(by=zz_admin, city=zhengzhou)
        with pytest.raises(PermissionDenied):
            article_publish(article=article, by=hb_admin)
        article.refresh_from_db()
        assert article.status == "draft"

    def test_publish_of_published_article_is_refused(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        with pytest.raises(ApplicationError) as caught:
            article_publish(article=article, by=zz_admin)
        assert caught.value.errors[0].code == "invalid_state"


@pytest.mark.django_db
class TestArticleUnpublish:
    def test_unpublish_returns_article_to_draft(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        article = article_unpublish(article=article, by=zz_admin, comment="内容需更新")
        assert article.status == "draft"
        assert StatusChange.objects.filter(object_id=str(article.pk), action="unpublish").exists()


@pytest.mark.django_db
class TestArticleUpdate:
    def test_update_records_field_and_attachment_changes(self, zhengzhou, zz_admin):
        # given
        article = f.article(by=zz_admin, city=zhengzhou, title="旧标题")

        # when
        article_update(article=article, by=zz_admin, data={"title": "新标题"},
                       attachments=[f.upload("a.png", f.PNG_BYTES)])

        # then
        change = ObjectChange.objects.get(object_id=str(article.pk), action="update")
        diffs = {name: (before, after) for name, before, after in change.changed_fields}
        assert diffs["title"] == ("旧标题", "新标题")
        assert diffs["attachments"] == ([], ["a.png"])

    def test_update_refuses_bad_attachment_and_keeps_everything(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, title="旧标题")
        with pytest.raises(ApplicationError):
            article_update(article=article, by=zz_admin, data={"title": "新标题"},
                           attachments=[f.upload("x.html", b"<html>")])
        article.refresh_from_db()
        assert article.title == "旧标题"
        assert not article.attachments.exists()

    def test_update_moving_article_to_a_city_out_of_scope_is_refused(self, zhengzhou, hebi, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou)
        with pytest.raises(PermissionDenied):
            article_update(article=article, by=zz_admin, data={"city": hebi})

    def test_update_of_unknown_field_is_refused(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou)
        with pytest.raises(ApplicationError):
            article_update(article=article, by=zz_admin, data={"status": "published"})

    def test_attachment_delete_removes_file_after_commit(self, zhengzhou, zz_admin, settings,
                                                          django_capture_on_commit_callbacks):
        article = f.article(by=zz_admin, city=zhengzhou, attachments=[f.upload()])
        attachment = article.attachments.get()
        with django_capture_on_commit_callbacks(execute=True):
            article_attachment_delete(attachment=attachment, by=zz_admin)
        assert not article.attachments.exists()
        assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
class TestArticleDelete:
    def test_delete_of_published_article_is_refused(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        with pytest.raises(ApplicationError) as caught:
            article_delete(article=article, by=zz_admin)
        assert "先撤回" in caught.value.errors[0].message
        assert Article.objects.filter(pk=article.pk).exists()

    def test_delete_of_draft_removes_it_with_files_and_is_recorded(self, zhengzhou, zz_admin, settings,
                                                                   django_capture_on_commit_callbacks):
        article = f.article(by=zz_admin, city=zhengzhou, attachments=[f.upload()])
        pk = article.pk
        with django_capture_on_commit_callbacks(execute=True):
            article_delete(article=article, by=zz_admin)
        assert not Article.objects.filter(pk=pk).exists()
        assert stored_files(settings.MEDIA_ROOT) == []
        assert ObjectChange.objects.filter(object_id=str(pk), action="delete", actor=zz_admin).exists()


@pytest.mark.django_db
class TestArticleUpdatePublicationTime:
    def test_empty_publication_time_keeps_that_of_a_published_article(self, zhengzhou, zz_admin):
        article = f.article(by=zz_admin, city=zhengzhou, publish=True)
        published_at = article.published_at
        article = article_update(article=article, by=zz_admin, data={"published_at": None, "title": "改"})
        assert article.published_at == published_at
