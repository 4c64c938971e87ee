"""Listings (挂牌, SPEC §2 M3) and the interests registered on them (意向受让)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from .choices import LIVE_STATUSES, PERIOD_DEFAULT_DAYS, InterestStatus, ListingStatus


class Listing(TimeStampedModel):
    """An achievement offered for a fixed period at a listing price.

    At the end: no interest → relist or withdraw; one → 挂牌成交 at the listing price (a deal);
    two or more → an auction starting at the listing price.
    """

    status = models.CharField(_("状态"), max_length=16, choices=ListingStatus.choices,
                              default=ListingStatus.DRAFT, db_index=True)
    achievement = models.ForeignKey("achievements.Achievement", on_delete=models.PROTECT, related_name="listings",
                                    verbose_name=_("科技成果"))
    seller = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="listings",
                               verbose_name=_("转让方"))
    transfer_mode = models.CharField(_("交易方式"), max_length=24,
                                     help_text=_("转让、独占许可、普通许可等，取自成果的转化方式"))
    price_fen = MoneyField(_("挂牌价格（分）"))
    starts_at = models.DateTimeField(_("挂牌开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("挂牌截止时间"), null=True, blank=True, db_index=True)
    period_days = models.PositiveSmallIntegerField(_("挂牌期（天）"), default=PERIOD_DEFAULT_DAYS,
                                                   help_text=_("审核通过当日不计，期满次日 0 时截止"))
    broker = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("技术经纪人"))
    conditions = models.TextField(_("交易条件"), blank=True)
    round = models.PositiveSmallIntegerField(_("挂牌轮次"), default=1, help_text=_("重新挂牌时加一"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("挂牌")
        verbose_name_plural = _("挂牌")
        ordering = ["-starts_at", "-pk"]
        permissions = [("review_listing", "审核挂牌")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_fen__gt=0), name="listing_price_positive",
                                   violation_error_message=_("挂牌价格应大于 0")),
            models.UniqueConstraint(fields=["achievement"],
                                    condition=models.Q(status__in=sorted(s.value for s in LIVE_STATUSES)),
                                    name="listing_one_live_per_achievement",
                                    violation_error_message=_("该成果已有未结束的挂牌")),
        ]

    def __str__(self) -> str:
        return str(self.achievement)

    @property
    def broker_agency_id(self) -> int | None:
        return self.broker.organization_id if self.broker_id else None

    @property
    def transfer_mode_display(self) -> str:
        from techmarket.achievements.choices import TransferMode

        return str(dict(TransferMode.choices).get(self.transfer_mode, self.transfer_mode))

    @property
    def region(self):
        """Staff scope follows the achievement's region."""
        return self.achievement.region

    def get_absolute_url(self) -> str:
        return reverse("listings:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("listings:manage_detail", kwargs={"pk": self.pk})


class Interest(TimeStampedModel):
    """意向受让: an organization's registered intention to buy a listed achievement."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="interests",
                                verbose_name=_("挂牌"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                     related_name="listing_interests", verbose_name=_("意向受让方"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("登记人"))
    status = models.CharField(_("状态"), max_length=12, choices=InterestStatus.choices,
                              default=InterestStatus.ACTIVE)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("意向受让")
        verbose_name_plural = _("意向受让")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "organization"], name="interest_one_per_organization",
                                    violation_error_message=_("本单位已登记过受让意向")),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.listing}"
