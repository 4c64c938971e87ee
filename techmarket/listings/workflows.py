"""The listing's workflow (data only; docs/workflows/listings.md shows it in Chinese).

draft → submitted → (returned → submitted) → open (挂牌中, period starts) → at the end, by the scheduler
or on first read after it: unsold (no interest: relist → open, or withdraw) / dealt (one interest:
挂牌成交) / to_auction (two or more). The seller may withdraw before the end while nobody has
registered interest.

An interest (意向受让) is active until its organization withdraws it; registering again reactivates it
(one row per organization and listing).
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import InterestStatus as I
from .choices import ListingStatus as S
from .models import Interest, Listing

EDIT = "listings.change_listing"
REVIEW = "listings.review_listing"
CLOSE = "listings.close_listing"
RELIST = "listings.relist_listing"
WITHDRAW = "listings.withdraw_listing"

TRANSITIONS = {
    "submit": Transition({S.DRAFT}, S.SUBMITTED, EDIT, _("提交审核")),
    "resubmit": Transition({S.RETURNED}, S.SUBMITTED, EDIT, _("重新提交")),
    "return": Transition({S.SUBMITTED}, S.RETURNED, REVIEW, _("退回修改"), reason_context="review_return",
                         style="warning"),
    "approve": Transition({S.SUBMITTED}, S.OPEN, REVIEW, _("审核通过并挂牌"), style="success"),
    "end_unsold": Transition({S.OPEN}, S.UNSOLD, CLOSE, _("挂牌期满（无意向）")),
    "end_dealt": Transition({S.OPEN}, S.DEALT, CLOSE, _("挂牌期满（一家意向，挂牌成交）")),
    "end_to_auction": Transition({S.OPEN}, S.TO_AUCTION, CLOSE, _("挂牌期满（多家意向，转入竞价）")),
    "relist": Transition({S.UNSOLD}, S.OPEN, RELIST, _("重新挂牌"), style="success"),
    "withdraw": Transition({S.DRAFT, S.RETURNED, S.OPEN, S.UNSOLD}, S.WITHDRAWN, WITHDRAW, _("撤牌"),
                           style="outline-danger"),
}

Listing.TRANSITIONS = TRANSITIONS

INTEREST_WITHDRAW = "listings.withdraw_interest"
INTEREST_REGISTER = "listings.register_interest"

INTEREST_TRANSITIONS = {
    "withdraw": Transition({I.ACTIVE}, I.WITHDRAWN, INTEREST_WITHDRAW, _("撤回受让意向"),
                           style="outline-secondary"),
    "reactivate": Transition({I.WITHDRAWN}, I.ACTIVE, INTEREST_REGISTER, _("重新登记受让意向")),
}

Interest.TRANSITIONS = INTEREST_TRANSITIONS
