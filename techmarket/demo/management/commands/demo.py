"""`techmarket demo`: load the seed cities' demo accounts and data (only when TECHMARKET_DEMO=1)."""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from techmarket.demo.loader import PASSWORD, DemoLoader


class Command(BaseCommand):
    help = "加载五个示范城市的演示账号、资源库、政策文件、成果库和需求库（幂等；仅在 TECHMARKET_DEMO=1 时运行）"

    def add_arguments(self, parser):
        parser.add_argument("--no-bulk", action="store_true",
                            help="只加载账号和命名单位，不生成批量记录（也不加载成果库和需求库）")
        parser.add_argument("--no-market", action="store_true", help="不加载演示成果和需求")

    def handle(self, *args, **options):
        if not settings.TECHMARKET_DEMO:
            self.stderr.write("未处于演示模式（TECHMARKET_DEMO 不是 1），不写入任何数据。")
            sys.exit(2)
        from techmarket.matching.engines import index_updates_deferred
        from techmarket.matching.services import search_reindex

        loader = DemoLoader(self.stdout, bulk=not options["no_bulk"], market=not options["no_market"])
        with index_updates_deferred():  # one index rebuild at the end instead of a task per record
            loader.run()
        self.stdout.write("检索索引：%d 条记录\n" % search_reindex())
        self.stdout.write("\n演示账号（密码均为 %s）：\n" % PASSWORD)
        width = max(len(u) for u, _r, _o in loader.accounts)
        for username, roles, org in loader.accounts:
            self.stdout.write(f"  {username.ljust(width)}  {roles}  {org}\n")
