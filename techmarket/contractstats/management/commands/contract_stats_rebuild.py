"""`techmarket contract_stats_rebuild [--commit]`: recompute the contract statistics summary from the
registered contracts. A dry run by default: it reports how many cells differ; ``--commit`` replaces the
summary in one transaction."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from techmarket.contractstats.services import stats_compute, stats_rebuild, stats_snapshot


class Command(BaseCommand):
    help = "按已登记的技术合同重算技术合同统计汇总表（默认只检查差异，--commit 才写入）。"

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="写入重算结果（替换汇总表）。")

    def handle(self, *args, commit: bool, **options):
        started = time.perf_counter()
        if commit:
            written = stats_rebuild()
            self.stdout.write(f"已重算技术合同统计汇总：{written} 个单元格，用时 {time.perf_counter() - started:.1f} 秒。")
            return
        expected, current = stats_compute(), stats_snapshot()
        differing = sum(1 for k in expected.keys() | current.keys() if expected.get(k) != current.get(k))
        self.stdout.write(f"检查完成：应有 {len(expected)} 个单元格，差异 {differing} 个"
                          f"（用时 {time.perf_counter() - started:.1f} 秒）。" + ("" if not differing else
                          "使用 --commit 写入重算结果。"))
