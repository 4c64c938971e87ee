"""Technology contracts (技术合同, SPEC §2 C1).

The market issue creates the model and its draft state (a deal closing makes a draft pre-filled from
the deal, M6); registration (C2, C4), statistics (C3) and subsidies build on it.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel
from techmarket.core.money import MoneyField

from techmarket.achievements.records import MarketAttachment

from .choices import ContractSource, ContractStatus, PaymentEvidenceKind, RegistrationNumberSource


def _term(scheme: str, label: str, *, null: bool = True, related_name: str = "+"):
    return models.ForeignKey("taxonomies.Term", null=null, blank=null, on_delete=models.PROTECT,
                             related_name=related_name, verbose_name=label,
                             limit_choices_to={"scheme__code": scheme})


class TechContract(TimeStampedModel):
    status = models.CharField(_("状态"), max_length=16, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT, db_index=True)
    source = models.CharField(_("来源"), max_length=12, choices=ContractSource.choices,
                              default=ContractSource.ENTERED)
    name = models.CharField(_("合同名称"), max_length=200)
    category = _term("contract_category", _("合同类别"))
    # Seller (卖方) and buyer (买方) are copied onto the contract as the 登记表 records them; the
    # organization link is kept when the party is in the registry.
    seller_organization = models.ForeignKey("directory.Organization", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="contracts_sold",
                                            verbose_name=_("卖方单位"))
    seller_name = models.CharField(_("卖方名称"), max_length=200)
    seller_credit_code = models.CharField(_("卖方统一社会信用代码"), max_length=18, blank=True)
    seller_region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("卖方所在地区"))
    seller_nature = _term("party_nature", _("卖方性质"))
    buyer_organization = models.ForeignKey("directory.Organization", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="contracts_bought",
                                           verbose_name=_("买方单位"))
    buyer_name = models.CharField(_("买方名称"), max_length=200)
    buyer_credit_code = models.CharField(_("买方统一社会信用代码"), max_length=18, blank=True)
    buyer_region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("买方所在地区"))
    buyer_nature = _term("party_nature", _("买方性质"))
    total_amount_fen = MoneyField(_("合同成交额（分）"))
    tech_amount_fen = MoneyField(_("技术交易额（分）"),
                                 help_text=_("合同成交额减去设备、零部件、原材料等非技术性费用"))
    tech_field = _term("contract_field", _("技术领域"))
    ip_type = _term("ip_type", _("知识产权类型"))
    plan_category = _term("plan_category", _("计划类别"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    broker = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("技术经纪人"))
    broker_agency = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="contracts_brokered", verbose_name=_("技术转移机构"))
    expected_new_investment_fen = MoneyField(_("预计新增投入（分）"), null=True, blank=True)
    expected_new_output_fen = MoneyField(_("预计新增产值（分）"), null=True, blank=True)
    achievement = models.ForeignKey("achievements.Achievement", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="contracts", verbose_name=_("科技成果"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    # --- registration (认定登记, C2/C4) -----------------------------------------------------------------
    registration_point = models.ForeignKey("contracts.RegistrationPoint", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="contracts",
                                           verbose_name=_("登记点"))
    submitted_at = models.DateTimeField(_("提交登记时间"), null=True, blank=True)
    decision_due_on = models.DateField(_("审查期限"), null=True, blank=True,
                                       help_text=_("提交后 30 日内作出登记决定"))
    examined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审查登记员"))
    registration_number = models.CharField(_("登记编号"), max_length=32, null=True, blank=True, unique=True)
    registration_number_source = models.CharField(_("登记编号来源"), max_length=12, blank=True,
                                                  choices=RegistrationNumberSource.choices)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True, db_index=True)
    deregistered_on = models.DateField(_("注销登记日期"), null=True, blank=True)

    # Labels of the audit snapshot's extra keys (services.audit_snapshot), for the history table.
    AUDIT_LABELS = {"non_technical_costs": _("非技术性费用")}

    class Meta:
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "registered_on"], name="contract_status_registered")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_amount_fen__gte=0), name="contract_total_not_negative",
                                   violation_error_message=_("合同成交额不能为负数")),
            models.CheckConstraint(
                condition=models.Q(tech_amount_fen__gte=0) & models.Q(tech_amount_fen__lte=models.F("total_amount_fen")),
                name="contract_tech_amount_within_total",
                violation_error_message=_("技术交易额应在 0 与合同成交额之间")),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True) | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="contract_validity_ordered", violation_error_message=_("有效期止不能早于有效期起")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contracts:manage_detail", kwargs={"pk": self.pk})

    @property
    def has_national_number(self) -> bool:
        """Registered in the national system (C4; the condition of every 鹤壁 subsidy rule, seed 000 (八))."""
        return bool(self.registration_number) and self.registration_number_source in (
            RegistrationNumberSource.NATIONAL, RegistrationNumberSource.IMPORTED)

    # Statuses in which a registrar's decision is pending (the inbox, the overdue flag).
    AWAITING_DECISION = (ContractStatus.SUBMITTED, ContractStatus.PRE_EXAMINED)

    def days_overdue(self, today) -> int:
        """Days past ``decision_due_on`` while a decision is pending (0 when not overdue)."""
        if self.status not in self.AWAITING_DECISION or self.decision_due_on is None:
            return 0
        return max((today - self.decision_due_on).days, 0)

    @property
    def deal_or_none(self):
        """The market deal this contract came from (``Deal.contract``), or None."""
        try:
            return self.deal
        except ObjectDoesNotExist:
            return None


class NonTechnicalCost(models.Model):
    """An itemised non-technical cost (设备、零部件、原材料 …) deducted from 合同成交额."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="non_technical_costs",
                                 verbose_name=_("技术合同"))
    item = models.CharField(_("费用项目"), max_length=100)
    amount_fen = MoneyField(_("金额（分）"))

    class Meta:
        verbose_name = _("非技术性费用")
        verbose_name_plural = _("非技术性费用")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="non_tech_cost_positive",
                                              violation_error_message=_("费用金额应大于 0"))]

    def __str__(self) -> str:
        return self.item


