from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    OPEN = "open", _("挂牌中")
    UNSOLD = "unsold", _("挂牌期满无意向")
    DEALT = "dealt", _("挂牌成交")
    TO_AUCTION = "to_auction", _("转入竞价")
    WITHDRAWN = "withdrawn", _("已撤牌")


class InterestStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤回")
