"""In-app notifications, per-topic subscriptions and the daily digest log (SPEC §2 X3)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .topics import topic_label


class Notification(models.Model):
    """One message to one user. ``opened_at`` records the first click-through,
    so the owner of the record it is about can see who was notified and who opened it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("接收人"))
    topic = models.SlugField(_("主题"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True,
                            help_text=_("站内路径（以 / 开头）或 http(s) 地址"))
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("相关记录类型"))
    object_id = models.CharField(_("相关记录编号"), max_length=64, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    in_app = models.BooleanField(_("站内显示"), default=True,
                                 help_text=_("接收人关闭了该主题的站内消息时仅用于邮件摘要"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("首次打开时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件摘要发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
            models.Index(fields=["recipient", "emailed_at"], name="notif_recipient_emailed"),
            models.Index(fields=["content_type", "object_id"], name="notif_about"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def topic_label(self) -> str:
        return topic_label(self.topic)

    def get_open_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])


class Subscription(models.Model):
    """A user's choice for one topic. No row: the topic's defaults apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_subscriptions", verbose_name=_("用户"))
    topic = models.SlugField(_("主题"), max_length=64)
    in_app = models.BooleanField(_("站内消息"), default=True)
    email = models.BooleanField(_("邮件摘要"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息订阅")
        verbose_name_plural = _("消息订阅")
        ordering = ["user_id", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_notification_subscription",
                                    violation_error_message=_("该用户已有此主题的订阅设置")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {topic_label(self.topic)}"


class DigestLog(models.Model):
    """One row per recipient and day: the database guarantees at most one digest a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_digests", verbose_name=_("接收人"))
    date = models.DateField(_("摘要日期"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    count = models.PositiveIntegerField(_("消息条数"), default=0)

    class Meta:
        verbose_name = _("邮件摘要记录")
        verbose_name_plural = _("邮件摘要记录")
        ordering = ["-date", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="unique_digest_per_user_per_day",
                                    violation_error_message=_("该用户当天已发送过邮件摘要")),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.date} · {self.count}"
