"""Summary tables of registered technology contracts (C3).

One row per (region, side, dimension, year, month, key): how many contracts were registered in that
month whose seller (side ``output``, 输出) or buyer (side ``absorbed``, 吸纳) lies in the region's
subtree, and their 合同成交额 and 技术交易额. A contract is counted once at every level of its party's
region (the county, its city, its province) and once in the all-regions row (``region_code=""``), so a
figure for any region is an index range read, never a scan of the contracts. See docs/models/contractstats.md.

Kept current by ``services.stats_apply`` inside the registration, amendment and deregistration
transactions; ``services.stats_rebuild`` recomputes it from the registered contracts.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    OUTPUT = "output", _("输出（卖方在本地区）")
    ABSORBED = "absorbed", _("吸纳（买方在本地区）")


class Dimension(models.TextChoices):
    """What ``key`` holds: "" for ALL, else the taxonomy Term's primary key or "unknown"."""

    ALL = "all", _("合计")
    CATEGORY = "category", _("合同类别")
    FIELD = "field", _("技术领域")
    SELLER_NATURE = "seller_nature", _("卖方性质")
    BUYER_NATURE = "buyer_nature", _("买方性质")
    IP_TYPE = "ip_type", _("知识产权类型")
    PLAN_CATEGORY = "plan_category", _("计划类别")


UNKNOWN_KEY = "unknown"
ALL_REGIONS = ""


class ContractStat(models.Model):
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True,
                                   help_text=_("6 位区划代码；空表示全部地区（含地区不详、境外）"))
    side = models.CharField(_("口径"), max_length=8, choices=Side.choices)
    dimension = models.CharField(_("维度"), max_length=16, choices=Dimension.choices)
    year = models.PositiveSmallIntegerField(_("登记年度"))
    month = models.PositiveSmallIntegerField(_("登记月份"))
    key = models.CharField(_("分类"), max_length=20, blank=True,
                           help_text=_("分类代码的主键；unknown 表示未填写；合计行为空"))
    count = models.IntegerField(_("合同数"), default=0)
    contract_amount_fen = models.BigIntegerField(_("合同成交额（分）"), default=0)
    tech_amount_fen = models.BigIntegerField(_("技术交易额（分）"), default=0)

    class Meta:
        verbose_name = _("技术合同统计汇总")
        verbose_name_plural = _("技术合同统计汇总")
        ordering = ["region_code", "side", "dimension", "year", "month", "key"]
        constraints = [
            # Also the index every statistics query reads (equality columns first, then year and month).
            models.UniqueConstraint(fields=["region_code", "side", "dimension", "year", "month", "key"],
                                    name="contract_stat_unique_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '全部'} {self.side} {self.dimension} {self.year}-{self.month:02d} {self.key}"
