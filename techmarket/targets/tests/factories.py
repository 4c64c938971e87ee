"""Builders for targets tests: registered contracts, qualifications, platforms, indicators, targets, and the
seed 004 附件 table rebuilt as .xlsx."""
from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal

from openpyxl import Workbook

from techmarket.contracts.models import TechContract
from techmarket.core.tests import factories as core_factories
from techmarket.directory.models import Platform, Qualification
from techmarket.regions.models import Region

from ..models import Indicator, Target
from ..seeds import ZHENGZHOU_2019_TABLE, ZHENGZHOU_TABLE_COLUMNS

_serial = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def contract(*, seller: str, amount_yuan: int | str, registered_on: datetime.date | None,
             status: str = "registered", buyer: str = "410102", tech_yuan=None,
             deregistered_on: datetime.date | None = None) -> TechContract:
    """A contract in the given state, written directly (as the registration helper's tests advise)."""
    n = next(_serial)
    fen = int(Decimal(str(amount_yuan)) * 100)
    tech = fen if tech_yuan is None else int(Decimal(str(tech_yuan)) * 100)
    return TechContract.objects.create(
        status=status, name=f"测试技术开发合同{n}", seller_name=f"卖方单位{n}", buyer_name=f"买方单位{n}",
        seller_region=region(seller), buyer_region=region(buyer), total_amount_fen=fen, tech_amount_fen=tech,
        registered_on=registered_on, deregistered_on=deregistered_on,
        registration_number=f"2019410101{n:06d}" if registered_on else None)


def qualification(*, region_code: str, kind: str = "hitech", recognised_on: datetime.date,
                  valid_until: datetime.date | None = None, level: str = "", organization=None) -> Qualification:
    org = organization or core_factories.organization(region_obj=region(region_code))
    return Qualification.objects.create(organization=org, kind=kind, level=level, recognised_on=recognised_on,
                                        valid_until=valid_until)


def platform(*, region_code: str, kind: str = "key_lab", level: str = "provincial",
             recognised_on: datetime.date, valid_until: datetime.date | None = None) -> Platform:
    org = core_factories.organization(region_obj=region(region_code))
    return Platform.objects.create(name=f"测试平台{next(_serial)}", kind=kind, level=level, organization=org,
                                   region=org.region, recognised_on=recognised_on, valid_until=valid_until)


def indicator(*, city: str = "410100", code: str = "contract_amount", name: str = "技术合同成交额",
              unit: str = "亿元", kind: str = "amount", computation: str = "contract_amount",
              params: dict | None = None, **extra) -> Indicator:
    if params is None:
        params = {"amount": "total", "side": "seller"} if computation.startswith("contract") else {}
    return Indicator.objects.create(city=region(city), code=code, name=name, unit=unit, kind=kind,
                                    source="computed" if computation else "reported", computation=computation,
                                    params=params, **extra)


def target(ind: Indicator, region_code: str, year: int, value) -> Target:
    return Target.objects.create(indicator=ind, region=region(region_code), year=year, value=Decimal(str(value)))


def table_workbook(rows=None, columns=None, *, title: bool = True, unit_header: str = "县(市)区、开发区") -> bytes:
    """Seed 004's 附件 as the bureau lays it out: a title row, the header, one row per unit."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["2019年度科技创新工作主要目标任务分解"])
    ws.append([unit_header, *(columns or ZHENGZHOU_TABLE_COLUMNS)])
    for name, _code, cells in (rows or ZHENGZHOU_2019_TABLE):
        ws.append([name, *[float(c) if isinstance(c, str) and c.replace(".", "", 1).isdigit() else c
                           for c in cells]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
