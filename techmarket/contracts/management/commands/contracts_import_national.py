"""`techmarket contracts_import_national FILE.xlsx [--point CITY4-PP] [--dry-run]` (SPEC C4).

Imports the national system's export as registered contracts, all or nothing (``contracts.national``).
Exit status 0 with ``已导入 N 份技术合同`` on success; 1 with every ``第N行 列名: 原因`` on stderr when any
row is bad (nothing imported); 2 for a usage error (missing file, unknown point). ``--dry-run`` validates
only. Re-running the same file skips rows whose 登记号 is already imported with the same content.
"""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from techmarket.contracts.national import national_import, parse_point
from techmarket.core.actors import SYSTEM
from techmarket.core.errors import ApplicationError
from techmarket.core.xlsx import ImportRefused


class Command(BaseCommand):
    help = "导入全国技术合同登记系统导出的技术合同（.xlsx，全部校验通过才导入，导入为已登记合同）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="全国技术合同登记系统导出的 .xlsx 文件")
        parser.add_argument("--point", help="登记点，写作 城市代码4位-登记点2位，如 4101-01；"
                                            "指定时每个登记号都应属于该登记点")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, **options):
        try:
            point = parse_point(options.get("point"))
        except ApplicationError as exc:
            raise CommandError(exc.errors[0].message, returncode=2) from None
        path = options["file"]
        try:
            handle = open(path, "rb")
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}", returncode=2) from None
        with handle:
            try:
                result = national_import(source=handle, by=SYSTEM, point=point, dry_run=options["dry_run"],
                                         file_name=path)
            except ImportRefused as exc:
                self.stderr.write(f"文件未导入（没有写入任何记录），发现 {len(exc.errors)} 处问题：")
                for item in exc.errors:
                    self.stderr.write(item.message)
                sys.exit(1)
            except ApplicationError as exc:
                for item in exc.errors:
                    self.stderr.write(item.message)
                sys.exit(1)
        self.stdout.write(result.summary)
