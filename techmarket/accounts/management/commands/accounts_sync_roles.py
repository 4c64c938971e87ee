"""Create the role groups and set their permissions from accounts.roles.ROLE_PERMISSIONS.

Runs after every `migrate` by itself; run it by hand to see (dry run) or apply (--commit) the sync.
"""
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from techmarket.accounts.services import roles_sync


class Command(BaseCommand):
    help = "按 accounts/roles.py 同步角色组及其权限（默认只显示将要做的修改，加 --commit 才写入）"

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="写入数据库（默认只预演）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")

    def handle(self, *args, commit=False, database=DEFAULT_DB_ALIAS, **options):
        report = roles_sync(commit=commit, using=database)
        for line in report.lines():
            self.stdout.write(line)
        if not report.changed:
            self.stdout.write("角色组与权限已是最新，无需修改")
        elif commit:
            self.stdout.write(self.style.SUCCESS("已同步角色组与权限"))
        else:
            self.stdout.write(self.style.WARNING("预演：未写入任何修改；加 --commit 执行"))
