from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "techmarket.contracts"
    verbose_name = "技术合同"

    def ready(self) -> None:
        from . import workflows  # noqa: F401  (TRANSITIONS)
