"""States and codes of 揭榜挂帅 (SPEC §2 J1–J3). Labels are what bureau officers and applicants read."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    """A collection round of the demand pool (技术需求项目库 定期征集)."""

    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征集中")
    CLOSED = "closed", _("已截止")


class PoolEntryStatus(models.TextChoices):
    """A demand proposed for the pool: the district pre-reviews, the city admits it (入库)."""

    SUBMITTED = "submitted", _("待初审")
    PRE_APPROVED = "pre_approved", _("初审通过")
    ADMITTED = "admitted", _("已入库")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未入库")
    RAISED = "raised", _("已发榜")


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    PRE_APPROVED = "pre_approved", _("待发榜")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予发榜")
    PUBLISHED = "published", _("揭榜中")
    REVIEWING = "reviewing", _("评审中")
    AWARDED = "awarded", _("已开榜")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTANCE = "acceptance", _("验收中")
    ACCEPTED = "accepted", _("验收通过")
    FAILED = "failed", _("验收不通过")
    UNAWARDED = "unawarded", _("流榜")
    WITHDRAWN = "withdrawn", _("已撤榜")


EDITABLE_CHALLENGE_STATUSES = frozenset({ChallengeStatus.DRAFT, ChallengeStatus.RETURNED})
# Publicly listed: from 发榜 on, except withdrawn.
PUBLIC_CHALLENGE_STATUSES = frozenset({
    ChallengeStatus.PUBLISHED, ChallengeStatus.REVIEWING, ChallengeStatus.AWARDED, ChallengeStatus.IN_PROGRESS,
    ChallengeStatus.ACCEPTANCE, ChallengeStatus.ACCEPTED, ChallengeStatus.FAILED, ChallengeStatus.UNAWARDED,
})


class IpTerms(models.TextChoices):
    """Who owns the results (知识产权归属)."""

    SETTER = "setter", _("归发榜企业所有")
    SOLVER = "solver", _("归揭榜方所有，发榜企业享有实施权")
    SHARED = "shared", _("双方共有")
    AGREED = "agreed", _("按合同约定")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已揭榜")
    WITHDRAWN = "withdrawn", _("已撤回")
    INELIGIBLE = "ineligible", _("形式审查未通过")
    AWARDED = "awarded", _("中榜")
    NOT_AWARDED = "not_awarded", _("未中榜")


class PanelMemberStatus(models.TextChoices):
    ACTIVE = "active", _("在任")
    REMOVED = "removed", _("已撤换")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("评分中")
    SUBMITTED = "submitted", _("已提交")


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    SUBMITTED = "submitted", _("待企业确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("退回补充")


class AcceptanceOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("不通过")
    EXTENDED = "extended", _("延期验收")


class ConsortiumRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    MEMBER = "member", _("联合单位")


# Organization kinds (directory OrganizationKind) that may apply (seed 003 (六): 高校、科研院所和其他企业).
APPLICANT_KINDS = ("university", "institute", "enterprise", "rd_institution")

# Reason contexts (feedback app) of the coded reasons of this app.
REASON_NOT_AWARDED = "challenge_not_awarded"   # 未中榜反馈
REASON_REJECT = "challenge_reject"             # 不予发榜 / 未入库
