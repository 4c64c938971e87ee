"""Choices of the targets app (T1–T3)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorUnit(models.TextChoices):
    JIA = "家", _("家")
    REN = "人", _("人")
    XIANG = "项", _("项")
    GE = "个", _("个")
    JIAN = "件", _("件")
    WAN_YUAN = "万元", _("万元")
    YI_YUAN = "亿元", _("亿元")
    PERCENT = "%", _("%")
    PER_10K = "件/万人", _("件/万人")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class IndicatorKind(models.TextChoices):
    """Additive indicators add up over units and accrue over the year; a level is a state (a share, a stock)."""

    COUNT = "count", _("累加（数量）")
    AMOUNT = "amount", _("累加（金额）")
    LEVEL = "level", _("水平值（比重、总量）")


ADDITIVE_KINDS = {IndicatorKind.COUNT, IndicatorKind.AMOUNT}


class ValueSource(models.TextChoices):
    COMPUTED = "computed", _("平台数据自动计算")
    REPORTED = "reported", _("县区填报、市局审核")


class ProgressStatus(models.TextChoices):
    AHEAD = "ahead", _("超进度")
    ON_TRACK = "on_track", _("符合进度")
    BEHIND = "behind", _("滞后")
    NO_DATA = "no_data", _("暂无数据")


class ReportedValueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送待审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已审核")
