from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "techmarket.auctions"
    verbose_name = "竞价拍卖"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("auctions", _("竞价拍卖"), default_email=True,
                       description=_("竞买号与保证金、开拍与结果、成交签约与保证金退还"))
