"""Scheduled work of targets: the monthly 定期通报 e-mailed to the bureau (a thin wrapper around the service)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job

from .mailing import monthly_reports_send


@periodic_job(name="targets_monthly_report", cron="0 8 1 * *",
              description="每月1日8时：将上月目标任务完成情况通报（.xlsx 和 PDF）发送给订阅的市科技局管理员")
@task()
def send_monthly_reports() -> int:
    return len(monthly_reports_send())
