from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .roles import Role


class User(AbstractUser):
    """Every user belongs to an organization; staff also have a region that scopes them."""

    name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="users", verbose_name=_("所属单位"))
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("管辖区域"),
                               help_text=_("管理人员只能看到和管理本区域及下级区域的记录"))
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)

    PERSONAL_FIELDS = {"phone": "phone", "email": "email"}
    AUDIT_EXCLUDE = ("password", "last_login", "failed_logins", "locked_until")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [
            ("review_registration", _("审核注册申请")),
            ("manage_users", _("管理本区域用户")),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def role_names(self) -> set[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_names = cached
        return cached

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_names

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[r]) for r in sorted(self.role_names) if r in labels]

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class APIToken(models.Model):
    """API tokens are stored hashed; only the prefix is kept in clear for listing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    AUDIT_EXCLUDE = ("key_hash",)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)

    @staticmethod
    def generate_raw() -> str:
        return "tm_" + secrets.token_urlsafe(32)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class RegistrationRequest(TimeStampedModel):
    """Self-registration of an enterprise or institution user, approved by the bureau."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业用户")
        INSTITUTION = "institution", _("高校院所用户")

    status = models.CharField(_("状态"), max_length=16, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.SUBMITTED)
    kind = models.CharField(_("用户类型"), max_length=16, choices=Kind.choices)
    username = models.CharField(_("用户名"), max_length=150)
    name = models.CharField(_("姓名"), max_length=64)
    email = models.EmailField(_("电子邮箱"))
    phone = models.CharField(_("手机号"), max_length=20)
    password_hash = models.CharField(max_length=256, editable=False)
    organization_name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    organization_kind = models.CharField(_("单位类型"), max_length=32)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所在区域"))
    existing_organization = models.ForeignKey("directory.Organization", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              verbose_name=_("已有单位"))
    authorization_letter = models.FileField(_("授权书"), upload_to="registration/%Y/%m/", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("创建的用户"))

    PERSONAL_FIELDS = {"phone": "phone", "email": "email"}
    # core.audit cannot serialise a FieldFile; services record the letter's stored name themselves.
    AUDIT_EXCLUDE = ("password_hash", "authorization_letter")

    class Meta:
        verbose_name = _("注册申请")
        verbose_name_plural = _("注册申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["username"], condition=models.Q(status="submitted"),
                                    name="unique_pending_registration_username",
                                    violation_error_message=_("该用户名已有待审核的注册申请")),
        ]

    def __str__(self) -> str:
        return f"{self.organization_name} / {self.name}"

    TRANSITIONS: dict = {}  # filled in workflows.py
