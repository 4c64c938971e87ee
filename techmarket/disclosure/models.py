"""Confidential tiers (SPEC §2 B3): request → owner approval → terms accepted → every access logged.

A ``DisclosureRequest`` points at any disclosable record (see protocols.py) through
a generic foreign key. Its status only changes through ``core.workflows.transition``
(TRANSITIONS in workflows.py). Every view of the confidential detail writes a
``DisclosureAccess`` row.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .choices import OPEN_STATUSES, DisclosureStatus
from .workflows import TRANSITIONS


class DisclosureTerms(TimeStampedModel):
    """A version of the confidentiality agreement (保密协议) requesters accept."""

    title = models.CharField(_("标题"), max_length=200)
    version = models.CharField(_("版本"), max_length=32, unique=True,
                               error_messages={"unique": _("该版本号已存在")})
    body = models.TextField(_("协议正文"))
    is_current = models.BooleanField(_("现行版本"), default=False,
                                     help_text=_("批准申请时使用现行版本；同一时间只有一个现行版本"))

    class Meta:
        verbose_name = _("保密协议")
        verbose_name_plural = _("保密协议")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                    name="single_current_disclosure_terms",
                                    violation_error_message=_("只能有一个现行版本的保密协议")),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"


class DisclosureRequest(TimeStampedModel):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("记录类型"))
    object_id = models.CharField(_("记录编号"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    record_repr = models.CharField(_("记录"), max_length=200)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="disclosure_requests", verbose_name=_("申请人"))
    requester_organization = models.ForeignKey("directory.Organization", null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="disclosure_requests",
                                               verbose_name=_("申请单位"))
    message = models.TextField(_("申请说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=DisclosureStatus.choices,
                              default=DisclosureStatus.REQUESTED, db_index=True)
    terms = models.ForeignKey(DisclosureTerms, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="requests", verbose_name=_("保密协议"))
    accepted_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(_("签署 IP"), null=True, blank=True)

    TRANSITIONS = TRANSITIONS
    # Reason statistics (feedback) count a rejection against the requesting organization.
    REASON_OWNER_FIELD = "requester_organization"

    class Meta:
        verbose_name = _("保密信息查看申请")
        verbose_name_plural = _("保密信息查看申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "requester_organization"],
                condition=models.Q(status__in=OPEN_STATUSES, requester_organization__isnull=False),
                name="unique_open_disclosure_per_organization",
                violation_error_message=_("本单位已有该记录未结束的查看申请，请勿重复申请")),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "requester"],
                condition=models.Q(status__in=OPEN_STATUSES, requester_organization__isnull=True),
                name="unique_open_disclosure_per_person",
                violation_error_message=_("您已有该记录未结束的查看申请，请勿重复申请")),
        ]

    def __str__(self) -> str:
        who = self.requester_organization or self.requester
        return f"{who} → {self.record_repr}"

    @property
    def record_type(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DisclosureAccess(models.Model):
    """One view of a record's confidential detail (who, when, from where, what)."""

    request = models.ForeignKey(DisclosureRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="accesses", verbose_name=_("依据的申请"),
                                help_text=_("为空表示记录所有者或管理人员查看"))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("记录类型"))
    object_id = models.CharField(_("记录编号"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("查看人"))
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("查看人单位"))
    accessed_at = models.DateTimeField(_("查看时间"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    what = models.CharField(_("查看内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("保密信息查看记录")
        verbose_name_plural = _("保密信息查看记录")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "accessed_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.what}".strip()
