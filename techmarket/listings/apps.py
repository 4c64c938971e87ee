from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "techmarket.listings"
    verbose_name = "挂牌交易"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (TRANSITIONS)
