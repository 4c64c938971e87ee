from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "techmarket.notifications"
    verbose_name = "消息通知"
