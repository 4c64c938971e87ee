from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    """C2: draft → submitted → pre_examined → registered, or refused / returned; registered → deregistered."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审查")
    RETURNED = "returned", _("退回修改")
    PRE_EXAMINED = "pre_examined", _("已初审待登记")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")
    DEREGISTERED = "deregistered", _("已注销登记")
    CANCELLED = "cancelled", _("已作废")


class ContractSource(models.TextChoices):
    ENTERED = "entered", _("直接录入")
    DEAL = "deal", _("技术市场成交")
    IMPORT = "import", _("Excel 导入")
    NATIONAL = "national", _("全国系统导入")
    CHALLENGE = "challenge", _("揭榜挂帅")


class RegistrationNumberSource(models.TextChoices):
    """Where the registration number came from (C4): the national system is the register of record."""

    NATIONAL = "national", _("全国技术合同登记系统登记号")
    ISSUED = "issued", _("本平台按规则发号")
    IMPORTED = "imported", _("全国系统导出导入")


class PaymentEvidenceKind(models.TextChoices):
    VOUCHER = "voucher", _("转账凭证")
    INVOICE = "invoice", _("发票")