class RegistrationSetting(TimeStampedModel):
    """Per-city registration rules (C4): whether the platform issues numbers itself, and their layout."""

    city = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("城市"))
    issues_numbers = models.BooleanField(_("本平台发放登记编号"), default=False,
                                         help_text=_("省级主管部门允许时由本平台按规则发号；否则录入全国系统登记号"))
    number_layout = models.CharField(_("编号规则"), max_length=64, default="{year}{city}{point}{serial:06d}",
                                     help_text=_("年份 4 位 + 省市代码 4 位 + 登记点 2 位 + 流水号 6 位"))

    class Meta:
        verbose_name = _("技术合同登记设置")
        verbose_name_plural = _("技术合同登记设置")

    def __str__(self) -> str:
        return str(self.city)

    def format_number(self, *, year: int, point: "RegistrationPoint", serial: int) -> str:
        """The number of ``serial`` at ``point`` in ``year`` under this city's layout."""
        return self.number_layout.format(year=f"{year:04d}", city=point.city.code[:4], point=point.code,
                                         serial=serial)

    def clean(self):
        from django.core.exceptions import ValidationError

        try:
            sample = self.number_layout.format(year="2025", city="4101", point="01", serial=1)
        except (KeyError, IndexError, ValueError):
            raise ValidationError({"number_layout": _(
                "编号规则只能使用 {year} {city} {point} {serial:06d} 等占位符")}) from None
        if "{serial" not in self.number_layout or not sample.isdigit() or len(sample) > 32:
            raise ValidationError({"number_layout": _("编号规则应由数字组成并包含流水号 {serial…}，长度不超过 32 位")})


class RegistrationPoint(TimeStampedModel):
    """A technology-contract registration point (技术合同登记点) of a city."""

    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("城市"))
    code = models.CharField(_("登记点代码"), max_length=2, help_text=_("2 位数字，如 01"))
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("技术合同登记点")
        verbose_name_plural = _("技术合同登记点")
        ordering = ["city__code", "code"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="registration_point_unique_code")]

    def __str__(self) -> str:
        return self.name


class RegistrarCertificate(TimeStampedModel):
    """持证上岗: a registrar's certificate, attached to one registration point, valid for a period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrar_certificates",
                             verbose_name=_("登记员"))
    point = models.ForeignKey(RegistrationPoint, on_delete=models.PROTECT, related_name="certificates",
                              verbose_name=_("登记点"))
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("登记员证书")
        verbose_name_plural = _("登记员证书")
        ordering = ["point", "number"]
        constraints = [models.CheckConstraint(condition=models.Q(valid_from__lte=models.F("valid_to")),
                                              name="registrar_certificate_validity_ordered",
                                              violation_error_message=_("有效期止不能早于有效期起"))]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day) -> bool:
        return not self.revoked and self.valid_from <= day <= self.valid_to


class RegistrationSerial(models.Model):
    """The last serial issued per point and year; locked while a number is issued (gap-free, C1)."""

    point = models.ForeignKey(RegistrationPoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记点"))
    year = models.PositiveSmallIntegerField(_("年度"))
    last_serial = models.PositiveIntegerField(_("已发流水号"), default=0)

    class Meta:
        verbose_name = _("登记流水号")
        verbose_name_plural = _("登记流水号")
        constraints = [models.UniqueConstraint(fields=["point", "year"], name="registration_serial_unique")]

    def __str__(self) -> str:
        return f"{self.point} {self.year}: {self.last_serial}"


class ContractPayment(TimeStampedModel):
    """A payment under a contract (付款记录): several subsidy rules count amounts paid in a year,
    evidenced by the transfer voucher and the invoice (seed 000 技术转移方案 (四))."""

    contract = models.ForeignKey(TechContract, on_delete=models.PROTECT, related_name="payments",
                                 verbose_name=_("技术合同"))
    paid_on = models.DateField(_("付款日期"), db_index=True)
    amount_fen = MoneyField(_("付款金额（分）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("登记人"))

    class Meta:
        verbose_name = _("付款记录")
        verbose_name_plural = _("付款记录")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="contract_payment_positive",
                                              violation_error_message=_("付款金额应大于 0"))]

    def __str__(self) -> str:
        return f"{self.contract} {self.paid_on}"

    @property
    def is_evidenced(self) -> bool:
        """Has at least one transfer voucher and one invoice (what the subsidy rules count as evidenced).
        Uses prefetched ``attachments`` when present; ``selectors.payments_evidenced`` annotates in SQL."""
        kinds = {a.kind for a in self.attachments.all()}
        return PaymentEvidenceKind.VOUCHER in kinds and PaymentEvidenceKind.INVOICE in kinds


class PaymentEvidence(MarketAttachment):
    """A transfer voucher (转账凭证) or an invoice (发票) of a payment."""

    record = models.ForeignKey(ContractPayment, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("付款记录"))
    kind = models.CharField(_("凭证类型"), max_length=10, choices=PaymentEvidenceKind.choices)

    class Meta(MarketAttachment.Meta):
        verbose_name = _("付款凭证")
        verbose_name_plural = _("付款凭证")
