"""Deals (成交, SPEC §2 M6), the public notice of agreed prices (公示, M5) and objections to it."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from .choices import DealMethod, DealStatus, ObjectionStatus


class Deal(TimeStampedModel):
    """Links achievement, seller, buyer, broker, price and method; closing it creates a draft contract."""

    status = models.CharField(_("状态"), max_length=16, choices=DealStatus.choices, default=DealStatus.PENDING,
                              db_index=True)
    method = models.CharField(_("成交方式"), max_length=12, choices=DealMethod.choices)
    achievement = models.ForeignKey("achievements.Achievement", on_delete=models.PROTECT, related_name="deals",
                                    verbose_name=_("科技成果"))
    seller = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="deals_sold",
                               verbose_name=_("转让方"))
    buyer = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="deals_bought",
                              verbose_name=_("受让方"))
    broker = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("技术经纪人"))
    transfer_mode = models.CharField(_("交易方式"), max_length=24)
    price_fen = MoneyField(_("成交价格（分）"))
    listing = models.ForeignKey("listings.Listing", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deals", verbose_name=_("挂牌"))
    auction = models.ForeignKey("auctions.Auction", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deals", verbose_name=_("拍卖"))
    winning_bid = models.ForeignKey("auctions.Bid", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("成交出价"))
    sign_by = models.DateTimeField(_("签约截止时间"), null=True, blank=True,
                                   help_text=_("拍卖买受人应在此前签约，逾期保证金不予退还"))
    closed_at = models.DateTimeField(_("成交时间"), null=True, blank=True)
    contract = models.OneToOneField("contracts.TechContract", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="deal", verbose_name=_("技术合同"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("成交")
        verbose_name_plural = _("成交")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price_fen__gt=0), name="deal_price_positive",
                                   violation_error_message=_("成交价格应大于 0")),
            models.CheckConstraint(condition=~models.Q(seller=models.F("buyer")), name="deal_parties_differ",
                                   violation_error_message=_("转让方与受让方不能是同一单位")),
        ]

    def __str__(self) -> str:
        return f"{self.achievement} · {self.get_method_display()}"

    @property
    def region(self):
        """Staff scope follows the seller's region."""
        return self.seller.region

    @property
    def transfer_mode_display(self) -> str:
        from techmarket.achievements.choices import TransferMode

        return str(dict(TransferMode.choices).get(self.transfer_mode, self.transfer_mode))

    def get_absolute_url(self) -> str:
        return reverse("deals:manage_detail", kwargs={"pk": self.pk})


class PublicNotice(TimeStampedModel):
    """公示 of an agreed price: result name and price, 15 calendar days after the publication day.

    ``closes_from`` is 00:00 (Asia/Shanghai) of the 16th day; the deal may close from then on when no
    objection is open.
    """

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="notice", verbose_name=_("成交"))
    title = models.CharField(_("公示标题"), max_length=250)
    published_at = models.DateTimeField(_("公示发布时间"))
    ends_on = models.DateField(_("公示截止日"), help_text=_("公示期最后一天（发布当日不计）"))
    closes_from = models.DateTimeField(_("可成交时间"))

    class Meta:
        verbose_name = _("成交公示")
        verbose_name_plural = _("成交公示")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deals:notice_detail", kwargs={"pk": self.pk})


class Objection(TimeStampedModel):
    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="objections",
                               verbose_name=_("成交公示"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("异议人"))
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("异议人单位"))
    text = models.TextField(_("异议内容"))
    status = models.CharField(_("状态"), max_length=12, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN, db_index=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return str(self.notice)
