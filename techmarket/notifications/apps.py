from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "techmarket.notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from . import topics  # noqa: F401  (registers the foundation's topics)
