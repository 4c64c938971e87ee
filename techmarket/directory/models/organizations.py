from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from ..choices import Level, OrganizationKind, QualificationKind
from ..credit_code import credit_code_problem, normalize


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(normalize(value))
    if problem:
        raise ValidationError(_("统一社会信用代码无效：{p}").format(p=problem), code="invalid_credit_code")


class Organization(TimeStampedModel):
    name = models.CharField(_("单位名称"), max_length=200, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code],
                                   error_messages={"unique": _("该统一社会信用代码已登记")})
    kind = models.CharField(_("单位类型"), max_length=20, choices=OrganizationKind.choices, db_index=True)
    party_nature = models.ForeignKey("taxonomies.Term", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("单位性质"),
                                     limit_choices_to={"scheme__code": "party_nature"})
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="organizations",
                               verbose_name=_("所在区域"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    industry = models.ForeignKey("taxonomies.Term", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("所属行业"),
                                 limit_choices_to={"scheme__code": "gbt4754"})
    tech_fields = models.ManyToManyField("taxonomies.Term", blank=True, related_name="organizations",
                                         verbose_name=_("技术领域"),
                                         limit_choices_to={"scheme__code": "hitech_domains"})
    description = models.TextField(_("简介"), blank=True)
    # Managed-view fields (SPEC §3): contacts and internal notes.
    notes = models.TextField(_("内部备注"), blank=True)
    last_confirmed_at = models.DateTimeField(_("最近确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name", "pk"]
        permissions = [
            ("import_registry", _("从 Excel 导入资源库")),
            ("export_registry", _("导出资源库")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = normalize(self.credit_code)
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A contact person of an organization: managed view only, personal data masked."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts",
                                     verbose_name=_("单位"))
    name = models.CharField(_("联系人"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    PERSONAL_FIELDS = {"phone": "phone", "email": "email"}

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Qualification(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="qualifications",
                                     verbose_name=_("单位"))
    kind = models.CharField(_("资质类型"), max_length=20, choices=QualificationKind.choices, db_index=True)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=64, blank=True)
    recognised_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True,
                                   help_text=_("为空表示长期有效（如入库的后备企业以出库日期为准）"))

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["-recognised_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__isnull=True) |
                                   models.Q(valid_until__gte=models.F("recognised_on")),
                                   name="qualification_valid_after_recognised",
                                   violation_error_message=_("有效期至不能早于认定日期")),
        ]

    def __str__(self) -> str:
        level = self.get_level_display() if self.level else ""
        return f"{level}{self.get_kind_display()}"

    def is_valid_on(self, day) -> bool:
        return self.recognised_on <= day and (self.valid_until is None or self.valid_until >= day)
