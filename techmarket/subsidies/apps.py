from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "techmarket.subsidies"
    verbose_name = "补助政策"
