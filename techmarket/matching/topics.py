"""Notification topics of matching (X3). Imported from ``MatchingConfig.ready()`` (and by ``push``)."""
from django.utils.translation import gettext_lazy as _

from techmarket.notifications.topics import register_topic

PUSH_TOPIC = "matching_push"

register_topic(PUSH_TOPIC, _("精准推送"), default_email=True,
               description=_("与您的专长、单位或订阅的技术领域匹配的新需求和榜单"))
