"""techmarket subsidy_policies_load --city 4106|4116 --year 2026 [--commit]: ship the seed rules."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "载入鹤壁（4106）或周口（4116）政策文件中的补助规则（默认只预览，--commit 才写入）"

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, choices=["4106", "4116"])
        parser.add_argument("--year", type=int, required=True, help="政策年度（补助年度），基数年度为其上一年")
        parser.add_argument("--commit", action="store_true", help="写入数据库")

    def handle(self, *args, city: str, year: int, commit: bool, **options):
        from techmarket.subsidies.seed_rules import subsidy_policies_load

        if not 2000 <= year <= 2100:
            raise CommandError("年度应为四位年份")

        class DryRun(Exception):
            pass

        created = []
        try:
            with transaction.atomic():
                created = subsidy_policies_load(city=city, year=year)
                for p in created:
                    self.stdout.write(f"  {p.code}  {p.name}\n")
                if not commit:
                    raise DryRun
        except DryRun:
            self.stdout.write(f"预览：将新建 {len(created)} 条规则（加 --commit 写入）\n")
            return
        self.stdout.write(f"已新建 {len(created)} 条规则\n")
