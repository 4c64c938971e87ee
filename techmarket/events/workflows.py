"""The event workflow (data only; docs/workflows/events.md shows it in Chinese).

draft → publish → published (staff organise and publish their own events at once);
an agency's event: draft → submit → submitted → publish (staff in scope) or return → draft;
draft / submitted / published → cancel → cancelled (registrants are notified).
已结束 is not a state: a published event whose end time has passed shows as finished.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import EventStatus as S
from .models import Event

SUBMIT = "events.submit_event"
PUBLISH = "events.publish_event"
CANCEL = "events.cancel_event"

TRANSITIONS = {
    "submit": Transition({S.DRAFT}, S.SUBMITTED, SUBMIT, _("提交发布")),
    "withdraw": Transition({S.SUBMITTED}, S.DRAFT, SUBMIT, _("撤回"), style="outline-secondary"),
    "return": Transition({S.SUBMITTED}, S.DRAFT, PUBLISH, _("退回修改"), style="warning", comment_required=True),
    "publish": Transition({S.DRAFT, S.SUBMITTED}, S.PUBLISHED, PUBLISH, _("发布"), style="success"),
    "cancel": Transition({S.DRAFT, S.SUBMITTED, S.PUBLISHED}, S.CANCELLED, CANCEL, _("取消活动"),
                         style="outline-danger", comment_required=True),
}

Event.TRANSITIONS = TRANSITIONS
