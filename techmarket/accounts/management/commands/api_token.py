"""`techmarket api_token USERNAME [--name N] [--days D]`: print a new API token.

Only the raw token goes to stdout, so scripts can capture it: TOKEN=$(techmarket api_token alice).
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from techmarket.accounts.models import User
from techmarket.accounts.services import api_token_create
from techmarket.core.errors import ApplicationError


class Command(BaseCommand):
    help = "为指定用户创建 API 令牌，并只把令牌值输出到标准输出"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="", help="令牌用途，如“省级系统同步”")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认按 TECHMARKET_API_TOKEN_DAYS）")

    def handle(self, *args, username, name="", days=None, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"用户“{username}”不存在") from None
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能创建令牌")
        try:
            token, raw = api_token_create(user=user, name=name or "命令行创建", days=days)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(raw)
        self.stderr.write(f"令牌 {token.prefix}… 属于 {user.username}，有效期至 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")
