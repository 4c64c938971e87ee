"""Register the daily history pruning job (audit ≥ 180 days, task results 30 days) at 03:10."""
from django.db import migrations


def register(apps, schema_editor):
    from techmarket.scheduling.services import scheduled_job_register

    scheduled_job_register(
        name="prune_history",
        task="techmarket.scheduling.tasks.prune_history",
        cron="10 3 * * *",
        description="清理过期的变更记录、状态变更（保留期不少于180天）和30天前的后台任务结果",
        model=apps.get_model("scheduling", "ScheduledJob"),
    )


def unregister(apps, schema_editor):
    apps.get_model("scheduling", "ScheduledJob").objects.filter(name="prune_history").delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_load_calendar")]
    operations = [migrations.RunPython(register, unregister)]
