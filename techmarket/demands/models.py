"""Technology demands (技术需求, SPEC §2 M2): an enterprise's technical problem, budget and deadline."""
from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.records import MarketAttachment, MarketRecord
from techmarket.core.money import MoneyField

from .choices import DemandStatus


class Demand(MarketRecord):
    status = models.CharField(_("状态"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.DRAFT,
                              db_index=True)
    description = models.TextField(_("需求描述"), help_text=_("公开摘要，所有人可见"))
    budget_min_fen = MoneyField(_("预算下限（分）"), null=True, blank=True)
    budget_max_fen = MoneyField(_("预算上限（分）"), null=True, blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)

    SEARCH_TEXT_FIELD = "description"

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min_fen__isnull=True) | models.Q(budget_max_fen__isnull=True)
                | models.Q(budget_min_fen__lte=models.F("budget_max_fen")),
                name="demand_budget_range_ordered", violation_error_message=_("预算下限不能高于预算上限")),
            models.CheckConstraint(
                condition=models.Q(budget_min_fen__isnull=True) | models.Q(budget_min_fen__gte=0),
                name="demand_budget_min_not_negative", violation_error_message=_("预算不能为负数")),
            models.CheckConstraint(
                condition=models.Q(budget_max_fen__isnull=True) | models.Q(budget_max_fen__gte=0),
                name="demand_budget_max_not_negative", violation_error_message=_("预算不能为负数")),
        ]

    @property
    def summary(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("demands:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("demands:manage_detail", kwargs={"pk": self.pk})


class DemandAttachment(MarketAttachment):
    record = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("技术需求"))

    class Meta(MarketAttachment.Meta):
        verbose_name = _("需求附件")
        verbose_name_plural = _("需求附件")
