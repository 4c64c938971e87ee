from django.db import models
from django.utils.translation import gettext_lazy as _


class DealMethod(models.TextChoices):
    LISTING = "listing", _("挂牌成交")
    AGREEMENT = "agreement", _("协议定价")
    AUCTION = "auction", _("拍卖成交")


class DealStatus(models.TextChoices):
    PENDING = "pending", _("待签约")
    IN_NOTICE = "in_notice", _("公示中")
    CLOSED = "closed", _("已成交")
    CANCELLED = "cancelled", _("已取消")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")
