from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "techmarket.subsidies"
    verbose_name = "补助政策"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("subsidies", _("补助申报"), default_email=True,
                       description=_("本单位补助申报的初审、复审结果与退回，以及所申报批次的公示和批准"))
