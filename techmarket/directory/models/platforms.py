from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from ..choices import Level, PlatformKind


class Platform(TimeStampedModel):
    """Innovation platforms (平台库): labs, centres, incubators, maker spaces …"""

    name = models.CharField(_("平台名称"), max_length=200, db_index=True)
    kind = models.CharField(_("平台类型"), max_length=24, choices=PlatformKind.choices, db_index=True)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, db_index=True)
    organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT, related_name="platforms",
                                     verbose_name=_("依托/运营单位"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="platforms",
                               verbose_name=_("所在区域"))
    tech_fields = models.ManyToManyField("taxonomies.Term", blank=True, related_name="platforms",
                                         verbose_name=_("技术领域"),
                                         limit_choices_to={"scheme__code": "hitech_domains"})
    recognised_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    approval_document = models.CharField(_("认定文号"), max_length=100, blank=True)
    description = models.TextField(_("简介"), blank=True)
    notes = models.TextField(_("内部备注"), blank=True)

    class Meta:
        verbose_name = _("创新平台")
        verbose_name_plural = _("创新平台")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__isnull=True) |
                                   models.Q(valid_until__gte=models.F("recognised_on")),
                                   name="platform_valid_after_recognised",
                                   violation_error_message=_("有效期至不能早于认定日期")),
        ]

    def __str__(self) -> str:
        return self.name
