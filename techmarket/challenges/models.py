"""揭榜挂帅 (SPEC §2 J1–J3, seed 003 (六)): the demand pool, challenges (榜单), applications (揭榜),
the expert panel and its scores, milestones and acceptance (验收).

A challenge is raised from a published demand by its enterprise, pre-reviewed by the district,
published by the city (发榜) and pushed to matched experts and institutions; units apply alone or
as a consortium after accepting the challenge agreement; a panel without conflicts of interest
scores the applications; the enterprise chooses (开榜); the contract comes pre-filled for
registration; milestones are confirmed by the enterprise and the bureau organises acceptance.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.records import MarketAttachment
from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from .choices import (
    AcceptanceOutcome,
    ApplicationStatus,
    ChallengeStatus,
    ConsortiumRole,
    IpTerms,
    MilestoneStatus,
    PanelMemberStatus,
    PoolEntryStatus,
    PUBLIC_CHALLENGE_STATUSES,
    ReviewStatus,
    RoundStatus,
)


# --- the demand pool (技术需求项目库) -------------------------------------------------------------------


class CollectionRound(TimeStampedModel):
    """定期收集: the bureau opens a round with a deadline; enterprises propose demands; districts pre-review."""

    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT,
                              db_index=True)
    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("城市"))
    title = models.CharField(_("征集名称"), max_length=200)
    description = models.TextField(_("征集说明"), blank=True)
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateTimeField(_("截止时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("需求征集批次")
        verbose_name_plural = _("需求征集批次")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def region(self):
        return self.city

    def get_absolute_url(self) -> str:
        return reverse("challenges:round_detail", kwargs={"pk": self.pk})


class PoolEntry(TimeStampedModel):
    """A demand in the pool (a challenge candidate); one entry per demand."""

    status = models.CharField(_("状态"), max_length=16, choices=PoolEntryStatus.choices,
                              default=PoolEntryStatus.SUBMITTED, db_index=True)
    round = models.ForeignKey(CollectionRound, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="entries", verbose_name=_("征集批次"),
                              help_text=_("为空表示常年征集"))
    demand = models.OneToOneField("demands.Demand", on_delete=models.PROTECT, related_name="pool_entry",
                                  verbose_name=_("技术需求"))
    note = models.TextField(_("申报说明"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("申报人"))

    class Meta:
        verbose_name = _("需求项目库条目")
        verbose_name_plural = _("需求项目库条目")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.demand)

    @property
    def region(self):
        return self.demand.region

    @property
    def owner_organization_id(self):
        return self.demand.owner_organization_id

    def get_absolute_url(self) -> str:
        return reverse("challenges:pool_detail", kwargs={"pk": self.pk})


# --- the challenge (榜单) ---------------------------------------------------------------------------------


class Challenge(TimeStampedModel):
    """A 榜单 raised from a demand: the public problem, indicators, budget, eligibility and the project
    that follows the award (contract, milestones, acceptance)."""

    status = models.CharField(_("状态"), max_length=16, choices=ChallengeStatus.choices,
                              default=ChallengeStatus.DRAFT, db_index=True)
    demand = models.ForeignKey("demands.Demand", on_delete=models.PROTECT, related_name="challenges",
                               verbose_name=_("来源需求"))
    pool_entry = models.ForeignKey(PoolEntry, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="challenges", verbose_name=_("项目库条目"))
    owner_organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                           related_name="challenges_set", verbose_name=_("发榜企业"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所在区域"))
    tech_field = models.ForeignKey("taxonomies.Term", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("技术领域"), limit_choices_to={"scheme__code": "hitech_domains"})
    title = models.CharField(_("榜单名称"), max_length=200)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    problem_statement = models.TextField(_("需求描述"), help_text=_("公开：要解决的技术问题"))
    indicators = models.JSONField(_("技术指标"), default=list, blank=True,
                                  help_text=_("每项：指标名称、目标值、单位"))
    budget_min_fen = MoneyField(_("合同金额下限（分）"))
    budget_max_fen = MoneyField(_("合同金额上限（分）"))
    application_deadline = models.DateTimeField(_("揭榜截止时间"))
    duration_months = models.PositiveSmallIntegerField(_("实施周期（月）"))
    ip_terms = models.CharField(_("知识产权归属"), max_length=12, choices=IpTerms.choices, default=IpTerms.AGREED)
    ip_terms_note = models.TextField(_("知识产权约定说明"), blank=True)
    eligible_region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("揭榜方所在区域"),
                                        help_text=_("为空表示不限地域"))
    eligible_kinds = models.JSONField(_("揭榜单位类型"), default=list, blank=True,
                                      help_text=_("为空表示高校、科研院所、新型研发机构和企业均可"))
    eligible_qualifications = models.JSONField(_("资质要求"), default=list, blank=True,
                                               help_text=_("揭榜单位须持有的有效资质"))
    eligibility_note = models.TextField(_("其他条件"), blank=True)
    agreement_text = models.TextField(_("揭榜协议"), help_text=_("揭榜前须接受；接受后可查看保密附件"))
    confidential_detail = models.TextField(_("保密信息"), blank=True,
                                           help_text=_("仅发榜企业、管理人员和已接受揭榜协议的单位可见，查看均有记录"))
    published_at = models.DateTimeField(_("发榜时间"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("开榜时间"), null=True, blank=True)
    winner = models.OneToOneField("ChallengeApplication", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="won_challenge", verbose_name=_("中榜申请"))
    contract = models.OneToOneField("contracts.TechContract", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="challenge", verbose_name=_("技术合同"))
    started_on = models.DateField(_("实施开始日期"), null=True, blank=True)
    due_on = models.DateField(_("计划完成日期"), null=True, blank=True, help_text=_("延期验收时顺延"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    AUDIT_EXCLUDE = ("confidential_detail",)

    class Meta:
        verbose_name = _("揭榜挂帅榜单")
        verbose_name_plural = _("揭榜挂帅榜单")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "application_deadline"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget_min_fen__gt=0), name="challenge_budget_positive",
                                   violation_error_message=_("合同金额应大于 0")),
            models.CheckConstraint(condition=models.Q(budget_min_fen__lte=models.F("budget_max_fen")),
                                   name="challenge_budget_ordered",
                                   violation_error_message=_("合同金额下限不能高于上限")),
            models.CheckConstraint(condition=models.Q(duration_months__gt=0), name="challenge_duration_positive",
                                   violation_error_message=_("实施周期应大于 0")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_CHALLENGE_STATUSES

    @property
    def summary(self) -> str:
        """The public text (matching and push read ``summary``)."""
        return self.problem_statement

    @property
    def disclosure_owner_organization_id(self):
        return self.owner_organization_id

    def disclosure_viewer_allowed(self, user) -> bool:
        """Staff in scope, the panel and the units that accepted the agreement see the confidential tier (B3)."""
        from .permissions import can_see_confidential

        return can_see_confidential(user, self)

    def disclosure_open_to_requests(self) -> bool:
        return False  # the way in is the challenge agreement (揭榜协议), not a disclosure request

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("challenges:manage_detail", kwargs={"pk": self.pk})


class ChallengeAttachment(MarketAttachment):
    record = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("榜单"))

    class Meta(MarketAttachment.Meta):
        verbose_name = _("榜单附件")
        verbose_name_plural = _("榜单附件")


class AgreementAcceptance(models.Model):
    """A unit accepted the challenge agreement (揭榜协议): the first step of applying, and the key to the
    confidential tier (B3). The text accepted is kept as it was."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="acceptances",
                                  verbose_name=_("榜单"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("单位"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("接受人"))
    agreement_text = models.TextField(_("协议文本"))
    accepted_at = models.DateTimeField(_("接受时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("揭榜协议确认")
        verbose_name_plural = _("揭榜协议确认")
        ordering = ["accepted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "organization"],
                                               name="unique_challenge_agreement_per_unit")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.challenge}"


# --- applications (揭榜) ----------------------------------------------------------------------------------


class ChallengeApplication(TimeStampedModel):
    """One unit's application (alone, or as lead of a consortium)."""

    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("榜单"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                     related_name="challenge_applications", verbose_name=_("揭榜单位（牵头）"))
    technical_plan = models.TextField(_("技术方案"))
    price_fen = MoneyField(_("报价（分）"))
    duration_months = models.PositiveSmallIntegerField(_("实施周期（月）"))
    contact = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("联系人"))
    submitted_at = models.DateTimeField(_("揭榜时间"), null=True, blank=True)
    score = models.DecimalField(_("评审得分"), max_digits=6, decimal_places=2, null=True, blank=True,
                                help_text=_("已提交评分的平均加权分"))
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    feedback_code = models.CharField(_("反馈原因代码"), max_length=64, blank=True)
    feedback = models.TextField(_("反馈意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    REASON_OWNER_FIELD = "organization"  # coded feedback counts per institution (B2 statistics)

    class Meta:
        verbose_name = _("揭榜申请")
        verbose_name_plural = _("揭榜申请")
        ordering = ["challenge", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "organization"], name="unique_application_per_unit",
                                    violation_error_message=_("本单位已揭榜该榜单")),
            models.CheckConstraint(condition=models.Q(price_fen__gt=0), name="application_price_positive",
                                   violation_error_message=_("报价应大于 0")),
            models.CheckConstraint(condition=models.Q(duration_months__gt=0),
                                   name="application_duration_positive",
                                   violation_error_message=_("实施周期应大于 0")),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.challenge}"

    @property
    def region(self):
        return self.challenge.region

    def get_absolute_url(self) -> str:
        return reverse("challenges:application_detail", kwargs={"pk": self.pk})


class ConsortiumMember(models.Model):
    """The units of an application: the lead (also ``application.organization``) and its partners."""

    application = models.ForeignKey(ChallengeApplication, on_delete=models.CASCADE, related_name="members",
                                    verbose_name=_("揭榜申请"))
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("榜单"),
                                  help_text=_("冗余保存，保证一个单位在同一榜单只出现在一份申请中"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=8, choices=ConsortiumRole.choices, default=ConsortiumRole.MEMBER)
    responsibility = models.CharField(_("分工"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("联合体成员")
        verbose_name_plural = _("联合体成员")
        ordering = ["application", "-role", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "organization"],
                                               name="unique_unit_per_challenge",
                                               violation_error_message=_("该单位已参与本榜单的其他揭榜申请"))]

    def __str__(self) -> str:
        return str(self.organization)


class TeamMember(models.Model):
    """A person of the talent registry on the applicant's team."""

    application = models.ForeignKey(ChallengeApplication, on_delete=models.CASCADE, related_name="team",
                                    verbose_name=_("揭榜申请"))
    person = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    role = models.CharField(_("承担工作"), max_length=100, blank=True)
    is_leader = models.BooleanField(_("项目负责人"), default=False)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["application", "-is_leader", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "person"], name="unique_team_member")]

    def __str__(self) -> str:
        return str(self.person)


