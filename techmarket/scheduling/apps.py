from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "techmarket.scheduling"
    verbose_name = "定时任务与工作日历"
