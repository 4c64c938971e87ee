from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulingConfig(AppConfig):
    name = "techmarket.scheduling"
    verbose_name = "定时任务与工作日历"

    def ready(self) -> None:
        from django.core import checks
        from django.utils.module_loading import autodiscover_modules

        from . import checks as scheduling_checks
        from .registry import periodic_jobs_sync

        # Each app's tasks.py may declare periodic jobs (registry.periodic_job); import them all.
        autodiscover_modules("tasks")
        post_migrate.connect(periodic_jobs_sync, sender=self, dispatch_uid="scheduling_periodic_jobs_sync")
        checks.register(scheduling_checks.check_audit_retention)