class PlannedMilestone(models.Model):
    """A milestone the applicant proposes; the winner's become the project's milestones."""

    application = models.ForeignKey(ChallengeApplication, on_delete=models.CASCADE, related_name="planned_milestones",
                                    verbose_name=_("揭榜申请"))
    title = models.CharField(_("节点名称"), max_length=200)
    deliverable = models.TextField(_("交付成果"), blank=True)
    month = models.PositiveSmallIntegerField(_("完成月份"), help_text=_("自合同签订起第几个月末"))

    class Meta:
        verbose_name = _("计划节点")
        verbose_name_plural = _("计划节点")
        ordering = ["application", "month", "pk"]

    def __str__(self) -> str:
        return self.title


class ApplicationAttachment(MarketAttachment):
    record = models.ForeignKey(ChallengeApplication, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("揭榜申请"))

    class Meta(MarketAttachment.Meta):
        verbose_name = _("揭榜申请附件")
        verbose_name_plural = _("揭榜申请附件")


# --- the panel (专家评审) ----------------------------------------------------------------------------------


class ReviewCriterion(models.Model):
    """A weighted criterion of a challenge's review; the weights of a challenge sum to 100."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria",
                                  verbose_name=_("榜单"))
    name = models.CharField(_("评审指标"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重（%）"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评审指标")
        verbose_name_plural = _("评审指标")
        ordering = ["challenge", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}%）"


class PanelMember(TimeStampedModel):
    """An expert of the talent registry on a challenge's panel (checked for conflicts of interest)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="panel",
                                  verbose_name=_("榜单"))
    person = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="challenge_panels",
                               verbose_name=_("评审专家"))
    status = models.CharField(_("状态"), max_length=8, choices=PanelMemberStatus.choices,
                              default=PanelMemberStatus.ACTIVE)
    is_chair = models.BooleanField(_("组长"), default=False)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("遴选人"))

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["challenge", "-is_chair", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "person"], name="unique_panel_member")]

    def __str__(self) -> str:
        return str(self.person)


