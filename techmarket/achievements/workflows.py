"""The review workflow of achievements (data only; docs/workflows/achievements.md shows it in Chinese).

draft → submitted → returned (resubmit) / rejected / approved: ``scheduled`` until the owner's
publish_at, then ``published`` (at once when no date is set) → expired (by the scheduler, B1;
renew brings it back) / traded (转让 or 独占许可 ended its availability) → archived.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import AchievementStatus as S
from .models import Achievement
from .records import review_transitions

EDIT = "achievements.change_achievement"
REVIEW = "achievements.review_achievement"
PUBLISH = "achievements.publish_achievement"
EXPIRE = "achievements.expire_achievement"
RENEW = "achievements.renew_achievement"
ARCHIVE = "achievements.archive_achievement"
TRADE = "achievements.trade_achievement"

TRANSITIONS = {
    **review_transitions(S, edit=EDIT, review=REVIEW, publish=PUBLISH, expire=EXPIRE, renew=RENEW,
                         archive=ARCHIVE, archive_also_from={S.TRADED}),
    "mark_traded": Transition({S.PUBLISHED}, S.TRADED, TRADE, _("标记已成交"), style="outline-primary"),
}

Achievement.TRANSITIONS = TRANSITIONS
