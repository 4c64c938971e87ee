"""Coded reasons (SPEC §2 B2).

A rejection, a declined match or a lost bid carries a ``ReasonCode`` of the
transition's ``reason_context``. Contexts and codes are data: a context is a
``ReasonContext`` row (shipped by data migrations of the app that introduces it),
codes are edited by the bureau in the admin and deactivated rather than deleted
once used.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel


class ReasonContext(models.Model):
    """Where coded reasons are given, e.g. ``review_reject`` (审核不通过)."""

    slug = models.SlugField(_("场景代码"), max_length=64, unique=True)
    label = models.CharField(_("场景名称"), max_length=64)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("原因场景")
        verbose_name_plural = _("原因场景")
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.label


class ReasonCode(TimeStampedModel):
    context = models.ForeignKey(ReasonContext, to_field="slug", db_column="context", on_delete=models.PROTECT,
                                related_name="codes", verbose_name=_("适用场景"))
    code = models.SlugField(_("代码"), max_length=64,
                            help_text=_("英文小写字母、数字、下划线；已被使用的代码不能修改"))
    label = models.CharField(_("名称"), max_length=64)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True,
                                    help_text=_("已被使用的原因不能删除，停用后不再供选择，历史记录仍显示"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("原因代码")
        verbose_name_plural = _("原因代码")
        ordering = ["context", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["context", "code"], name="unique_reason_code_per_context",
                                    violation_error_message=_("该场景下已有相同的原因代码")),
        ]

    def __str__(self) -> str:
        return self.label
