from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", _("单位")
    PERSON = "person", _("个人")


class RecordType(models.TextChoices):
    """Kinds of research-integrity records (科研不良信用行为, SPEC I1; seed 000 三(二)2, seed 004 §22)."""

    MISCONDUCT = "misconduct", _("科研不端行为")
    FALSE_DECLARATION = "false_declaration", _("虚假申报、骗取财政资金")
    FUND_MISUSE = "fund_misuse", _("违规使用财政科研资金")
    VOUCHER_FRAUD = "voucher_fraud", _("创新券违规使用")
    CONTRACT_FRAUD = "contract_fraud", _("虚假技术合同登记")
    BREACH = "breach", _("严重违约失信")
    OTHER = "other", _("其他不良信用行为")
