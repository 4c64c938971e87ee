"""Indicators, targets, district-reported values and the progress thresholds (SPEC T1–T5).

* ``Indicator``: one indicator of a city's target system (指标), with how its actual value is obtained:
  a named computation from ``computations.py`` with typed parameters, or reported by districts.
* ``Target``: the value for an indicator, a region (the city itself or one of its units) and a year,
  citing where it comes from (a seed paragraph, an import).
* ``ReportedValue``: a district's figure for a reported indicator with its evidence, reviewed by the city.
* ``ProgressRule``: the status thresholds of a city (data, editable in the admin).
* ``ReportDispatch``: one row per monthly report e-mailed, so the job never sends a period twice.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .choices import (ADDITIVE_KINDS, Direction, IndicatorKind, IndicatorUnit, ReportedValueStatus,
                      ValueSource)

VALUE_DIGITS = 20
VALUE_PLACES = 4


class Indicator(TimeStampedModel):
    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="indicators",
                             verbose_name=_("所属城市"))
    code = models.SlugField(_("指标代码"), max_length=64)
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=8, choices=IndicatorUnit.choices)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    kind = models.CharField(_("指标类型"), max_length=8, choices=IndicatorKind.choices)
    source = models.CharField(_("取值方式"), max_length=10, choices=ValueSource.choices)
    computation = models.CharField(_("计算方法"), max_length=64, blank=True,
                                   help_text=_("平台计算的指标：计算方法登记表中的名称（不接受 SQL 或表达式）"))
    params = models.JSONField(_("计算参数"), default=dict, blank=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True,
                               help_text=_("导入分解表时可识别的列名，如“国家网技术合同成交额”"))
    description = models.TextField(_("口径说明"), blank=True)
    citation = models.CharField(_("出处"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["city__code", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="targets_indicator_code_unique",
                                    violation_error_message=_("本市已有相同代码的指标")),
            models.CheckConstraint(
                condition=(models.Q(source=ValueSource.COMPUTED) & ~models.Q(computation=""))
                | (models.Q(source=ValueSource.REPORTED) & models.Q(computation="")),
                name="targets_indicator_source_computation",
                violation_error_message=_("平台计算的指标须选择计算方法；县区填报的指标不设计算方法")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def is_additive(self) -> bool:
        return self.kind in ADDITIVE_KINDS

    @property
    def is_computed(self) -> bool:
        return self.source == ValueSource.COMPUTED


class Target(TimeStampedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets",
                                  verbose_name=_("指标"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("区域"), help_text=_("城市本身（全市目标）或其县（市、区）、开发区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目标值"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    citation = models.CharField(_("出处"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示配置"), default=False,
                                  help_text=_("演示数据，非政策文件中的数值"))

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator__city__code", "year", "indicator__order", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region", "year"], name="targets_target_unique",
                                    violation_error_message=_("该指标在该区域、该年度已有目标")),
            models.CheckConstraint(condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                                   name="targets_target_year_range",
                                   violation_error_message=_("年度应在 2000–2100 之间")),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.region.name} {self.indicator.name} {self.value.normalize():f}"


def _evidence_path(instance, filename: str) -> str:
    from techmarket.core.uploads import storage_name

    return f"targets/evidence/{instance.region.code}/{storage_name(filename)}"


class ReportedValue(TimeStampedModel):
    """A year-to-date figure (additive indicators) or the latest level, as of ``as_of``."""

    status = models.CharField(_("状态"), max_length=12, choices=ReportedValueStatus.choices,
                              default=ReportedValueStatus.DRAFT, db_index=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reported_values",
                                  verbose_name=_("指标"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("填报区域"))
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("截至日期"))
    value = models.DecimalField(_("数值"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    evidence = models.FileField(_("佐证材料"), upload_to=_evidence_path, max_length=255, blank=True)
    evidence_name = models.CharField(_("佐证材料文件名"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("填报人"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("填报值")
        verbose_name_plural = _("填报值")
        ordering = ["-as_of", "-pk"]
        indexes = [models.Index(fields=["indicator", "region", "status", "as_of"],
                                name="targets_reported_lookup")]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="targets_reported_not_negative",
                                   violation_error_message=_("数值不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.indicator.name} 截至{self.as_of:%Y-%m-%d}"


class ProgressRule(TimeStampedModel):
    """Status thresholds of a city (T3): ahead ≥ reference + ahead_points, behind < reference − behind_points."""

    city = models.OneToOneField("regions.Region", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("城市"))
    ahead_points = models.DecimalField(_("超进度阈值（百分点）"), max_digits=5, decimal_places=2,
                                       default=Decimal("10"))
    behind_points = models.DecimalField(_("滞后阈值（百分点）"), max_digits=5, decimal_places=2,
                                        default=Decimal("10"))

    class Meta:
        verbose_name = _("进度判定阈值")
        verbose_name_plural = _("进度判定阈值")
        constraints = [
            models.CheckConstraint(condition=models.Q(ahead_points__gte=0) & models.Q(behind_points__gte=0),
                                   name="targets_rule_not_negative",
                                   violation_error_message=_("阈值不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.city.name} ±{self.ahead_points}/{self.behind_points}"


class ReportDispatch(models.Model):
    city = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("城市"))
    period = models.CharField(_("期间"), max_length=10)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.JSONField(_("收件人"), default=list)

    class Meta:
        verbose_name = _("定期通报发送记录")
        verbose_name_plural = _("定期通报发送记录")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["city", "period"], name="targets_dispatch_unique")]

    def __str__(self) -> str:
        return f"{self.city.name} {self.period}"
