from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "techmarket.listings"
    verbose_name = "挂牌交易"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("listing", _("挂牌交易"), default_email=True,
                       description=_("您单位的挂牌审核结果、受让意向登记与撤回、挂牌期满的结果"))
