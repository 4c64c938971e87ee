from django.db import models
from django.utils.translation import gettext_lazy as _


class AchievementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("未通过")
    SCHEDULED = "scheduled", _("待发布")
    PUBLISHED = "published", _("已发布")
    EXPIRED = "expired", _("已过期")
    TRADED = "traded", _("已成交")
    ARCHIVED = "archived", _("已归档")


# The owner edits content only in these states (STYLE §5.7).
EDITABLE_STATUSES = frozenset({AchievementStatus.DRAFT, AchievementStatus.RETURNED})


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    LICENCE_EXCLUSIVE = "licence_exclusive", _("独占许可")
    LICENCE_NON_EXCLUSIVE = "licence_non_exclusive", _("普通许可")
    EQUITY = "equity", _("作价入股")
    JOINT_DEVELOPMENT = "joint_development", _("合作开发")


# TRL 1–9 (GB/T 22900), the labels of the ``trl`` taxonomy (taxonomies/data/trl.csv);
# a test keeps the two in step.
TRL_CHOICES = [
    (1, _("TRL1 基本原理清晰")),
    (2, _("TRL2 技术概念形成")),
    (3, _("TRL3 关键功能验证")),
    (4, _("TRL4 实验室原理样品")),
    (5, _("TRL5 相关环境验证")),
    (6, _("TRL6 模拟环境演示")),
    (7, _("TRL7 实际环境演示")),
    (8, _("TRL8 定型与试用")),
    (9, _("TRL9 批量应用")),
]

# Attachment types accepted for achievements and demands (checked by content, core.uploads).
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "png", "jpg", "zip")
MAX_ATTACHMENTS_PER_RECORD = 20
