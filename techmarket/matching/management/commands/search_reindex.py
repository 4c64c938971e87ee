"""`techmarket search_reindex [--type achievement,demand,expert,organization]`: rebuild the search index from
the database (dictionary from the records' keywords first, then every record), with a progress bar."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from techmarket.matching.models import DocType


class Command(BaseCommand):
    help = "重建检索索引（先从成果与需求的关键词重建领域词典，再逐条分析并写入索引），显示进度条。"

    def add_arguments(self, parser):
        parser.add_argument("--type", default="",
                            help="只重建这些类型，逗号分隔：{t}（默认全部）。".format(t=",".join(DocType.values)))

    def handle(self, *args, type: str, **options):
        from tqdm import tqdm

        from techmarket.matching.engines import engine_name
        from techmarket.matching.services import search_reindex

        doc_types = [t.strip() for t in type.split(",") if t.strip()] or None
        unknown = [t for t in doc_types or [] if t not in DocType.values]
        if unknown:
            raise CommandError("未知类型：{u}（可选 {c}）".format(u="、".join(unknown), c="、".join(DocType.values)))

        def progress(entries, total):
            return tqdm(entries, total=total, unit="条", desc="建索引", disable=None)

        started = time.perf_counter()
        n = search_reindex(doc_types=doc_types, progress=progress)
        seconds = time.perf_counter() - started
        self.stdout.write("已重建索引（{e}）：{n} 条，用时 {s:.1f} 秒".format(e=engine_name(), n=n, s=seconds))
