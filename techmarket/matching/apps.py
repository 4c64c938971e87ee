from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "techmarket.matching"
    verbose_name = "检索与匹配"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (index updates after commit)
        from . import topics  # noqa: F401  (the matching_push notification topic)
