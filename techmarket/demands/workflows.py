"""The review workflow of demands: the achievements' workflow without ``traded``.

draft → submitted → returned (resubmit) / rejected / approved: ``scheduled`` until publish_at, then
``published`` → expired (scheduler; renew brings it back) → archived.
"""
from techmarket.achievements.records import review_transitions

from .choices import DemandStatus as S
from .models import Demand

EDIT = "demands.change_demand"
REVIEW = "demands.review_demand"
PUBLISH = "demands.publish_demand"
EXPIRE = "demands.expire_demand"
RENEW = "demands.renew_demand"
ARCHIVE = "demands.archive_demand"

TRANSITIONS = review_transitions(S, edit=EDIT, review=REVIEW, publish=PUBLISH, expire=EXPIRE, renew=RENEW,
                                 archive=ARCHIVE)

Demand.TRANSITIONS = TRANSITIONS
