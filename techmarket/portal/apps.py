from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "techmarket.portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from . import headlines, permissions, workflows  # noqa: F401  (register transitions, policies, figures)
