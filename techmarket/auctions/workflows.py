"""The auction's and the bidder's states (data only; docs/workflows/auctions.md shows them in Chinese).

Auction: scheduled (待开拍) → open (竞价中, at starts_at) → at ends_at, by the scheduler or on the first
read after it: succeeded (已成交: a deal with the highest bidder) / failed (流拍: no bid, or the highest
bid below the reserve). The bureau may cancel before the opening. When the winner does not sign in time
the deal is forfeited and the auction becomes defaulted (买受人违约); the bureau then offers the deal to
the next highest bidder (back to succeeded) or relists the achievement (relisted; also after 流拍).

Bidder (竞买人): registered → won / lost (with a coded reason, feedback context ``bid_lost``);
a winner who forfeits becomes defaulted; offering the deal to the next bidder turns lost into won.
Deposits move separately (services.bidder_deposit_move, the one function that changes them).
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import AuctionStatus as S
from .choices import BidderStatus as B
from .models import Auction, Bidder

MANAGE = "auctions.change_auction"
CANCEL = "auctions.cancel_auction"
CLOSE = "auctions.close_auction"
DECIDE_BIDDER = "auctions.decide_bidder"

BID_LOST_CONTEXT = "bid_lost"

TRANSITIONS = {
    "open": Transition({S.SCHEDULED}, S.OPEN, CLOSE, _("开拍")),
    "succeed": Transition({S.OPEN, S.SCHEDULED}, S.SUCCEEDED, CLOSE, _("竞价结束（成交）")),
    "fail": Transition({S.OPEN, S.SCHEDULED}, S.FAILED, CLOSE, _("竞价结束（流拍）")),
    "cancel": Transition({S.SCHEDULED}, S.CANCELLED, CANCEL, _("取消拍卖"), style="outline-danger",
                         comment_required=True),
    "default": Transition({S.SUCCEEDED}, S.DEFAULTED, CLOSE, _("买受人逾期未签约")),
    "offer_next": Transition({S.DEFAULTED}, S.SUCCEEDED, MANAGE, _("由次高出价人受让"), style="primary"),
    "relist": Transition({S.DEFAULTED, S.FAILED}, S.RELISTED, MANAGE, _("重新挂牌"), style="outline-primary"),
}

BIDDER_TRANSITIONS = {
    "win": Transition({B.REGISTERED, B.LOST}, B.WON, DECIDE_BIDDER, _("竞得")),
    "lose": Transition({B.REGISTERED}, B.LOST, DECIDE_BIDDER, _("未竞得"), reason_context=BID_LOST_CONTEXT),
    "default": Transition({B.WON}, B.DEFAULTED, DECIDE_BIDDER, _("逾期未签约")),
}

# Actions the API and the managed page offer (the others follow the clock or the deal).
USER_ACTIONS = ("cancel", "offer_next", "relist")

Auction.TRANSITIONS = TRANSITIONS
Bidder.TRANSITIONS = BIDDER_TRANSITIONS
