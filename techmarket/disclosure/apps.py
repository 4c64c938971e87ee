from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "techmarket.disclosure"
    verbose_name = "保密信息披露"
