from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    MATCHMAKING = "matchmaking", _("对接会")
    ROADSHOW = "roadshow", _("路演")
    EXPRESS = "express", _("成果直通车")


class EventStatus(models.TextChoices):
    """Stored states; 已结束 is derived from ``ends_at`` (Event.is_finished), never stored."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待发布")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已取消")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    CANCELLED = "cancelled", _("已取消")
