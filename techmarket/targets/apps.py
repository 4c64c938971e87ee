from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "techmarket.targets"
    verbose_name = "目标任务"
