"""Subsidy policies as data (P1), rounds with declarations and computations (P2).

Money is integer fen (``*_fen``); rates are Decimal percents. A policy is versioned: once a computation
used a version, editing makes a new version (``policy_update``) and the computation keeps the old one.
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
    Base,
    CounterpartyLocation,
    DeclarationStatus,
    EvidenceKind,
    ExclusionCode,
    Payer,
    RecipientRole,
    RoundStatus,
    RuleKind,
    UnitKind,
    UnitLocation,
)
from techmarket.directory.choices import Level, QualificationKind


class SubsidyPolicy(TimeStampedModel):
    """One rule of a city's policy document for one year, in one version."""

    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("城市"))
    year = models.PositiveSmallIntegerField(_("政策年度"))
    code = models.SlugField(_("规则代码"), max_length=60, help_text=_("同一规则各版本共用，用于跨批次封顶"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("上一版本"))
    name = models.CharField(_("规则名称"), max_length=200)
    rule_kind = models.CharField(_("规则类型"), max_length=20, choices=RuleKind.choices)
    recipient_role = models.CharField(_("受助方"), max_length=10, choices=RecipientRole.choices)
    base = models.CharField(_("计算基数"), max_length=14, choices=Base.choices, blank=True)
    payment_evidence_required = models.BooleanField(
        _("付款需转账凭证和发票"), default=False, help_text=_("按付款额计算时，每笔付款须同时有转账凭证和发票"))
    counterparty_location = models.CharField(_("交易对方所在地"), max_length=20, choices=CounterpartyLocation.choices,
                                             default=CounterpartyLocation.ANY)
    unit_location = models.CharField(_("单位所在地"), max_length=12, choices=UnitLocation.choices,
                                     default=UnitLocation.IN_CITY)
    transfer_in_city = models.BooleanField(_("须在本市转化"), default=False,
                                           help_text=_("买方须在本市（买方规则即单位本身在本市）"))
    local_transfer_evidence_required = models.BooleanField(
        _("申报须附在本市转化证明"), default=False,
        help_text=_("政策原文要求在本市实施转化、产业化的，申报提交前须上传至少一份“在本市实施转化证明”"))
    unit_kind = models.CharField(_("单位类型"), max_length=24, choices=UnitKind.choices)
    platform_kinds = models.JSONField(_("载体类型"), default=list, blank=True,
                                      help_text=_("创新创业载体规则适用的平台类型（directory PlatformKind 代码）"))
    qualification_kind = models.CharField(_("资质条件"), max_length=20, choices=QualificationKind.choices, blank=True)
    min_level = models.CharField(_("最低级别"), max_length=12, choices=Level.choices, blank=True,
                                 help_text=_("资质（或载体）级别须达到该级别及以上"))
    requires_national_number = models.BooleanField(_("须有全国技术合同登记编号"), default=True)
    payer = models.CharField(_("资金来源"), max_length=10, choices=Payer.choices)
    rate_percent = models.DecimalField(_("比例上限（%）"), max_digits=6, decimal_places=3, null=True, blank=True)
    min_amount_fen = MoneyField(_("最低金额（分）"), null=True, blank=True)
    max_amount_fen = MoneyField(_("最高金额（分）"), null=True, blank=True)
    cap_per_unit_year_fen = MoneyField(_("每单位每年上限（分）"), null=True, blank=True)
    grade_amounts = models.JSONField(_("档次金额"), default=list, blank=True,
                                     help_text=_("[{\"grade\": \"优秀\", \"amount_fen\": 30000000}, …]"))
    instalments = models.JSONField(_("分期节点"), default=list, blank=True,
                                   help_text=_("[{\"code\": \"signing\", \"label\": \"签约\", \"percent\": 50}, …]"))
    citation = models.TextField(_("政策依据"), help_text=_("文件名称、段落与原文"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("补助政策")
        verbose_name_plural = _("补助政策")
        ordering = ["city__code", "-year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year", "code", "version"], name="subsidy_policy_version_unique",
                                    violation_error_message=_("该规则的此版本已存在")),
            models.UniqueConstraint(fields=["city", "year", "code"], condition=models.Q(is_current=True),
                                    name="subsidy_policy_one_current",
                                    violation_error_message=_("同一规则只能有一个现行版本")),
            models.CheckConstraint(condition=models.Q(rate_percent__isnull=True) | (
                models.Q(rate_percent__gt=0) & models.Q(rate_percent__lte=100)),
                name="subsidy_policy_rate_range", violation_error_message=_("比例应在 0 到 100 之间")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year} 第{self.version}版）"

    def get_absolute_url(self) -> str:
        return reverse("subsidies:policy_detail", kwargs={"pk": self.pk})


class SubsidyRound(TimeStampedModel):
    """A subsidy round (补助批次) of a city: declaration → 初审 → 复审 → 测算 → 公示 → 批准 → 拨付/推荐."""

    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("城市"))
    name = models.CharField(_("批次名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("补助年度"))
    base_year = models.PositiveSmallIntegerField(_("基数年度"), help_text=_("默认为补助年度的上一自然年"))
    policies = models.ManyToManyField(SubsidyPolicy, related_name="rounds", verbose_name=_("适用政策版本"))
    status = models.CharField(_("状态"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT,
                              db_index=True)
    declaration_deadline = models.DateField(_("申报截止日期"))
    budget_fen = MoneyField(_("预算（分）"), null=True, blank=True, help_text=_("为空表示不按预算缩放"))
    notice_working_days = models.PositiveSmallIntegerField(_("公示工作日数"), default=5)
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("批准人"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补助批次")
        verbose_name_plural = _("补助批次")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget_fen__isnull=True) | models.Q(budget_fen__gte=0),
                                   name="subsidy_round_budget_not_negative",
                                   violation_error_message=_("预算不能为负数")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("subsidies:round_detail", kwargs={"pk": self.pk})

    @property
    def current_computation(self):
        return self.computations.filter(is_current=True).first()


class SubsidyDeclaration(TimeStampedModel):
    """A unit's declaration (申报) under one policy version of a round."""

    round = models.ForeignKey(SubsidyRound, on_delete=models.PROTECT, related_name="declarations",
                              verbose_name=_("批次"))
    policy = models.ForeignKey(SubsidyPolicy, on_delete=models.PROTECT, related_name="declarations",
                               verbose_name=_("申报政策"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                     related_name="subsidy_declarations", verbose_name=_("申报单位"))
    platform = models.ForeignKey("directory.Platform", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("载体"))
    qualification = models.ForeignKey("directory.Qualification", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("认定资质"))
    contract = models.ForeignKey("contracts.TechContract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("揭榜合同"))
    instalment = models.CharField(_("分期节点"), max_length=20, blank=True)
    contracts = models.ManyToManyField("contracts.TechContract", blank=True, related_name="subsidy_declarations",
                                       verbose_name=_("依据合同"))
    payments = models.ManyToManyField("contracts.ContractPayment", blank=True, related_name="subsidy_declarations",
                                      verbose_name=_("依据付款"))
    status = models.CharField(_("状态"), max_length=14, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT, db_index=True)
    statement = models.TextField(_("申报说明"), blank=True)
    grade = models.CharField(_("绩效档次"), max_length=20, blank=True, help_text=_("由市科技局按绩效考核结果录入"))
    assessed_amount_fen = MoneyField(_("核定奖励金额（分）"), null=True, blank=True,
                                     help_text=_("一次性奖励由市科技局在政策区间内核定"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("申报人"))
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补助申报")
        verbose_name_plural = _("补助申报")
        ordering = ["round", "policy__code", "organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "policy", "organization", "platform", "qualification", "contract",
                                            "instalment"],
                                    name="subsidy_declaration_unique",
                                    violation_error_message=_("该单位已在本批次申报此项政策")),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.policy.name}"

    def get_absolute_url(self) -> str:
        return reverse("subsidies:declaration_detail", kwargs={"pk": self.pk})

    @property
    def region(self):
        return self.organization.region


class DeclarationEvidence(MarketAttachment):
    """A file of a declaration (申报材料: 在本市转化证明、付款凭证、认定文件 …), stored under a random name
    and served only through the permission-checked download (declarant, 初审 and 复审 staff)."""

    record = models.ForeignKey(SubsidyDeclaration, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("申报"))
    kind = models.CharField(_("材料类型"), max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.OTHER)

    class Meta(MarketAttachment.Meta):
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")


class SubsidyComputation(models.Model):
    """One computation version of a round: frozen policy versions and inputs, lines, exclusions, diff."""

    round = models.ForeignKey(SubsidyRound, on_delete=models.PROTECT, related_name="computations",
                              verbose_name=_("批次"))
    version = models.PositiveSmallIntegerField(_("测算版本"))
    is_current = models.BooleanField(_("当前版本"), default=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("测算人"))
    computed_at = models.DateTimeField(_("测算时间"), auto_now_add=True)
    as_of = models.DateField(_("测算基准日"), help_text=_("失信记录等按此日判断"))
    policies_snapshot = models.JSONField(_("政策版本快照"), default=list)
    inputs_snapshot = models.JSONField(_("输入快照"), default=dict)
    budget_fen = MoneyField(_("预算（分）"), null=True, blank=True)
    fixed_total_fen = MoneyField(_("定额合计（分）"), default=0)
    capped_total_fen = MoneyField(_("缩放前合计（分）"), default=0)
    total_fen = MoneyField(_("补助合计（分）"), default=0)
    remainder_fen = MoneyField(_("预算余额（分）"), null=True, blank=True)
    scaling = models.CharField(_("预算缩放"), max_length=200, blank=True)
    diff = models.JSONField(_("与上一版本差异"), default=list, blank=True)

    class Meta:
        verbose_name = _("补助测算")
        verbose_name_plural = _("补助测算")
        ordering = ["round", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="subsidy_computation_version_unique"),
            models.UniqueConstraint(fields=["round"], condition=models.Q(is_current=True),
                                    name="subsidy_computation_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.round} 第{self.version}版测算"


class SubsidyLine(models.Model):
    """One awarded unit × policy of a computation, with its explanation; payment recorded per line."""

    computation = models.ForeignKey(SubsidyComputation, on_delete=models.CASCADE, related_name="lines",
                                    verbose_name=_("测算"))
    declaration = models.ForeignKey(SubsidyDeclaration, on_delete=models.PROTECT, related_name="lines",
                                    verbose_name=_("申报"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("单位"))
    policy = models.ForeignKey(SubsidyPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策版本"))
    base_fen = MoneyField(_("基数（分）"), default=0)
    raw_fen = MoneyField(_("按比例/档次金额（分）"))
    cap_fen = MoneyField(_("年度上限（分）"), null=True, blank=True)
    received_before_fen = MoneyField(_("本年度已获（分）"), default=0)
    capped_fen = MoneyField(_("封顶后（分）"))
    amount_fen = MoneyField(_("补助金额（分）"))
    scalable = models.BooleanField(_("按预算缩放"), default=True)
    explanation = models.JSONField(_("计算说明"), default=dict)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    payment_reference = models.CharField(_("拨付凭证号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("补助明细")
        verbose_name_plural = _("补助明细")
        ordering = ["computation", "policy__code", "organization__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0) & models.Q(amount_fen__lte=models.F("capped_fen")),
                                   name="subsidy_line_amount_within_capped",
                                   violation_error_message=_("补助金额应在 0 与封顶后金额之间")),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.policy.name}"


class SubsidyExclusion(models.Model):
    """One coded reason why a contract, a payment or a unit did not count."""

    class Subject(models.TextChoices):
        UNIT = "unit", _("单位")
        CONTRACT = "contract", _("合同")
        PAYMENT = "payment", _("付款")

    computation = models.ForeignKey(SubsidyComputation, on_delete=models.CASCADE, related_name="exclusions",
                                    verbose_name=_("测算"))
    declaration = models.ForeignKey(SubsidyDeclaration, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("申报"))
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("单位"))
    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    subject_label = models.CharField(_("对象名称"), max_length=300)
    code = models.CharField(_("原因代码"), max_length=40, choices=ExclusionCode.choices)
    message = models.CharField(_("原因"), max_length=500)

    class Meta:
        verbose_name = _("排除明细")
        verbose_name_plural = _("排除明细")
        ordering = ["computation", "pk"]

    def __str__(self) -> str:
        return f"{self.subject_label}：{self.message}"
