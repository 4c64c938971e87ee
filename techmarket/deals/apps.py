from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "techmarket.deals"
    verbose_name = "成交与公示"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("deal", _("成交与公示"), default_email=True,
                       description=_("您单位参与的成交：待签约、公示、异议及其处理、成交确认与合同草稿"))
