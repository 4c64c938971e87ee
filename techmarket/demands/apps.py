from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "techmarket.demands"
    verbose_name = "技术需求"

    def ready(self) -> None:
        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)
