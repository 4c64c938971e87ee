"""Classification schemes kept as data the bureau edits (R5)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    source = models.TextField(_("来源"), blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("分类体系")
        verbose_name_plural = _("分类体系")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="terms", verbose_name=_("分类体系"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("上级"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    description = models.TextField(_("说明"), blank=True)
    mapped_to = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="mapped_from",
                                       verbose_name=_("对应代码"),
                                       help_text=_("到其他分类体系的对应关系，如 CSL 学科 → GB/T 13745"))

    class Meta:
        verbose_name = _("分类代码")
        verbose_name_plural = _("分类代码")
        ordering = ["scheme", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_term_code_per_scheme",
                                    violation_error_message=_("同一分类体系内代码不能重复")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"
