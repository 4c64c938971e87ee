"""Periodic jobs run by ``techmarket scheduler`` and the working-day calendar (SPEC §3).

* ``ScheduledJob``: a django-tasks task function enqueued on a cron schedule.
  ``next_run_at`` is the claim token: the scheduler moves it forward with a
  conditional UPDATE before it enqueues, so each due run is enqueued once
  however many schedulers are running.
* ``CalendarDay``: the exceptions to "Monday to Friday are working days" —
  statutory holidays (法定节假日) and 调休 working weekends — kept as data.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .cron import validate_cron


class ScheduledJob(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100, unique=True,
                            help_text=_("唯一的英文标识，例如 prune_history"))
    task = models.CharField(_("任务"), max_length=200,
                            help_text=_("django-tasks 任务函数的完整路径，例如 techmarket.scheduling.tasks.prune_history"))
    cron = models.CharField(_("定时表达式"), max_length=100, validators=[validate_cron],
                            help_text=_("五段式 cron 表达式（分 时 日 月 周），按北京时间执行，例如“10 3 * * *”表示每天 3:10"))
    enabled = models.BooleanField(_("启用"), default=True)
    kwargs = models.JSONField(_("任务参数"), default=dict, blank=True,
                              help_text=_("传给任务函数的关键字参数（JSON 对象）"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    last_enqueued_at = models.DateTimeField(_("上次入队时间"), null=True, blank=True)
    last_task_result_id = models.CharField(_("上次任务编号"), max_length=64, blank=True)
    next_run_at = models.DateTimeField(_("下次执行时间"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.description or self.name


class CalendarDay(TimeStampedModel):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=32, help_text=_("例如：春节、国庆节"))
    source = models.CharField(_("依据"), max_length=200, blank=True,
                              help_text=_("发布放假安排的文件，例如：国办发明电〔2024〕12号"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日；周一至周五本来就是工作日。")})
