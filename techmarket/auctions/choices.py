from django.db import models
from django.utils.translation import gettext_lazy as _


class AuctionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待开拍")
    OPEN = "open", _("竞价中")
    SUCCEEDED = "succeeded", _("已成交")
    FAILED = "failed", _("流拍")
    CANCELLED = "cancelled", _("已取消")
    DEFAULTED = "defaulted", _("买受人违约")
    RELISTED = "relisted", _("已重新挂牌")


# Before the end: bids may still come (the clock decides whether the auction has opened or ended).
LIVE_STATUSES = frozenset({AuctionStatus.SCHEDULED, AuctionStatus.OPEN})
# After the close: the names of the bidders are public.
CLOSED_STATUSES = frozenset({AuctionStatus.SUCCEEDED, AuctionStatus.FAILED, AuctionStatus.DEFAULTED,
                             AuctionStatus.RELISTED})


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REFUND_DUE = "refund_due", _("待退还")
    REFUNDED = "refunded", _("已退还")
    FORFEITED = "forfeited", _("不予退还")
    APPLIED = "applied", _("转作价款")


# Deposits the platform still holds (confirmed and not yet refunded, applied or forfeited).
HELD_DEPOSITS = frozenset({DepositStatus.CONFIRMED, DepositStatus.REFUND_DUE})


class BidderStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    WON = "won", _("竞得")
    LOST = "lost", _("未竞得")
    DEFAULTED = "defaulted", _("逾期未签约")


class BidRefusal(models.TextChoices):
    """The five codes a refused bid carries (API 422 ``code``)."""

    NOT_ELIGIBLE = "not_eligible", _("不具备竞买资格")
    DEPOSIT_NOT_CONFIRMED = "deposit_not_confirmed", _("保证金未确认")
    AUCTION_NOT_OPEN = "auction_not_open", _("拍卖尚未开始")
    AUCTION_ENDED = "auction_ended", _("拍卖已结束")
    BID_TOO_LOW = "bid_too_low", _("出价低于最低应价")


class AuctionPhase(models.TextChoices):
    """What the clock says, for lists and pages (the status follows within a minute)."""

    UPCOMING = "upcoming", _("即将开拍")
    OPEN = "open", _("竞价中")
    ENDED = "ended", _("已结束")
