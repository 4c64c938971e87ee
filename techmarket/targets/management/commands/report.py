"""``techmarket report --city 4101 --period 2019|2019-Q3|2019-09 --format xlsx|pdf [--out PATH]``

Writes the periodic report (定期通报) of a city and prints the written path on its last line.
Default path: ``var/reports/<city>-<period>.<ext>``.
"""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_get

from ...progress import period_parse
from ...reports import FORMATS, default_path, report_build, report_render


class Command(BaseCommand):
    help = "生成城市科技创新目标任务完成情况定期通报（.xlsx 或 PDF）"

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="城市区划代码，如 4101 或 410100")
        parser.add_argument("--period", required=True, help="期间：2019、2019-Q3 或 2019-09")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="xlsx")
        parser.add_argument("--out", default="", help="输出文件路径（默认 var/reports/<城市>-<期间>.<格式>）")

    def handle(self, *args, city, period, fmt, out, **options):
        try:
            region = region_get(city)
        except Region.DoesNotExist:
            raise CommandError(f"未找到城市“{city}”") from None
        if region.level != Region.Level.CITY:
            raise CommandError(f"“{region.name}”不是地级市，请填写 4 位城市代码")
        try:
            parsed = period_parse(period)
            data = report_build(city=region, period=parsed)
            content = report_render(data, fmt)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        if not data.progress.indicators:
            self.stderr.write(f"提示：{region.name}{parsed.year}年没有设置目标，通报为空。")
        path = Path(out) if out else default_path(region, parsed, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(f"{data.title}：{parsed.label}，{len(data.progress.indicators)} 项指标，"
                          f"{len(data.progress.units)} 个单位，滞后 {len(data.progress.behind())} 项次。")
        self.stdout.write(str(path.resolve()))
