"""`techmarket scheduling_load_calendar [FILE] [--update] [--commit]`: load holidays and 调休 days from CSV.

Without FILE it loads the shipped State Council arrangements (scheduling/data/cn_public_holidays.csv).
Dry run by default: checks every row and reports what would change; --commit writes.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from techmarket.core.errors import ApplicationError
from techmarket.scheduling.services import calendar_load_csv


class Command(BaseCommand):
    help = "从 CSV（date,kind,name,source）导入法定节假日和调休上班日；默认只检查不写入，--commit 写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV 文件；省略时使用随软件发布的国务院放假安排。")
        parser.add_argument("--update", action="store_true", help="覆盖已有日期的类型、名称和依据。")
        parser.add_argument("--commit", action="store_true", help="真正写入（默认只检查）。")

    def handle(self, *args, file: str | None, update: bool, commit: bool, **options):
        try:
            with transaction.atomic():
                counts = calendar_load_csv(path=file, update=update)
                if not commit:
                    transaction.set_rollback(True)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{exc.filename}") from None
        except ApplicationError as exc:
            raise CommandError("\n".join(e.message for e in exc.errors)) from None
        verb = "已" if commit else "将"
        self.stdout.write(f"{verb}新增 {counts['created']} 天，{verb}更新 {counts['updated']} 天，"
                          f"{counts['unchanged']} 天不变。")
        if not commit:
            self.stdout.write("这是试运行，没有写入；加 --commit 写入。")
