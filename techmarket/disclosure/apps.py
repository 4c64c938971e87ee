from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "techmarket.disclosure"
    verbose_name = "保密信息披露"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the workflow policies)
