"""Portal: the cities an instance serves, and the bureaus' notices and policy documents."""
from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .choices import KIND_SLUGS, ArticleKind, ArticleStatus

DEFAULT_HEADLINE_FIGURES = ["organizations", "contract_amount", "hitech_enterprises", "people", "platforms"]


def default_headline_figures() -> list[str]:
    return list(DEFAULT_HEADLINE_FIGURES)


class PortalCity(models.Model):
    """A city this instance serves. A city deployment has one active row; a province-wide one has several."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="portal_city",
                                  limit_choices_to={"level": 2}, verbose_name=_("城市"))
    bureau_name = models.CharField(_("主办单位"), max_length=100, help_text=_("如“郑州市科学技术局”"))
    slogan = models.CharField(_("标语"), max_length=200, blank=True,
                              help_text=_("首页横幅下方的一句话介绍"))
    contact_phone = models.CharField(_("服务电话"), max_length=40, blank=True,
                                     help_text=_("显示在页脚的单位服务电话"))
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    headline_figures = models.JSONField(
        _("首页统计指标"), default=default_headline_figures, blank=True,
        help_text=_("按顺序列出首页展示的指标代码，如 organizations、hitech_enterprises、people、platforms"))

    class Meta:
        verbose_name = _("服务城市")
        verbose_name_plural = _("服务城市")
        ordering = ["sort_order", "region__code"]

    def __str__(self) -> str:
        return self.region.name

    def clean(self) -> None:
        from techmarket.regions.models import Region

        from .headlines import HEADLINES

        if self.region_id and self.region.level != Region.Level.CITY:
            raise ValidationError({"region": _("请选择地级市")})
        figures = self.headline_figures or []
        if not isinstance(figures, list) or not all(isinstance(k, str) for k in figures):
            raise ValidationError({"headline_figures": _("应为指标代码列表，如 [\"organizations\", \"people\"]")})
        unknown = [k for k in figures if k not in HEADLINES]
        if unknown:
            raise ValidationError({"headline_figures": _("未知的指标代码：{codes}；可用：{known}").format(
                codes="、".join(unknown), known="、".join(HEADLINES))})

    @property
    def code(self) -> str:
        """The 4-digit code used in URLs: /city/4101/."""
        return self.region.code[:4]

    @property
    def name(self) -> str:
        return self.region.name

    @property
    def province_name(self) -> str:
        return self.region.parent.name if self.region.parent_id else ""

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:city_home", kwargs={"code": self.code})


class Article(TimeStampedModel):
    """A notice (通知公告) or policy document (政策文件) a city's bureau publishes on the portal."""

    city = models.ForeignKey(PortalCity, on_delete=models.PROTECT, related_name="articles",
                             verbose_name=_("城市"))
    kind = models.CharField(_("栏目"), max_length=16, choices=ArticleKind.choices, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True,
                               help_text=_("列表中显示的一两句话；为空时取正文开头"))
    body = models.TextField(_("正文"), help_text=_("纯文本，空行分段"))
    issuing_authority = models.CharField(_("发文机关"), max_length=100, blank=True,
                                         help_text=_("如“鹤壁市人民政府”"))
    document_number = models.CharField(_("文号"), max_length=64, blank=True,
                                       help_text=_("如“鹤政〔2019〕12号”"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True,
                                        help_text=_("为空时在发布时取当前时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    TRANSITIONS: dict = {}  # filled in workflows.py

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["city", "kind", "status", "-published_at"], name="portal_article_public")]
        permissions = [("publish_article", _("发布或撤回文章"))]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def kind_slug(self) -> str:
        return KIND_SLUGS[ArticleKind(self.kind)]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:article_detail", kwargs={"code": self.city.code, "kind_slug": self.kind_slug,
                                                        "pk": self.pk})

    @property
    def display_summary(self) -> str:
        if self.summary:
            return self.summary
        text = " ".join(self.body.split())
        return text[:120] + ("…" if len(text) > 120 else "")


def attachment_upload_to(instance: "ArticleAttachment", filename: str) -> str:
    # Stored under a random name: the original name is kept in the row and sent on download.
    ext = PurePosixPath(filename).suffix.lower()
    return f"portal/articles/{instance.article_id}/{uuid.uuid4().hex}{ext}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments",
                                verbose_name=_("文章"))
    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePosixPath(self.original_name).suffix.lower().lstrip(".")
