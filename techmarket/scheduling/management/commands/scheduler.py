"""`techmarket scheduler`: enqueue due periodic jobs (ScheduledJob) onto the django-tasks queue.

Runs next to `techmarket db_worker`, which executes what this enqueues. Several schedulers may
run at once (e.g. on two servers): each due run is claimed by one conditional UPDATE, so it is
enqueued exactly once.
"""
from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from techmarket.scheduling.services import scheduled_jobs_run_due

logger = logging.getLogger("techmarket.scheduling.scheduler")


class Command(BaseCommand):
    help = "按定时任务表（ScheduledJob）把到期的任务放入后台任务队列；--once 只检查一次。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0,
                            help="两次检查之间的秒数（默认 30）。")
        parser.add_argument("--once", action="store_true", help="只检查一次，然后退出。")

    def handle(self, *args, interval: float, once: bool, **options):
        if interval <= 0:
            raise CommandError("--interval 必须大于 0")
        if once:
            for job in scheduled_jobs_run_due():
                self.stdout.write("已入队：{name}（{task}），下次执行 {next:%Y-%m-%d %H:%M}".format(
                    name=job.name, task=job.task, next=timezone.localtime(job.next_run_at)))
            return
        stop = threading.Event()

        def _stop(signum, _frame):
            logger.info("Scheduler received %s, stopping", signal.strsignal(signum))
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        logger.info("Scheduler started, checking every %s s", interval)
        while not stop.is_set():
            close_old_connections()
            try:
                scheduled_jobs_run_due()  # logs each job it enqueues
            except Exception:  # noqa: BLE001 - a lost database connection must not end the loop
                logger.exception("Scheduler tick failed; retrying in %s s", interval)
            stop.wait(interval)
        close_old_connections()
        logger.info("Scheduler stopped")
