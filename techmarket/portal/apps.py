from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "techmarket.portal"
    verbose_name = "门户"
