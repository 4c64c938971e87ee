from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "techmarket.achievements"
    verbose_name = "科技成果"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("market", _("成果与需求"), default_email=True,
                       description=_("您发布的科技成果、技术需求的审核结果、发布、到期提醒与下架"))
