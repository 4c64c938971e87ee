from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosureStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准（待签署）")
    ACTIVE = "active", _("已生效")
    REJECTED = "rejected", _("已拒绝")
    REVOKED = "revoked", _("已撤销")
    WITHDRAWN = "withdrawn", _("已撤回")


# A record has at most one of these per requesting organization (or person without one).
OPEN_STATUSES = (DisclosureStatus.REQUESTED, DisclosureStatus.APPROVED, DisclosureStatus.ACTIVE)
