from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "techmarket.targets"
    verbose_name = "目标任务"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from techmarket.notifications.topics import register_topic

        from . import permissions, workflows  # noqa: F401  (TRANSITIONS and workflow policies)

        register_topic("targets_report", _("目标任务定期通报"), default_email=False,
                       description=_("每月初将上月目标任务完成情况通报（.xlsx 和 PDF）发送到您的邮箱（市科技局管理员）"))
        register_topic("targets", _("目标任务填报"), default_email=False,
                       description=_("县区填报数据的报送、审核与退回"))
