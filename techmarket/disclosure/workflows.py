"""Disclosure request workflow (data only; core.workflows.transition runs it).

requested ─approve→ approved ─accept_terms→ active
    │                  │                      │
    ├─reject→ rejected ├─withdraw→ withdrawn  └─revoke→ revoked
    └─withdraw→ withdrawn └─revoke→ revoked
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import DisclosureStatus as S

DECIDE = "disclosure.decide_request"
REVOKE = "disclosure.revoke_request"
ACCEPT_TERMS = "disclosure.accept_terms"
WITHDRAW = "disclosure.withdraw_request"

TRANSITIONS = {
    "approve": Transition({S.REQUESTED}, S.APPROVED, DECIDE, _("批准"), style="success"),
    "reject": Transition({S.REQUESTED}, S.REJECTED, DECIDE, _("拒绝"), reason_context="disclosure_reject",
                         style="danger"),
    "accept_terms": Transition({S.APPROVED}, S.ACTIVE, ACCEPT_TERMS, _("签署保密协议"), style="primary"),
    "withdraw": Transition({S.REQUESTED, S.APPROVED}, S.WITHDRAWN, WITHDRAW, _("撤回申请"),
                           style="secondary"),
    "revoke": Transition({S.APPROVED, S.ACTIVE}, S.REVOKED, REVOKE, _("撤销授权"), style="danger"),
}
