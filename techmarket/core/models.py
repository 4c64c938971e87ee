"""Base models and the two history tables every record shares.

* ``StatusChange``: one row per workflow transition (who, when, from, to, why).
* ``ObjectChange``: one row per create / update / delete / import with the
  record's data before and after, masked per SPEC §3 at write time, so the
  history can be shown to anyone who may see the record.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("记录类型"))
    object_id = models.CharField(_("记录编号"), max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=64)
    action_label = models.CharField(_("操作名称"), max_length=64, blank=True)
    from_status = models.CharField(_("原状态"), max_length=32)
    to_status = models.CharField(_("新状态"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    comment = models.TextField(_("意见"), blank=True)
    reason_code = models.CharField(_("原因代码"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class ObjectChange(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("导入")
        ACCESS = "access", _("查阅")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("记录类型"))
    object_id = models.CharField(_("记录编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("记录"), max_length=200)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    comment = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ImportJob(models.Model):
    """One Excel import (R6): who uploaded which file into which registry, and how it went.

    Small files run inside the request and are recorded here when they finish; large ones
    (more than ``TECHMARKET_IMPORT_SYNC_ROWS`` data rows) wait in the task queue with the file
    stored under ``MEDIA_ROOT/imports/`` and report their progress through this row.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导入")
        SUCCEEDED = "succeeded", _("导入成功")
        FAILED = "failed", _("导入失败")

    kind = models.CharField(_("导入类型"), max_length=64, db_index=True,
                            help_text=_("导入器名称，如 organizations、people、platforms"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="import_jobs", verbose_name=_("导入人"))
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("导入人管辖区域"),
                               help_text=_("导入时导入人的管辖区域；同一范围的管理人员可查看该任务"))
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    created_count = models.PositiveIntegerField(_("导入条数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True,
                              help_text=_("[{field, code, message}]，message 形如“第N行 字段: 原因”"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    FINISHED = {Status.SUCCEEDED, Status.FAILED}

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.processed_rows * 100 / self.total_rows))
