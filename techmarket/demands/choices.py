from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    SCHEDULED = "scheduled", _("待发布")
    PUBLISHED = "published", _("已发布")
    EXPIRED = "expired", _("已过期")
    ARCHIVED = "archived", _("已归档")


EDITABLE_STATUSES = frozenset({DemandStatus.DRAFT, DemandStatus.RETURNED})
