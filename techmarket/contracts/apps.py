from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "techmarket.contracts"
    verbose_name = "技术合同"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import headlines, imports, permissions, workflows  # noqa: F401  (registries, TRANSITIONS, policies)

        register_topic("contracts", _("技术合同"), default_email=True,
                       description=_("成交后生成的技术合同草稿，以及您单位技术合同的办理进度"))
