"""What achievements (M1) and demands (M2) share: the record base, freshness (B1), the
confidential tier hooks (B3), attachments, and the permission decisions of their review workflow.

``demands`` builds on this module, so both registries keep the same rules in one place.
Each app keeps its own TRANSITIONS table, policies, services and API.
"""
from __future__ import annotations

import calendar
import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.permissions import (
    is_authenticated,
    is_bureau_admin,
    is_region_staff,
    region_in_staff_scope,
)
from techmarket.core.actors import is_system
from techmarket.core.models import TimeStampedModel
from techmarket.core.uploads import storage_name

# --- time -------------------------------------------------------------------------------------------


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` plus whole calendar months; the 31st becomes the month's last day when needed."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# --- the abstract record ------------------------------------------------------------------------------


class MarketRecord(TimeStampedModel):
    """Fields every market record has; concrete models add ``status`` with their choices."""

    title = models.CharField(_("名称"), max_length=200)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    keywords_text = models.CharField(_("关键词（检索用）"), max_length=600, blank=True, editable=False)
    tech_field = models.ForeignKey("taxonomies.Term", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("技术领域"), limit_choices_to={"scheme__code": "hitech_domains"})
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所在区域"), help_text=_("默认为所属单位所在区域"))
    owner_organization = models.ForeignKey("directory.Organization", on_delete=models.PROTECT,
                                           related_name="%(class)s_owned", verbose_name=_("所属单位"))
    contact = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("联系人"))
    confidential_detail = models.TextField(
        _("保密信息"), blank=True,
        help_text=_("仅所有者、有权管理人员和经批准并签署保密协议的单位可见，每次查看均有记录"))
    publish_at = models.DateTimeField(_("计划发布时间"), null=True, blank=True,
                                      help_text=_("审核通过后于此时间发布；为空表示审核通过后立即发布"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True, db_index=True)
    last_confirmed_at = models.DateTimeField(_("最近确认时间"), null=True, blank=True)
    reminder_sent_for = models.DateTimeField(_("已提醒的到期时间"), null=True, blank=True, editable=False,
                                             help_text=_("续期提醒已针对该到期时间发送过"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    # The confidential detail never enters the audit history (it is visible to fewer people).
    AUDIT_EXCLUDE = ("confidential_detail", "keywords_text", "reminder_sent_for")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    # -- freshness (B1) --
    @property
    def is_public(self) -> bool:
        return (self.status == "published" and self.expires_at is not None
                and self.expires_at > timezone.now())

    # -- confidential tier (B3): disclosure/protocols.py --
    @property
    def disclosure_owner_organization_id(self) -> int | None:
        return self.owner_organization_id

    @classmethod
    def disclosure_records_owned_by(cls, user):
        if not getattr(user, "organization_id", None):
            return cls.objects.none()
        return cls.objects.filter(owner_organization_id=user.organization_id)

    @property
    def disclosure_region(self):
        return self.region

    def disclosure_open_to_requests(self) -> bool:
        return self.is_public and bool(self.confidential_detail.strip())


def attachment_upload_to(instance, filename: str) -> str:
    """``MEDIA_ROOT/market/<app>/<record id>/<random>.<ext>``: never served by the web server."""
    return "market/{app}/{record}/{name}".format(app=instance._meta.app_label, record=instance.record_id,
                                                 name=storage_name(filename))


class MarketAttachment(models.Model):
    """A file of a market record; concrete models add ``record`` (FK with related_name="attachments")."""

    file = models.FileField(_("文件"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    is_confidential = models.BooleanField(_("保密附件"), default=False,
                                          help_text=_("保密附件与保密信息的查看范围相同"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePosixPath(self.original_name).suffix.lower().lstrip(".")


# --- decisions shared by both registries -------------------------------------------------------------


def is_owner(user, record) -> bool:
    """Users of the owning organization."""
    return (is_authenticated(user) and not is_system(user) and user.organization_id is not None
            and user.organization_id == record.owner_organization_id)


def is_reviewer(user, record) -> bool:
    """Bureau administrators and district officers whose region holds the record's region."""
    return (is_authenticated(user) and not is_system(user) and is_region_staff(user)
            and region_in_staff_scope(user, record.region))


def is_bureau_admin_for(user, record) -> bool:
    return is_reviewer(user, record) and is_bureau_admin(user)


def can_view_managed(user, record) -> bool:
    """The managed view (status, history, contact, actions): owners and reviewers in scope."""
    return is_owner(user, record) or is_reviewer(user, record)


def can_view(user, record) -> bool:
    return record.is_public or can_view_managed(user, record)


def is_due(moment) -> bool:
    return moment is None or moment <= timezone.now()


def review_transitions(S, *, edit: str, review: str, publish: str, expire: str, renew: str, archive: str,
                       archive_also_from=()) -> dict:
    """The review and freshness table achievements and demands share (STYLE §3: data only).

    ``S`` is the record's status choices; the permission names are the record type's own.
    """
    from techmarket.core.workflows import Transition

    return {
        "submit": Transition({S.DRAFT}, S.SUBMITTED, edit, _("提交审核")),
        "withdraw": Transition({S.SUBMITTED}, S.DRAFT, edit, _("撤回"), style="outline-secondary"),
        "resubmit": Transition({S.RETURNED}, S.SUBMITTED, edit, _("重新提交")),
        "return": Transition({S.SUBMITTED}, S.RETURNED, review, _("退回修改"), reason_context="review_return",
                             style="warning"),
        "reject": Transition({S.SUBMITTED}, S.REJECTED, review, _("不予通过"), reason_context="review_reject",
                             style="danger"),
        "approve": Transition({S.SUBMITTED}, S.SCHEDULED, review, _("审核通过"), style="success"),
        "publish": Transition({S.SCHEDULED}, S.PUBLISHED, publish, _("发布"), style="success"),
        "expire": Transition({S.PUBLISHED}, S.EXPIRED, expire, _("到期下架"), style="outline-secondary"),
        "renew": Transition({S.EXPIRED}, S.PUBLISHED, renew, _("确认续期"), style="success"),
        "archive": Transition({S.SCHEDULED, S.PUBLISHED, S.EXPIRED, *archive_also_from}, S.ARCHIVED, archive,
                              _("归档"), style="outline-secondary"),
    }
