from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractStatus(models.TextChoices):
    # The contract issue adds registration states (submitted, registered, refused …) after draft.
    DRAFT = "draft", _("草稿")
    CANCELLED = "cancelled", _("已作废")


class ContractSource(models.TextChoices):
    ENTERED = "entered", _("直接录入")
    DEAL = "deal", _("技术市场成交")
    IMPORT = "import", _("Excel 导入")
