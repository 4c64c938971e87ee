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

from .choices import ContractSource, ContractStatus


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

    # Labels of the audit snapshot's extra keys (services.audit_snapshot), for the history table.
    AUDIT_LABELS = {"non_technical_costs": _("非技术性费用")}

    class Meta:
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        ordering = ["-created_at", "-pk"]
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
