"""Workflows of subsidy rounds and declarations (data only; docs/workflows/subsidies.md in Chinese).

Round: draft → open (申报中) → reviewing (截止申报, 审核中) → computed (测算; recomputation stays computed
with a new version) → notice (公示) → approved (批准, maker-checker) → closed (拨付/推荐完毕);
draft/open/reviewing → cancelled. Recomputation is allowed from computed and from notice (the notice
then has to be published again).

Declaration: draft → submitted (申报) → pre_approved (初审通过, district) → accepted (复审通过, city);
初审/复审 may return (退回修改 → submit again) and the city may reject.
"""
from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import DeclarationStatus as D
from .choices import RoundStatus as R
from .models import SubsidyDeclaration, SubsidyRound

MANAGE_ROUND = "subsidies.manage_round"
COMPUTE_ROUND = "subsidies.compute_round"
APPROVE_ROUND = "subsidies.approve_round"
DECLARE = "subsidies.declare"
PRE_REVIEW = "subsidies.pre_review"
CITY_REVIEW = "subsidies.city_review"

ROUND_TRANSITIONS = {
    "open": Transition({R.DRAFT}, R.OPEN, MANAGE_ROUND, _("开始申报"), style="success"),
    "close_declarations": Transition({R.OPEN}, R.REVIEWING, MANAGE_ROUND, _("截止申报")),
    "compute": Transition({R.REVIEWING, R.COMPUTED, R.NOTICE}, R.COMPUTED, COMPUTE_ROUND, _("测算")),
    "publish_notice": Transition({R.COMPUTED}, R.NOTICE, MANAGE_ROUND, _("公示"), style="success"),
    "approve": Transition({R.NOTICE}, R.APPROVED, APPROVE_ROUND, _("批准"), style="success"),
    "close": Transition({R.APPROVED}, R.CLOSED, MANAGE_ROUND, _("办结")),
    "cancel": Transition({R.DRAFT, R.OPEN, R.REVIEWING}, R.CANCELLED, MANAGE_ROUND, _("取消批次"),
                         style="outline-danger", comment_required=True),
}

DECLARATION_TRANSITIONS = {
    "submit": Transition({D.DRAFT, D.RETURNED}, D.SUBMITTED, DECLARE, _("提交申报"), style="success"),
    "withdraw": Transition({D.SUBMITTED}, D.DRAFT, DECLARE, _("撤回"), style="outline-secondary"),
    "pre_approve": Transition({D.SUBMITTED}, D.PRE_APPROVED, PRE_REVIEW, _("初审通过"), style="success"),
    "pre_return": Transition({D.SUBMITTED}, D.RETURNED, PRE_REVIEW, _("初审退回"), style="warning",
                             comment_required=True),
    "accept": Transition({D.PRE_APPROVED}, D.ACCEPTED, CITY_REVIEW, _("复审通过"), style="success"),
    "return": Transition({D.PRE_APPROVED}, D.RETURNED, CITY_REVIEW, _("复审退回"), style="warning",
                         comment_required=True),
    "reject": Transition({D.SUBMITTED, D.PRE_APPROVED}, D.REJECTED, CITY_REVIEW, _("不予支持"),
                         style="outline-danger", comment_required=True),
}

SubsidyRound.TRANSITIONS = ROUND_TRANSITIONS
SubsidyDeclaration.TRANSITIONS = DECLARATION_TRANSITIONS
