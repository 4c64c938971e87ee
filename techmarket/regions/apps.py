from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "techmarket.regions"
    verbose_name = "行政区划"