class Review(TimeStampedModel):
    """One panellist's scores of one application; hidden from other panellists until they submit theirs."""

    status = models.CharField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="reviews",
                               verbose_name=_("评审专家"))
    application = models.ForeignKey(ChallengeApplication, on_delete=models.CASCADE, related_name="reviews",
                                    verbose_name=_("揭榜申请"))
    scores = models.JSONField(_("各项得分"), default=dict, help_text=_("评审指标编号 → 0–100 分"))
    total = models.DecimalField(_("加权得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审评分")
        verbose_name_plural = _("评审评分")
        ordering = ["application", "member", "pk"]
        constraints = [models.UniqueConstraint(fields=["member", "application"], name="unique_review")]

    def __str__(self) -> str:
        return f"{self.member} · {self.application}"


# --- delivery (实施与验收) ----------------------------------------------------------------------------------


class Milestone(TimeStampedModel):
    status = models.CharField(_("状态"), max_length=10, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PENDING, db_index=True)
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="milestones",
                                  verbose_name=_("榜单"))
    title = models.CharField(_("节点名称"), max_length=200)
    deliverable = models.TextField(_("交付成果"), blank=True)
    due_on = models.DateField(_("计划完成日期"))
    report = models.TextField(_("完成情况"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("实施节点")
        verbose_name_plural = _("实施节点")
        ordering = ["challenge", "sort_order", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def region(self):
        return self.challenge.region


class MilestoneEvidence(MarketAttachment):
    record = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("实施节点"))

    class Meta(MarketAttachment.Meta):
        verbose_name = _("节点佐证材料")
        verbose_name_plural = _("节点佐证材料")


class AcceptanceReview(TimeStampedModel):
    """One acceptance meeting (验收) organised by the bureau; an extension leads to another."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="acceptance_reviews",
                                  verbose_name=_("榜单"))
    held_on = models.DateField(_("验收日期"))
    outcome = models.CharField(_("验收结论"), max_length=10, choices=AcceptanceOutcome.choices, blank=True)
    conclusion = models.TextField(_("验收意见"), blank=True)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    organised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("组织人"))
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ["challenge", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.challenge} · {self.held_on}"


class AcceptanceOpinion(TimeStampedModel):
    """A panellist's opinion at an acceptance meeting."""

    review = models.ForeignKey(AcceptanceReview, on_delete=models.CASCADE, related_name="opinions",
                               verbose_name=_("验收"))
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("专家"))
    outcome = models.CharField(_("意见结论"), max_length=10, choices=AcceptanceOutcome.choices)
    opinion = models.TextField(_("专家意见"))

    class Meta:
        verbose_name = _("验收专家意见")
        verbose_name_plural = _("验收专家意见")
        ordering = ["review", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="unique_acceptance_opinion")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_outcome_display()}"
