"""The review workflow of achievements (data only; docs/workflows/achievements.md shows it in Chinese).

draft → submitted → returned (resubmit) / rejected / approved: ``scheduled`` until the owner's
publish_at, then ``published`` (at once when no date is set) → expired (by the scheduler, B1;
renew brings it back) / traded (转让 or 独占许可 ended its availability) → archived.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import AchievementStatus as S
from .models import Achievement

EDIT = "achievements.change_achievement"
REVIEW = "achievements.review_achievement"
PUBLISH = "achievements.publish_achievement"
EXPIRE = "achievements.expire_achievement"
RENEW = "achievements.renew_achievement"
ARCHIVE = "achievements.archive_achievement"
TRADE = "achievements.trade_achievement"

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
    "mark_traded": Transition({S.PUBLISHED}, S.TRADED, TRADE, _("标记已成交"), style="outline-primary"),
    "archive": Transition({S.SCHEDULED, S.PUBLISHED, S.EXPIRED, S.TRADED}, S.ARCHIVED, ARCHIVE, _("归档"),
                          style="outline-secondary"),
}

Achievement.TRANSITIONS = TRANSITIONS
