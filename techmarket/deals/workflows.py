"""The deal's workflow (data only).

pending (待签约) → sign: closed, or in_notice when the seller must publish an agreed price (M5) →
close (from 00:00 of the 16th day, no open objection) → closed (draft contract created).
An auction winner who does not sign in time forfeits (cancelled); either side may cancel before closing.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import DealStatus as S
from .models import Deal

SIGN = "deals.sign_deal"
CLOSE = "deals.close_deal"
CANCEL = "deals.cancel_deal"
FORFEIT = "deals.forfeit_deal"

TRANSITIONS = {
    "sign": Transition({S.PENDING}, S.CLOSED, SIGN, _("确认签约"), style="success"),
    "sign_for_notice": Transition({S.PENDING}, S.IN_NOTICE, SIGN, _("确认签约并公示"), style="success"),
    "close": Transition({S.IN_NOTICE}, S.CLOSED, CLOSE, _("公示期满，确认成交"), style="success"),
    "cancel": Transition({S.PENDING, S.IN_NOTICE}, S.CANCELLED, CANCEL, _("取消成交"), style="outline-danger",
                         comment_required=True),
    "forfeit": Transition({S.PENDING}, S.CANCELLED, FORFEIT, _("逾期未签约（保证金不予退还）"), style="danger",
                          comment_required=True),
}

Deal.TRANSITIONS = TRANSITIONS
