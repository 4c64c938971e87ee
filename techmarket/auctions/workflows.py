"""The auction's states (data only); opening and closing follow the clock (services.auction_close)."""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import AuctionStatus as S
from .models import Auction

MANAGE = "auctions.change_auction"
CLOSE = "auctions.close_auction"

TRANSITIONS = {
    "open": Transition({S.SCHEDULED}, S.OPEN, CLOSE, _("开拍")),
    "succeed": Transition({S.OPEN, S.SCHEDULED}, S.SUCCEEDED, CLOSE, _("竞价结束（成交）")),
    "fail": Transition({S.OPEN, S.SCHEDULED}, S.FAILED, CLOSE, _("竞价结束（流拍）")),
    "cancel": Transition({S.SCHEDULED}, S.CANCELLED, MANAGE, _("取消拍卖"), style="outline-danger",
                         comment_required=True),
}

Auction.TRANSITIONS = TRANSITIONS
