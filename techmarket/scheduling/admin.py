"""Admin: bureau administrators switch periodic jobs on and off, edit their schedules, and keep
the working-day calendar (节假日与调休)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.permissions import is_bureau_admin
from techmarket.core.admin import AuditedModelAdmin
from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange

from .cron import cron_next
from .models import CalendarDay, ScheduledJob
from .services import scheduled_job_register, scheduled_job_run_now, scheduled_job_update, task_resolve

WEEKDAYS = "一二三四五六日"


class ScheduledJobForm(forms.ModelForm):
    class Meta:
        model = ScheduledJob
        fields = ("name", "task", "description", "cron", "enabled", "kwargs")

    def clean_task(self):
        task = self.cleaned_data["task"]
        task_resolve(task)
        return task

    def clean_kwargs(self):
        kwargs = self.cleaned_data.get("kwargs")
        if kwargs in (None, ""):
            return {}
        if not isinstance(kwargs, dict):
            raise ValidationError(_("任务参数应为 JSON 对象，例如 {\"days\": 7}。"))
        return kwargs


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    form = ScheduledJobForm
    list_display = ("name", "description", "cron", "enabled", "next_run_at", "last_enqueued_at")
    list_filter = ("enabled",)
    search_fields = ("name", "description", "task")
    actions = ("enable_jobs", "disable_jobs", "run_now")

    # Jobs are declared by the code that runs them; administrators change when and whether they run.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return is_bureau_admin(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_bureau_admin(request.user) or super().has_change_permission(request, obj)

    def has_module_permission(self, request):
        return is_bureau_admin(request.user) or super().has_module_permission(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["next_run_at", "upcoming_runs", "last_enqueued_at", "last_task_result_id"]
        if obj is not None:
            readonly[:0] = ["name", "task"] if request.user.is_superuser else ["name", "task", "description"]
        return readonly

    @admin.display(description=_("接下来五次执行（北京时间）"))
    def upcoming_runs(self, obj):
        if obj is None or not obj.pk or not obj.enabled:
            return "—"
        runs, at = [], timezone.now()
        for _i in range(5):
            at = cron_next(obj.cron, after=at)
            runs.append(at.strftime("%Y-%m-%d %H:%M") + "（周" + WEEKDAYS[at.weekday()] + "）")
        return "；".join(runs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            try:
                updated = scheduled_job_update(
                    job=obj, by=request.user, cron=data["cron"], enabled=data["enabled"], kwargs=data["kwargs"],
                    description=data.get("description") if "description" in data else None,
                )
            except ApplicationError as exc:  # the form validated already; a race with another editor
                raise ValidationError(str(exc)) from exc
            obj.next_run_at = updated.next_run_at
            return
        job = scheduled_job_register(name=data["name"], task=data["task"], cron=data["cron"],
                                     description=data.get("description", ""), enabled=data["enabled"],
                                     kwargs=data["kwargs"])
        obj.pk = job.pk
        obj.next_run_at = job.next_run_at
        record_change(obj=job, action=ObjectChange.Action.CREATE, by=request.user, comment="管理后台")

    def delete_model(self, request, obj):
        record_change(obj=obj, action=ObjectChange.Action.DELETE, by=request.user, before=None, after=None,
                      comment="管理后台")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("启用所选定时任务"), permissions=["change"])
    def enable_jobs(self, request, queryset):
        for job in queryset:
            scheduled_job_update(job=job, by=request.user, enabled=True)
        self.message_user(request, _("已启用 {n} 个定时任务。").format(n=queryset.count()), messages.SUCCESS)

    @admin.action(description=_("停用所选定时任务"), permissions=["change"])
    def disable_jobs(self, request, queryset):
        for job in queryset:
            scheduled_job_update(job=job, by=request.user, enabled=False)
        self.message_user(request, _("已停用 {n} 个定时任务。").format(n=queryset.count()), messages.SUCCESS)

    @admin.action(description=_("立即执行一次（不影响定时安排）"), permissions=["change"])
    def run_now(self, request, queryset):
        for job in queryset:
            try:
                result = scheduled_job_run_now(job=job, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{job.name}：{exc}", messages.ERROR)
            else:
                self.message_user(request, _("{name} 已放入后台任务队列（{id}）。").format(name=job.name, id=result.id),
                                  messages.SUCCESS)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "source")
    list_filter = ("kind", "name")
    search_fields = ("name", "source")
    date_hierarchy = "date"
    fields = ("date", "kind", "name", "source")

    def has_view_permission(self, request, obj=None):
        return is_bureau_admin(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_bureau_admin(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_bureau_admin(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_bureau_admin(request.user) or super().has_delete_permission(request, obj)

    def has_module_permission(self, request):
        return is_bureau_admin(request.user) or super().has_module_permission(request)

    @admin.display(description=_("星期"), ordering="date")
    def weekday(self, obj):
        return "周" + WEEKDAYS[obj.date.weekday()]
