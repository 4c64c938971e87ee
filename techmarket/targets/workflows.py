"""Workflow of a district-reported value (data only; docs/workflows/targets.md shows it in Chinese).

draft → submit → submitted → approve (city) → approved, or return (city) → returned → submit again.
Only approved values count as actuals.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import ReportedValueStatus as S
from .models import ReportedValue

REPORT = "targets.report_value"
REVIEW = "targets.review_value"

TRANSITIONS = {
    "submit": Transition({S.DRAFT, S.RETURNED}, S.SUBMITTED, REPORT, _("报送市局")),
    "approve": Transition({S.SUBMITTED}, S.APPROVED, REVIEW, _("审核通过"), style="success"),
    "return": Transition({S.SUBMITTED}, S.RETURNED, REVIEW, _("退回修改"), style="warning", comment_required=True),
}

ReportedValue.TRANSITIONS = TRANSITIONS
