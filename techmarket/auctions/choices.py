from django.db import models
from django.utils.translation import gettext_lazy as _


class AuctionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待开拍")
    OPEN = "open", _("竞价中")
    SUCCEEDED = "succeeded", _("已成交")
    FAILED = "failed", _("流拍")
    CANCELLED = "cancelled", _("已取消")


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REFUND_DUE = "refund_due", _("待退还")
    REFUNDED = "refunded", _("已退还")
    FORFEITED = "forfeited", _("不予退还")
    APPLIED = "applied", _("转作价款")
