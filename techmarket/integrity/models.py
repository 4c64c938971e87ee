"""Research-integrity records (科研诚信记录, SPEC I1).

A record names its subject (a unit or a person), its type, the document it comes from and the period in
which it has effect. An active record blocks the subject from subsidy rounds, challenges and vouchers
with the reason shown; the public query shows only records the bureau marked as published.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .choices import RecordType, SubjectKind


class IntegrityRecord(TimeStampedModel):
    subject_kind = models.CharField(_("主体类型"), max_length=12, choices=SubjectKind.choices)
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="integrity_records", verbose_name=_("单位"))
    person = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="integrity_records", verbose_name=_("个人"))
    # As written in the source document, so a public query by name or credit code finds it.
    subject_name = models.CharField(_("主体名称"), max_length=200, db_index=True)
    subject_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    record_type = models.CharField(_("记录类型"), max_length=20, choices=RecordType.choices)
    facts = models.TextField(_("失信行为"), help_text=_("认定的失信事实，公开查询时显示"))
    source_document = models.CharField(_("认定文件"), max_length=200, help_text=_("文件名称和文号"))
    source_authority = models.CharField(_("认定机关"), max_length=100)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("为空表示长期有效"))
    is_published = models.BooleanField(_("公开"), default=False, help_text=_("公开的记录可被公众查询"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("记录地区"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True,
                                  help_text=_("复核撤销或信用修复后填写，记录即失效"))
    revocation_reason = models.CharField(_("撤销理由"), max_length=200, blank=True,
                                         help_text=_("复核撤销或信用修复的依据，如文件名称和文号"))
    note = models.TextField(_("内部备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("录入人"))

    class Meta:
        verbose_name = _("科研诚信记录")
        verbose_name_plural = _("科研诚信记录")
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(subject_kind=SubjectKind.ORGANIZATION, person__isnull=True)
                           | models.Q(subject_kind=SubjectKind.PERSON, organization__isnull=True)),
                name="integrity_one_subject_kind", violation_error_message=_("主体类型与主体不一致")),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="integrity_period_ordered", violation_error_message=_("失效日期不能早于生效日期")),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name}：{self.get_record_type_display()}"

    def is_active_on(self, day) -> bool:
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)
