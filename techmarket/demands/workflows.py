"""The review workflow of demands: the achievements' workflow without ``traded``.

draft → submitted → returned (resubmit) / rejected / approved: ``scheduled`` until publish_at, then
``published`` → expired (scheduler; renew brings it back) → archived.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import DemandStatus as S
from .models import Demand

EDIT = "demands.change_demand"
REVIEW = "demands.review_demand"
PUBLISH = "demands.publish_demand"
EXPIRE = "demands.expire_demand"
RENEW = "demands.renew_demand"
ARCHIVE = "demands.archive_demand"

TRANSITIONS = {
    "submit": Transition({S.DRAFT}, S.SUBMITTED, EDIT, _("提交审核")),
    "withdraw": Transition({S.SUBMITTED}, S.DRAFT, EDIT, _("撤回"), style="outline-secondary"),
    "resubmit": Transition({S.RETURNED}, S.SUBMITTED, EDIT, _("重新提交")),
    "return": Transition({S.SUBMITTED}, S.RETURNED, REVIEW, _("退回修改"), reason_context="review_return",
                         style="warning"),
    "reject": Transition({S.SUBMITTED}, S.REJECTED, REVIEW, _("不予通过"), reason_context="review_reject",
                         style="danger"),
    "approve": Transition({S.SUBMITTED}, S.SCHEDULED, REVIEW, _("审核通过"), style="success"),
    "publish": Transition({S.SCHEDULED}, S.PUBLISHED, PUBLISH, _("发布"), style="success"),
    "expire": Transition({S.PUBLISHED}, S.EXPIRED, EXPIRE, _("到期下架"), style="outline-secondary"),
    "renew": Transition({S.EXPIRED}, S.PUBLISHED, RENEW, _("确认续期"), style="success"),
    "archive": Transition({S.SCHEDULED, S.PUBLISHED, S.EXPIRED}, S.ARCHIVED, ARCHIVE, _("归档"),
                          style="outline-secondary"),
}

Demand.TRANSITIONS = TRANSITIONS
