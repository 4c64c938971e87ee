from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "techmarket.challenges"
    verbose_name = "揭榜挂帅"

    def ready(self) -> None:
        # TRANSITIONS tables and the workflow policies they name.
        from . import permissions, review_permissions, workflows  # noqa: F401
        from . import services  # noqa: F401  (registers the "challenges" notification topic)
