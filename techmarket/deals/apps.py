from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "techmarket.deals"
    verbose_name = "成交与公示"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (TRANSITIONS)
