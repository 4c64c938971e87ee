from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    NOTICE = "notice", _("通知公告")
    POLICY = "policy", _("政策文件")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


# URL segment of each kind's public list: /city/4101/notices/, /city/4101/policies/.
KIND_SLUGS = {ArticleKind.NOTICE: "notices", ArticleKind.POLICY: "policies"}
SLUG_KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}

# Attachment types accepted for articles (government documents are often .ofd or .wps).
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ofd", "wps", "zip", "png", "jpg")
