"""techmarket subsidy_check --round ID: the round's computed amounts beside an independent calculation."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from techmarket.core.money import yuan_str


class Command(BaseCommand):
    help = "按独立算法重算补助批次金额，与系统测算结果并列输出（不一致时退出码为 1）"

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="补助批次编号")

    def handle(self, *args, round_id: int, **options):
        from techmarket.subsidies.check import side_by_side
        from techmarket.subsidies.models import SubsidyRound

        round_ = SubsidyRound.objects.filter(pk=round_id).select_related("city").first()
        if round_ is None:
            raise CommandError(f"补助批次 {round_id} 不存在")
        computation = round_.current_computation
        rows, same = side_by_side(round_)
        self.stdout.write(f"{round_.name}（{round_.get_status_display()}，基数年度 {round_.base_year}，"
                          f"测算版本 {computation.version if computation else '—'}）\n")
        self.stdout.write(f"{'申报':>6}  {'系统测算(元)':>14}  {'独立计算(元)':>14}  一致  单位 · 政策\n")
        for r in rows:
            self.stdout.write(f"{r['declaration']:>6}  {yuan_str(r['engine_fen']):>14}  {yuan_str(r['check_fen']):>14}  "
                              f"{'是' if r['same'] else '否':>2}    {r['organization']} · {r['policy']}\n")
        total_engine = sum(r["engine_fen"] for r in rows)
        total_check = sum(r["check_fen"] for r in rows)
        self.stdout.write(f"{'合计':>6}  {yuan_str(total_engine):>14}  {yuan_str(total_check):>14}  "
                          f"{'是' if same else '否'}\n")
        if computation is not None:
            self.stdout.write(f"排除 {computation.exclusions.count()} 项：\n")
            for e in computation.exclusions.select_related("organization"):
                self.stdout.write(f"  {e.organization.name} · {e.get_subject_display()}“{e.subject_label}”："
                                  f"{e.message}（{e.code}）\n")
        if not same:
            raise SystemExit(1)
