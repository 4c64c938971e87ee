"""The deal's workflow and the objection's (data only; docs/workflows/deals.md shows them in Chinese).

pending (待签约) → sign: closed, or in_notice when the seller must publish an agreed price (M5) →
close (from 00:00 of the 16th day, no open objection) → closed (draft contract created).
An objection upheld by the bureau voids the deal; an auction winner who does not sign in time forfeits
(cancelled); either side may cancel a listing or agreement deal before it closes.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import DealStatus as S
from .choices import ObjectionStatus as O
from .models import Deal, Objection

SIGN = "deals.sign_deal"
SIGN_FOR_NOTICE = "deals.sign_deal_for_notice"
CLOSE = "deals.close_deal"
CANCEL = "deals.cancel_deal"
FORFEIT = "deals.forfeit_deal"
VOID = "deals.void_deal"
RESOLVE = "deals.resolve_objection"

TRANSITIONS = {
    "sign": Transition({S.PENDING}, S.CLOSED, SIGN, _("确认签约"), style="success"),
    "sign_for_notice": Transition({S.PENDING}, S.IN_NOTICE, SIGN_FOR_NOTICE, _("确认签约并公示"), style="success"),
    "close": Transition({S.IN_NOTICE}, S.CLOSED, CLOSE, _("公示期满，确认成交"), style="success"),
    "cancel": Transition({S.PENDING, S.IN_NOTICE}, S.CANCELLED, CANCEL, _("取消成交"), style="outline-danger",
                         comment_required=True),
    "forfeit": Transition({S.PENDING}, S.CANCELLED, FORFEIT, _("逾期未签约（保证金不予退还）"), style="danger",
                          comment_required=True),
    "void": Transition({S.IN_NOTICE}, S.CANCELLED, VOID, _("异议成立，终止成交"), style="danger",
                       comment_required=True),
}

Deal.TRANSITIONS = TRANSITIONS

OBJECTION_TRANSITIONS = {
    "uphold": Transition({O.OPEN}, O.UPHELD, RESOLVE, _("异议成立"), style="danger", comment_required=True),
    "dismiss": Transition({O.OPEN}, O.DISMISSED, RESOLVE, _("异议不成立"), style="secondary",
                          comment_required=True),
}

Objection.TRANSITIONS = OBJECTION_TRANSITIONS
