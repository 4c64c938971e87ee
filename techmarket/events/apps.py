from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "techmarket.events"
    verbose_name = "对接活动"
