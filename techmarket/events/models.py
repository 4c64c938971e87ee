"""对接活动 (SPEC §2 M9): 对接会, 路演 and 成果直通车 with registration and a participant list."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.models import TimeStampedModel

from .choices import EventKind, EventStatus, RegistrationStatus

MAX_ATTENDEES_PER_REGISTRATION = 20


class Event(TimeStampedModel):
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动类型"), max_length=16, choices=EventKind.choices, db_index=True)
    summary = models.CharField(_("活动简介"), max_length=500, blank=True, help_text=_("列表中显示的一两句话"))
    description = models.TextField(_("活动详情"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("活动地点"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所在区域"))
    organizer_organization = models.ForeignKey(
        "directory.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="events_organized",
        verbose_name=_("主办单位"), help_text=_("为空表示由科技管理部门主办"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True,
                                           help_text=_("可报名的总人数；为空表示不限"))
    registration_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True,
                                                 help_text=_("为空表示活动开始前均可报名"))
    status = models.CharField(_("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT,
                              db_index=True)
    achievements = models.ManyToManyField("achievements.Achievement", blank=True, related_name="events",
                                          verbose_name=_("展示成果"), help_text=_("路演、成果直通车展示的已发布成果"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start",
                                   violation_error_message=_("结束时间应晚于开始时间")),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__isnull=True)
                | models.Q(registration_deadline__lte=models.F("starts_at")),
                name="event_deadline_before_start", violation_error_message=_("报名截止时间不能晚于活动开始时间")),
            models.CheckConstraint(condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                                   name="event_capacity_positive", violation_error_message=_("名额应至少为 1")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("events:manage_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        """已结束: derived from the end time, not a stored state."""
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def registration_closes_at(self):
        return self.registration_deadline or self.starts_at

    @property
    def phase_display(self) -> str:
        """The status people see: 已结束 for a published event past its end."""
        if self.status == EventStatus.PUBLISHED and self.is_finished:
            return str(_("已结束"))
        return self.get_status_display()


class EventRegistration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations",
                              verbose_name=_("活动"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_registrations",
                             verbose_name=_("报名用户"))
    organization = models.ForeignKey("directory.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("单位"))
    attendee_name = models.CharField(_("参会人"), max_length=64)
    # Personal data: masked for everyone but the registrant and administrators (SPEC §3).
    phone = models.CharField(_("手机号"), max_length=20)
    attendee_count = models.PositiveSmallIntegerField(
        _("参会人数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_ATTENDEES_PER_REGISTRATION)])
    note = models.CharField(_("备注"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.REGISTERED, db_index=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    PERSONAL_FIELDS = {"phone": "phone"}

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], condition=models.Q(status="registered"),
                                    name="one_active_registration_per_user_event",
                                    violation_error_message=_("您已报名该活动")),
            models.CheckConstraint(condition=models.Q(attendee_count__gte=1), name="registration_attendees_positive",
                                   violation_error_message=_("参会人数应至少为 1")),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.attendee_name}"
