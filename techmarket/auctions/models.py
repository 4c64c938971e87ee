"""Auctions (拍卖/竞价, SPEC §2 M4): bidders with deposits and aliases, and the hash-chained bid log (B4)."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from .choices import AuctionPhase, AuctionStatus, BidderStatus, DepositStatus

GENESIS_HASH = "0" * 64


class AuctionSetting(TimeStampedModel):
    """Defaults of an auction created from a listing (one row, edited by the bureau in the admin)."""

    increment_per_mille = models.PositiveSmallIntegerField(
        _("加价幅度（‰ 挂牌价）"), default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)])
    increment_round_yuan = models.PositiveIntegerField(_("加价幅度取整（元）"), default=100,
                                                       validators=[MinValueValidator(1)])
    deposit_per_mille = models.PositiveSmallIntegerField(
        _("保证金比例（‰ 挂牌价）"), default=100, validators=[MinValueValidator(0), MaxValueValidator(1000)])
    extension_minutes = models.PositiveSmallIntegerField(_("延时周期（分钟）"), default=5,
                                                         validators=[MinValueValidator(1), MaxValueValidator(120)])
    opens_after_days = models.PositiveSmallIntegerField(_("挂牌截止后开拍天数"), default=3)
    duration_minutes = models.PositiveIntegerField(_("竞价时长（分钟）"), default=120,
                                                   validators=[MinValueValidator(5)])
    signing_days = models.PositiveSmallIntegerField(_("买受人签约期限（天）"), default=10,
                                                    validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("拍卖默认设置")
        verbose_name_plural = _("拍卖默认设置")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="auction_setting_singleton",
                                              violation_error_message=_("拍卖默认设置只有一条"))]

    def __str__(self) -> str:
        return str(_("拍卖默认设置"))


class Auction(TimeStampedModel):
    status = models.CharField(_("状态"), max_length=16, choices=AuctionStatus.choices,
                              default=AuctionStatus.SCHEDULED, db_index=True)
    achievement = models.ForeignKey("achievements.Achievement", on_delete=models.PROTECT, related_name="auctions",
                                    verbose_name=_("科技成果"))
    seller = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="auctions",
                               verbose_name=_("委托方"))
    listing = models.OneToOneField("listings.Listing", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="auction", verbose_name=_("来源挂牌"))
    broker = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("技术经纪人"))
    transfer_mode = models.CharField(_("交易方式"), max_length=24)
    starting_price_fen = MoneyField(_("起拍价（分）"))
    increment_fen = MoneyField(_("加价幅度（分）"))
    reserve_price_fen = MoneyField(_("保留价（分）"), null=True, blank=True, help_text=_("不公开；最高出价低于保留价则流拍"))
    deposit_fen = MoneyField(_("保证金（分）"))
    starts_at = models.DateTimeField(_("开拍时间"))
    ends_at = models.DateTimeField(_("结束时间"), help_text=_("最后 N 分钟内有出价时顺延为出价时间加 N 分钟"))
    original_ends_at = models.DateTimeField(_("原定结束时间"))
    extension_minutes = models.PositiveSmallIntegerField(_("延时周期（分钟）"), default=5)
    signing_days = models.PositiveSmallIntegerField(_("买受人签约期限（天）"), default=10)
    closed_at = models.DateTimeField(_("结束处理时间"), null=True, blank=True)
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0)
    high_bid = models.ForeignKey("auctions.Bid", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("当前最高出价"))
    # The high bid's amount on the auction row itself: bid_place reads it with the row lock (a joined
    # row would come from the snapshot taken before waiting for the lock).
    high_amount_fen = MoneyField(_("当前最高价（分）"), null=True, blank=True)
    last_hash = models.CharField(_("最后出价哈希"), max_length=64, default=GENESIS_HASH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("拍卖")
        verbose_name_plural = _("拍卖")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starting_price_fen__gt=0), name="auction_start_positive",
                                   violation_error_message=_("起拍价应大于 0")),
            models.CheckConstraint(condition=models.Q(increment_fen__gt=0), name="auction_increment_positive",
                                   violation_error_message=_("加价幅度应大于 0")),
            models.CheckConstraint(condition=models.Q(deposit_fen__gte=0), name="auction_deposit_not_negative",
                                   violation_error_message=_("保证金不能为负数")),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="auction_ends_after_start", violation_error_message=_("结束时间应晚于开拍时间")),
        ]

    def __str__(self) -> str:
        return str(self.achievement)

    def get_absolute_url(self) -> str:
        return reverse("auctions:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("auctions:manage_detail", kwargs={"pk": self.pk})

    def phase(self, now) -> str:
        """Upcoming / open / ended by the clock and the status (a cancelled auction never opens)."""
        if self.status == AuctionStatus.CANCELLED:
            return AuctionPhase.ENDED
        if self.status not in (AuctionStatus.SCHEDULED, AuctionStatus.OPEN) or now >= self.ends_at:
            return AuctionPhase.ENDED
        return AuctionPhase.OPEN if now >= self.starts_at else AuctionPhase.UPCOMING


class Bidder(TimeStampedModel):
    """竞买人: one per organization per auction, with its alias (竞买号 A01 …) and deposit."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bidders",
                                verbose_name=_("拍卖"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                     related_name="auction_bids", verbose_name=_("竞买单位"))
    alias = models.CharField(_("竞买号"), max_length=8)
    deposit_status = models.CharField(_("保证金状态"), max_length=12, choices=DepositStatus.choices,
                                      default=DepositStatus.PENDING, db_index=True)
    deposit_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+",
                                             verbose_name=_("保证金确认人"))
    deposit_confirmed_at = models.DateTimeField(_("保证金确认时间"), null=True, blank=True)
    deposit_reference = models.CharField(_("保证金凭证号"), max_length=64, blank=True)
    status = models.CharField(_("竞买结果"), max_length=12, choices=BidderStatus.choices,
                              default=BidderStatus.REGISTERED, db_index=True)

    # Lost bids carry a coded reason (feedback context ``bid_lost``), counted per bidding organization.
    REASON_OWNER_FIELD = "organization"

    class Meta:
        verbose_name = _("竞买人")
        verbose_name_plural = _("竞买人")
        # Registration order (A01, A02 … A99, A100: the alias text would put A100 before A11).
        ordering = ["auction", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "organization"], name="bidder_one_per_organization",
                                    violation_error_message=_("每个单位在一场拍卖中只能有一个竞买号")),
            models.UniqueConstraint(fields=["auction", "alias"], name="bidder_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.alias


class Bid(models.Model):
    """An accepted bid; the log is append-only and hash-chained (B4)."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids", verbose_name=_("拍卖"))
    bidder = models.ForeignKey(Bidder, on_delete=models.PROTECT, related_name="bids", verbose_name=_("竞买人"))
    seq = models.PositiveIntegerField(_("序号"))
    amount_fen = MoneyField(_("出价（分）"))
    created_at = models.DateTimeField(_("出价时间"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("出价人"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("出价")
        verbose_name_plural = _("出价")
        ordering = ["auction", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "seq"], name="bid_seq_unique"),
            models.UniqueConstraint(fields=["auction", "amount_fen"], name="bid_amount_unique",
                                    violation_error_message=_("该价格已有人出价")),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id}#{self.seq}"
