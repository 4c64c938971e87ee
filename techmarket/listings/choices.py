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


S = ListingStatus
# A "live" listing blocks another listing of the same achievement (one at a time).
LIVE_STATUSES = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.OPEN})
# What the public sees: the open listing and the outcome of its period.
PUBLIC_STATUSES = frozenset({S.OPEN, S.UNSOLD, S.DEALT, S.TO_AUCTION})
# The seller edits terms only in these states.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})

PERIOD_MIN_DAYS = 5
PERIOD_MAX_DAYS = 90
PERIOD_DEFAULT_DAYS = 20
