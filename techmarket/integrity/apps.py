from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "techmarket.integrity"
    verbose_name = "科研诚信"
