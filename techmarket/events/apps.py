from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "techmarket.events"
    verbose_name = "对接活动"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("events", _("对接活动"), default_email=True,
                       description=_("您报名的活动取消，以及您单位组织的活动的发布与退回"))
