"""Demo data of 目标任务: the five seed cities' configurations (郑州 2019 with its 附件 decomposition), 郑州's set
copied to the current year as a labelled demo configuration (so the live dashboard moves with the demo's
registered contracts), and approved district figures for two reported indicators of 郑州 so the dashboard shows
every status. Figures go through the services as the officers and the bureau would enter them. Idempotent.
The demo loader (techmarket/demo) calls ``targets_demo_load(loader)``.
"""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from techmarket.accounts.models import User

from .models import Indicator, ReportedValue, Target
from .seeds import seed_configurations_load, zhengzhou_demo_year_load
from .services import reported_value_act, reported_value_create

# Completion factors cycled over the units (ahead, on track, behind …); None leaves a unit without a figure.
FACTORS = (Decimal("1.15"), Decimal("1.0"), Decimal("0.95"), Decimal("0.8"), Decimal("1.05"), Decimal("0.6"),
           None, Decimal("0.92"))
REPORTED = ("rd_gdp_share", "talents_introduced")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _report(indicator: Indicator, target: Target, as_of: datetime.date, factor: Decimal, bureau: User) -> bool:
    region = target.region
    if ReportedValue.objects.filter(indicator=indicator, region=region, year=target.year).exists():
        return False
    officer = _user(f"officer-{region.code}") or bureau
    value = (target.value * factor).quantize(Decimal("0.1") if indicator.unit == "%" else Decimal("1"),
                                             ROUND_HALF_UP)
    if indicator.is_additive and target.year == as_of.year and as_of.year == timezone.localdate().year:
        # a year-to-date figure: pro-rated to the share of the year elapsed
        share = Decimal(as_of.timetuple().tm_yday) / Decimal(365)
        value = (value * share).quantize(Decimal("1"), ROUND_HALF_UP)
    obj = reported_value_create(indicator=indicator, region=region, year=target.year, as_of=as_of, value=value,
                                by=officer, note="演示数据：统计快报", submit=True)
    reported_value_act(value=obj, action="approve", by=bureau, comment="已核实")
    return True


def targets_demo_load(loader=None) -> str:
    seeded = seed_configurations_load()
    today = timezone.localdate()
    demo_year = today.year
    copied = zhengzhou_demo_year_load(demo_year)
    bureau = _user("bureau-4101") or User.objects.filter(is_superuser=True).first()
    reported = 0
    if bureau is not None:
        for code in REPORTED:
            indicator = Indicator.objects.get(city__code="410100", code=code)
            for year, as_of in ((2019, datetime.date(2019, 12, 31)), (demo_year, today - datetime.timedelta(days=3))):
                if as_of.year != year:
                    continue
                targets = Target.objects.filter(indicator=indicator, year=year).exclude(region__code="410100") \
                    .select_related("region").order_by("region__code")
                for i, target in enumerate(targets):
                    factor = FACTORS[i % len(FACTORS)]
                    if factor is not None and _report(indicator, target, as_of, factor, bureau):
                        reported += 1
    summary = (f"目标任务：五个种子城市的指标与目标 {seeded} 项（含郑州2019年分解表128项），"
               f"郑州{demo_year}年演示配置 {copied} 项，县区填报并审核 {reported} 条。")
    if loader is not None:
        loader.say(summary + "\n")
    return summary
