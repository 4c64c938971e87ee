from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "techmarket.core"
    verbose_name = "基础"
