"""Every write of the portal: articles, their attachments, publishing. Each is checked and audited."""
from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition

from .attachments import clean_attachments, clean_filename
from .choices import ArticleStatus
from .models import Article, ArticleAttachment, PortalCity
from .permissions import can_manage_article, can_manage_city_articles

EDITABLE_FIELDS = ("city", "kind", "title", "summary", "body", "issuing_authority", "document_number",
                   "published_at")

_YEAR_BRACKETS = re.compile(r"[\[\(（【〔［<〈]\s*(\d{4})\s*[\]\)）】〕］>〉]")


def normalize_document_number(value: str) -> str:
    """鹤政[2019]12号 / 鹤政（2019）12号 → 鹤政〔2019〕12号, the bracket GB/T 9704 prescribes."""
    value = re.sub(r"\s+", "", str(value or ""))
    return _YEAR_BRACKETS.sub(r"〔\1〕", value)


def article_audit_snapshot(article: Article) -> dict:
    data = snapshot(article)
    data["attachments"] = [a.original_name for a in article.attachments.all()] if article.pk else []
    return data


def _require_city(by, city: PortalCity) -> None:
    if not can_manage_city_articles(by, city):
        raise PermissionDenied(_("无权管理{city}的文章").format(city=city.name))


def _full_clean(article: Article) -> None:
    try:
        article.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from exc


def _store_attachments(*, article: Article, uploads, stored: list[str]) -> list[ArticleAttachment]:
    rows = []
    for upload in uploads:
        row = ArticleAttachment(article=article, original_name=clean_filename(upload.name), size=upload.size)
        upload.seek(0)
        row.file.save(row.original_name, upload, save=False)
        stored.append(row.file.name)
        row.save()
        rows.append(row)
    return rows


def _delete_files_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            default_storage.delete(name)
    transaction.on_commit(delete)


@transaction.atomic
def article_create(*, by, city: PortalCity, kind: str, title: str, body: str, summary: str = "",
                   issuing_authority: str = "", document_number: str = "", published_at=None,
                   attachments=(), publish: bool = False) -> Article:
    """Create a draft article with its attachments in one transaction; ``publish`` publishes it at once."""
    _require_city(by, city)
    uploads = clean_attachments(attachments)
    article = Article(city=city, kind=kind, title=(title or "").strip(), body=body or "",
                      summary=(summary or "").strip(), issuing_authority=(issuing_authority or "").strip(),
                      document_number=normalize_document_number(document_number), published_at=published_at,
                      created_by=by if getattr(by, "pk", None) else None)
    _full_clean(article)
    stored: list[str] = []
    try:
        article.save()
        _store_attachments(article=article, uploads=uploads, stored=stored)
        record_change(obj=article, action=ObjectChange.Action.CREATE, by=by, after=article_audit_snapshot(article))
        if publish:
            article = article_publish(article=article, by=by)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return article


@transaction.atomic
def article_update(*, article: Article, by, data: dict, attachments=(), remove_attachment_ids=()) -> Article:
    """Change the fields in ``data`` (names of EDITABLE_FIELDS), add uploads, remove attachments by id."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not can_manage_article(by, article):
        raise PermissionDenied(_("无权修改这篇文章"))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(sorted(unknown))), code="not_editable")
    if "city" in data and data["city"] != article.city:
        _require_city(by, data["city"])
    removed = list(article.attachments.filter(pk__in=list(remove_attachment_ids)))
    uploads = clean_attachments(attachments, existing=article.attachments.count() - len(removed))
    before = article_audit_snapshot(article)
    for name, value in data.items():
        if name == "published_at" and value is None and article.status == ArticleStatus.PUBLISHED:
            continue  # a published article keeps its publication time when the field is left empty
        if name == "document_number":
            value = normalize_document_number(value)
        elif isinstance(value, str) and name != "body":
            value = value.strip()
        setattr(article, name, value)
    _full_clean(article)
    stored: list[str] = []
    try:
        article.save()
        removed_files = [row.file.name for row in removed]
        for row in removed:
            row.delete()
        _store_attachments(article=article, uploads=uploads, stored=stored)
        after = article_audit_snapshot(article)
        if after != before:
            record_change(obj=article, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
        _delete_files_on_commit(removed_files)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return article


@transaction.atomic
def article_attachment_delete(*, attachment: ArticleAttachment, by) -> Article:
    return article_update(article=attachment.article, by=by, data={}, remove_attachment_ids=[attachment.pk])


@transaction.atomic
def article_publish(*, article: Article, by, comment: str = "") -> Article:
    """Publish a draft; its publication time is the one set by the editor, else now."""
    article = transition(article, action="publish", by=by, comment=comment)
    if article.published_at is None:
        article.published_at = timezone.now()
        article.save(update_fields=["published_at", "updated_at"])
    return article


@transaction.atomic
def article_unpublish(*, article: Article, by, comment: str = "") -> Article:
    """Withdraw a published article to draft; it leaves the public pages and the API at once."""
    return transition(article, action="unpublish", by=by, comment=comment)


@transaction.atomic
def article_delete(*, article: Article, by) -> None:
    """Delete a draft and its files. A published article must be withdrawn first."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not can_manage_article(by, article):
        raise PermissionDenied(_("无权删除这篇文章"))
    if article.status == ArticleStatus.PUBLISHED:
        raise ApplicationError(_("已发布的文章请先撤回再删除"), code="published")
    files = [row.file.name for row in article.attachments.all()]
    record_change(obj=article, action=ObjectChange.Action.DELETE, by=by, before=article_audit_snapshot(article))
    article.delete()
    _delete_files_on_commit(files)


@transaction.atomic
def portal_city_save(*, city: PortalCity, by) -> PortalCity:
    """Create or change a served city (admin only); validated and audited."""
    before = None
    if city.pk:
        before = snapshot(PortalCity.objects.get(pk=city.pk))
    try:
        city.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from exc
    city.save()
    after = snapshot(city)
    if before is None:
        record_change(obj=city, action=ObjectChange.Action.CREATE, by=by, after=after)
    elif before != after:
        record_change(obj=city, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return city
