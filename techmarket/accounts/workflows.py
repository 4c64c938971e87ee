"""Review of self-registration requests (issue item 6): data only.

submitted → approved (creates the organization if new and the user) | rejected (with a coded reason).
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .models import RegistrationRequest, RegistrationStatus
from .permissions import REVIEW_REGISTRATION_PERMISSION

S = RegistrationStatus
REVIEW_PERMISSION = REVIEW_REGISTRATION_PERMISSION
REJECT_REASON_CONTEXT = "account_registration_reject"

TRANSITIONS = {
    "approve": Transition({S.SUBMITTED}, S.APPROVED, REVIEW_PERMISSION, _("通过"), style="success"),
    "reject": Transition({S.SUBMITTED}, S.REJECTED, REVIEW_PERMISSION, _("不通过"),
                         reason_context=REJECT_REASON_CONTEXT, style="danger"),
}

RegistrationRequest.TRANSITIONS = TRANSITIONS
