from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.choices import TransferMode


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


# The ways of trading an achievement the market handles (listing, agreement, auction): 转让, 独占许可,
# 普通许可. A transfer or exclusive licence ends the achievement's availability; a non-exclusive one does not.
TRADE_MODES = (TransferMode.TRANSFER.value, TransferMode.LICENCE_EXCLUSIVE.value,
               TransferMode.LICENCE_NON_EXCLUSIVE.value)
EXCLUSIVE_MODES = frozenset({TransferMode.TRANSFER.value, TransferMode.LICENCE_EXCLUSIVE.value})

# A deal still under way (an exclusive one keeps the achievement off the market meanwhile).
OPEN_DEAL_STATUSES = frozenset({DealStatus.PENDING, DealStatus.IN_NOTICE})

# 公示 (M5): at least 15 calendar days, the publication day not counted.
NOTICE_DAYS = 15
# Party-nature codes (taxonomies/data/party_nature.csv) of state-established sellers whose agreed price
# must be published: 事业法人 · 科研机构 (21) and 高等院校 (22).
NOTICE_PARTY_NATURES = frozenset({"21", "22"})
