"""The workflows of 揭榜挂帅 (data only; docs/workflows/challenges.md shows them in Chinese).

Collection round: draft → open → closed (at its deadline, or by the bureau).
Pool entry: submitted → pre_approved (district 初审) → admitted (city 入库) → raised (its challenge published);
returned (resubmit) / rejected.
Challenge: draft → submitted → pre_approved (district) → published (city 发榜, pushed) → reviewing (applications
closed at the deadline) → awarded (开榜 by the enterprise) → in_progress (contract signed; milestones) →
acceptance (验收 organised by the bureau) → accepted / failed, or back to in_progress when extended.
Returned / rejected before publication; unawarded (流榜) when nobody is chosen; withdrawn (撤榜) by the enterprise
before the award.
Application: draft → submitted (揭榜) → awarded / not_awarded (coded feedback), withdrawn, ineligible.
Milestone: pending → submitted (winner, with evidence) → confirmed (enterprise) or returned.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import REASON_NOT_AWARDED, REASON_REJECT
from .choices import ApplicationStatus as A
from .choices import ChallengeStatus as S
from .choices import MilestoneStatus as M
from .choices import PoolEntryStatus as P
from .choices import RoundStatus as R
from .models import Challenge, ChallengeApplication, CollectionRound, Milestone, PoolEntry

# Permission names; each is decided by one policy in permissions.py / review_permissions.py.
ROUND_MANAGE = "challenges.manage_round"          # city bureau administrator
ROUND_CLOSE = "challenges.close_round"            # bureau administrator, or the scheduler at the deadline
POOL_OWNER = "challenges.own_pool_entry"          # users of the demand's enterprise
POOL_PRE_REVIEW = "challenges.pre_review_pool"    # district officer / bureau administrator in scope
POOL_ADMIT = "challenges.admit_pool"              # city bureau administrator
POOL_RAISE = "challenges.raise_pool_entry"        # the system, when the challenge is published
EDIT = "challenges.change_challenge"              # users of the setting enterprise
PRE_REVIEW = "challenges.pre_review_challenge"    # district officer / bureau administrator in scope
PUBLISH = "challenges.publish_challenge"          # city bureau administrator (发榜)
CLOSE_APPLICATIONS = "challenges.close_applications"  # the scheduler, or a bureau administrator, after the deadline
AWARD = "challenges.award_challenge"              # the setting enterprise, once every panellist has submitted
UNAWARD = "challenges.unaward_challenge"          # the setting enterprise or a bureau administrator
START = "challenges.start_challenge"              # the setting enterprise, once the contract is signed
ORGANISE_ACCEPTANCE = "challenges.organise_acceptance"  # city bureau administrator
DECIDE_ACCEPTANCE = "challenges.decide_acceptance"      # city bureau administrator
WITHDRAW = "challenges.withdraw_challenge"        # the setting enterprise, before the award
APPLY = "challenges.apply"                        # users of the applying (lead) unit
APPLICATION_CHECK = "challenges.check_application"  # bureau administrator (形式审查)
APPLICATION_DECIDE = "challenges.decide_application"  # the setting enterprise (开榜)
MILESTONE_REPORT = "challenges.report_milestone"  # users of the winning unit
MILESTONE_CONFIRM = "challenges.confirm_milestone"  # users of the setting enterprise

ROUND_TRANSITIONS = {
    "open": Transition({R.DRAFT}, R.OPEN, ROUND_MANAGE, _("开始征集"), style="success"),
    "close": Transition({R.OPEN}, R.CLOSED, ROUND_CLOSE, _("截止征集"), style="secondary"),
}
CollectionRound.TRANSITIONS = ROUND_TRANSITIONS

POOL_TRANSITIONS = {
    "pre_approve": Transition({P.SUBMITTED}, P.PRE_APPROVED, POOL_PRE_REVIEW, _("初审通过"), style="success"),
    "admit": Transition({P.PRE_APPROVED}, P.ADMITTED, POOL_ADMIT, _("入库"), style="success"),
    "return": Transition({P.SUBMITTED, P.PRE_APPROVED}, P.RETURNED, POOL_PRE_REVIEW, _("退回修改"),
                         style="outline-warning", comment_required=True),
    "resubmit": Transition({P.RETURNED}, P.SUBMITTED, POOL_OWNER, _("重新申报")),
    "reject": Transition({P.SUBMITTED, P.PRE_APPROVED}, P.REJECTED, POOL_ADMIT, _("不予入库"),
                         style="outline-danger", reason_context=REASON_REJECT),
    "raise": Transition({P.ADMITTED, P.PRE_APPROVED, P.SUBMITTED}, P.RAISED, POOL_RAISE, _("已发榜")),
}
PoolEntry.TRANSITIONS = POOL_TRANSITIONS

TRANSITIONS = {
    "submit": Transition({S.DRAFT}, S.SUBMITTED, EDIT, _("提交审核")),
    "resubmit": Transition({S.RETURNED}, S.SUBMITTED, EDIT, _("重新提交")),
    "pre_approve": Transition({S.SUBMITTED}, S.PRE_APPROVED, PRE_REVIEW, _("初审通过"), style="success"),
    "return": Transition({S.SUBMITTED, S.PRE_APPROVED}, S.RETURNED, PRE_REVIEW, _("退回修改"),
                         style="outline-warning", comment_required=True),
    "reject": Transition({S.SUBMITTED, S.PRE_APPROVED}, S.REJECTED, PUBLISH, _("不予发榜"), style="outline-danger",
                         reason_context=REASON_REJECT),
    "publish": Transition({S.PRE_APPROVED}, S.PUBLISHED, PUBLISH, _("发榜"), style="success"),
    "close_applications": Transition({S.PUBLISHED}, S.REVIEWING, CLOSE_APPLICATIONS, _("截止揭榜，进入评审"),
                                     style="secondary"),
    "award": Transition({S.REVIEWING}, S.AWARDED, AWARD, _("开榜（确定揭榜方）"), style="success"),
    "unaward": Transition({S.PUBLISHED, S.REVIEWING}, S.UNAWARDED, UNAWARD, _("流榜"), style="outline-danger",
                          comment_required=True),
    "start": Transition({S.AWARDED}, S.IN_PROGRESS, START, _("合同已签订，开始实施"), style="success"),
    "organise_acceptance": Transition({S.IN_PROGRESS}, S.ACCEPTANCE, ORGANISE_ACCEPTANCE, _("组织验收")),
    "pass": Transition({S.ACCEPTANCE}, S.ACCEPTED, DECIDE_ACCEPTANCE, _("验收通过"), style="success"),
    "fail": Transition({S.ACCEPTANCE}, S.FAILED, DECIDE_ACCEPTANCE, _("验收不通过"), style="danger",
                       comment_required=True),
    "extend": Transition({S.ACCEPTANCE}, S.IN_PROGRESS, DECIDE_ACCEPTANCE, _("延期验收"), style="outline-warning",
                         comment_required=True),
    "withdraw": Transition({S.DRAFT, S.SUBMITTED, S.PRE_APPROVED, S.RETURNED, S.PUBLISHED}, S.WITHDRAWN, WITHDRAW,
                           _("撤榜"), style="outline-danger", comment_required=True),
}
Challenge.TRANSITIONS = TRANSITIONS

APPLICATION_TRANSITIONS = {
    "submit": Transition({A.DRAFT}, A.SUBMITTED, APPLY, _("提交揭榜")),
    "withdraw": Transition({A.DRAFT, A.SUBMITTED}, A.WITHDRAWN, APPLY, _("撤回揭榜"), style="outline-danger"),
    "mark_ineligible": Transition({A.SUBMITTED}, A.INELIGIBLE, APPLICATION_CHECK, _("形式审查不通过"),
                                  style="outline-danger", reason_context=REASON_NOT_AWARDED),
    "award": Transition({A.SUBMITTED}, A.AWARDED, APPLICATION_DECIDE, _("确定中榜"), style="success"),
    "not_award": Transition({A.SUBMITTED}, A.NOT_AWARDED, APPLICATION_DECIDE, _("未中榜"), style="secondary",
                            reason_context=REASON_NOT_AWARDED),
}
ChallengeApplication.TRANSITIONS = APPLICATION_TRANSITIONS

MILESTONE_TRANSITIONS = {
    "submit": Transition({M.PENDING, M.RETURNED}, M.SUBMITTED, MILESTONE_REPORT, _("提交完成情况")),
    "confirm": Transition({M.SUBMITTED}, M.CONFIRMED, MILESTONE_CONFIRM, _("确认完成"), style="success"),
    "return": Transition({M.SUBMITTED}, M.RETURNED, MILESTONE_CONFIRM, _("退回补充"), style="outline-warning",
                         comment_required=True),
}
Milestone.TRANSITIONS = MILESTONE_TRANSITIONS
