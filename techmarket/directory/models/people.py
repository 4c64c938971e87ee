from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from ..choices import Gender, PersonKind


class Person(TimeStampedModel):
    """The talent registry (人才库): experts, researchers, brokers, programme talents."""

    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=PersonKind.choices, db_index=True)
    programmes = models.JSONField(_("人才计划"), default=list, blank=True,
                                  help_text=_("领军人才、高层次人才、院士、科技特派员等"))
    title = models.CharField(_("职称"), max_length=64, blank=True)
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="people", verbose_name=_("工作单位"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="people",
                               verbose_name=_("所在区域"))
    tech_fields = models.ManyToManyField("taxonomies.Term", blank=True, related_name="people",
                                         verbose_name=_("技术领域"),
                                         limit_choices_to={"scheme__code": "hitech_domains"})
    disciplines = models.ManyToManyField("taxonomies.Term", blank=True, related_name="people_by_discipline",
                                         verbose_name=_("学科"),
                                         limit_choices_to={"scheme__code": "gbt13745"})
    expertise = models.TextField(_("研究方向/专长"), blank=True)
    bio = models.TextField(_("简介"), blank=True)
    broker_certificate_no = models.CharField(_("技术经纪人证书编号"), max_length=64, blank=True)
    # Personal data: masked for everyone but the owner and administrators (SPEC §3).
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name=_("账号"))
    notes = models.TextField(_("内部备注"), blank=True)
    last_confirmed_at = models.DateTimeField(_("最近确认时间"), null=True, blank=True)

    PERSONAL_FIELDS = {"id_number": "id_number", "phone": "phone", "email": "email"}

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def programme_labels(self) -> list[str]:
        from ..choices import TalentProgramme

        labels = dict(TalentProgramme.choices)
        return [str(labels.get(p, p)) for p in self.programmes]
