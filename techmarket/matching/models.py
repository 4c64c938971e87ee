"""Search and matching (SPEC §2 X1–X3, B2).

* ``DomainWord``: the domain dictionary of the Chinese analyzer (taxonomy names live in the taxonomies;
  keywords of achievements and demands are added here as they are saved).
* ``SearchDocument`` and ``SearchTerm``: the PostgreSQL engine's index (a GIN-indexed tsvector of segmented
  text per record, and document frequencies for BM25). Unused on SQLite, where the embedded engine keeps
  its own index files.
* ``MatchMark``: a user's "useful / not useful" mark on a match, with a coded reason (B2).
* ``FieldSubscription``: the technology fields a user wants pushed demands and challenges for (X3).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocType(models.TextChoices):
    ACHIEVEMENT = "achievement", _("科技成果")
    DEMAND = "demand", _("技术需求")
    EXPERT = "expert", _("专家人才")
    ORGANIZATION = "organization", _("单位")


class DomainWord(models.Model):
    word = models.CharField(_("词语"), max_length=32, unique=True)
    source = models.CharField(_("来源"), max_length=32, blank=True, help_text=_("如 achievement、demand、manual"))
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("领域词")
        verbose_name_plural = _("领域词典")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.word


class SearchDocument(models.Model):
    """One indexed record for the PostgreSQL engine. ``tsv`` (tsvector, GIN) is added by a PostgreSQL-only
    migration: lexemes are the analyzer's terms, weight A = title, B = keywords, D = body."""

    key = models.CharField(_("记录键"), max_length=64, unique=True)  # "achievement:12"
    doc_type = models.CharField(_("类型"), max_length=16, choices=DocType.choices)
    object_id = models.BigIntegerField(_("记录编号"))
    length = models.FloatField(_("加权长度"), default=0)
    category = models.CharField(_("学科/领域"), max_length=32, blank=True)
    public = models.BooleanField(_("公开"), default=False)
    owner_org = models.BigIntegerField(_("所属单位"), null=True, blank=True)
    regions = models.JSONField(_("区域（含上级）"), default=list)
    tech_fields = models.JSONField(_("技术领域（含上级）"), default=list)
    region_path = models.CharField(_("区域路径"), max_length=255, blank=True)
    trl = models.PositiveSmallIntegerField(_("技术就绪水平"), null=True, blank=True)
    price_min_fen = models.BigIntegerField(_("价格下限（分）"), null=True, blank=True)
    price_max_fen = models.BigIntegerField(_("价格上限（分）"), null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        indexes = [models.Index(fields=["doc_type", "object_id"], name="searchdoc_type_object"),
                   # the field prior's second query (one category) combines it with the GIN index
                   models.Index(fields=["category"], name="searchdoc_category")]

    def __str__(self) -> str:
        return self.key


class SearchTerm(models.Model):
    """Document frequency of a term in the PostgreSQL engine's index."""

    term = models.CharField(_("词项"), max_length=64, primary_key=True)
    df = models.IntegerField(_("文档频率"), default=0)

    class Meta:
        verbose_name = _("检索词项")
        verbose_name_plural = _("检索词项")

    def __str__(self) -> str:
        return f"{self.term} ({self.df})"


class MatchMark(models.Model):
    """A user's judgement of one match (B2): the target record is useful or not for the source record.

    A "not useful" mark by the owner of the source record removes the target from that list for good;
    all marks feed the ranking (``matching.ranking``).
    """

    source_type = models.CharField(_("匹配对象类型"), max_length=16, choices=DocType.choices)
    source_id = models.BigIntegerField(_("匹配对象编号"))
    target_type = models.CharField(_("匹配结果类型"), max_length=16, choices=DocType.choices)
    target_id = models.BigIntegerField(_("匹配结果编号"))
    useful = models.BooleanField(_("有用"))
    reason_code = models.ForeignKey("feedback.ReasonCode", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("不适用原因"))
    comment = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_marks",
                           verbose_name=_("标记人"))
    by_owner = models.BooleanField(_("所有者标记"), default=False,
                                   help_text=_("标记人属于匹配对象的所属单位"))
    created_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("匹配反馈")
        verbose_name_plural = _("匹配反馈")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "target_type", "target_id", "by"],
                                    name="unique_match_mark_per_user",
                                    violation_error_message=_("您已标记过该匹配结果")),
            models.CheckConstraint(condition=models.Q(useful=True) | models.Q(reason_code__isnull=False),
                                   name="match_mark_not_useful_has_reason",
                                   violation_error_message=_("标记为不适用时必须选择原因")),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"], name="matchmark_source"),
                   models.Index(fields=["target_type", "target_id"], name="matchmark_target")]

    def __str__(self) -> str:
        return f"{self.source_type}:{self.source_id} → {self.target_type}:{self.target_id}"


class FieldSubscription(models.Model):
    """A technology field a user subscribes to for pushed demands and challenges (X3)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_subscriptions",
                             verbose_name=_("用户"))
    tech_field = models.ForeignKey("taxonomies.Term", on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("技术领域"), limit_choices_to={"scheme__code": "hitech_domains"})
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("领域订阅")
        verbose_name_plural = _("领域订阅")
        ordering = ["user_id", "tech_field_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tech_field"], name="unique_field_subscription",
                                    violation_error_message=_("已订阅该技术领域")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.tech_field}"
