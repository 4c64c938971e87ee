from django.apps import AppConfig


class AuctionsConfig(AppConfig):
    name = "techmarket.auctions"
    verbose_name = "竞价拍卖"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (TRANSITIONS)
