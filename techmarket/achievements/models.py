"""Achievements (科技成果, SPEC §2 M1) and the market's freshness settings (B1)."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from .choices import TRL_CHOICES, AchievementStatus
from .records import MarketAttachment, MarketRecord


class MarketSetting(TimeStampedModel):
    """Freshness policy of achievements and demands (one row, edited by the bureau in the admin)."""

    publication_months = models.PositiveSmallIntegerField(
        _("发布有效期（月）"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("成果、需求发布或续期后保持公开的月数"))
    renewal_reminder_days = models.PositiveSmallIntegerField(
        _("到期提醒提前天数"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("到期前多少天提醒所有者确认续期"))

    class Meta:
        verbose_name = _("成果与需求发布设置")
        verbose_name_plural = _("成果与需求发布设置")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="market_setting_singleton",
                                   violation_error_message=_("发布设置只有一条")),
        ]

    def __str__(self) -> str:
        return str(_("发布有效期 {m} 个月，提前 {d} 天提醒")).format(m=self.publication_months,
                                                               d=self.renewal_reminder_days)


class Achievement(MarketRecord):
    status = models.CharField(_("状态"), max_length=16, choices=AchievementStatus.choices,
                              default=AchievementStatus.DRAFT, db_index=True)
    abstract = models.TextField(_("成果简介"), help_text=_("公开摘要，所有人可见"))
    discipline = models.ForeignKey("taxonomies.Term", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("学科"),
                                   limit_choices_to={"scheme__code": "gbt13745"})
    trl = models.PositiveSmallIntegerField(_("技术就绪水平"), choices=TRL_CHOICES,
                                           validators=[MinValueValidator(1), MaxValueValidator(9)])
    patent_numbers = models.JSONField(_("专利号"), default=list, blank=True)
    ip_type = models.ForeignKey("taxonomies.Term", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("知识产权类型"),
                                limit_choices_to={"scheme__code": "ip_type"})
    co_owners = models.ManyToManyField("directory.Organization", blank=True, related_name="achievements_co_owned",
                                       verbose_name=_("共有单位"))
    transfer_modes = models.JSONField(_("转化方式"), default=list)
    price_fen = MoneyField(_("价格（分）"), null=True, blank=True)
    price_min_fen = MoneyField(_("价格下限（分）"), null=True, blank=True)
    price_max_fen = MoneyField(_("价格上限（分）"), null=True, blank=True)
    negotiable = models.BooleanField(_("面议"), default=False)
    licence_count = models.PositiveIntegerField(_("普通许可次数"), default=0,
                                                help_text=_("已成交的普通（非独占）许可数，不影响继续发布"))

    SEARCH_TEXT_FIELD = "abstract"

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_min_fen__isnull=True) | models.Q(price_max_fen__isnull=True)
                | models.Q(price_min_fen__lte=models.F("price_max_fen")),
                name="achievement_price_range_ordered",
                violation_error_message=_("价格下限不能高于价格上限")),
            models.CheckConstraint(
                condition=models.Q(price_fen__isnull=True) | models.Q(price_fen__gte=0),
                name="achievement_price_not_negative", violation_error_message=_("价格不能为负数")),
            models.CheckConstraint(
                condition=models.Q(price_min_fen__isnull=True) | models.Q(price_min_fen__gte=0),
                name="achievement_price_min_not_negative", violation_error_message=_("价格下限不能为负数")),
        ]

    @property
    def summary(self) -> str:
        """The public summary (B3) is the abstract."""
        return self.abstract

    def get_absolute_url(self) -> str:
        return reverse("achievements:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("achievements:manage_detail", kwargs={"pk": self.pk})


class AchievementAttachment(MarketAttachment):
    record = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("科技成果"))

    class Meta(MarketAttachment.Meta):
        verbose_name = _("成果附件")
        verbose_name_plural = _("成果附件")
