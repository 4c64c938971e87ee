"""Article workflow: a draft is published, a published article can be withdrawn to draft."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflows import Transition

from .choices import ArticleStatus as S
from .models import Article

PUBLISH_PERMISSION = "portal.publish_article"

TRANSITIONS = {
    "publish": Transition({S.DRAFT}, S.PUBLISHED, PUBLISH_PERMISSION, _("发布"), style="success"),
    "unpublish": Transition({S.PUBLISHED}, S.DRAFT, PUBLISH_PERMISSION, _("撤回"), style="outline-secondary"),
}

Article.TRANSITIONS = TRANSITIONS
