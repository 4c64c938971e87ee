from __future__ import annotations

import pytest

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories

from . import factories as f


@pytest.fixture
def regions(db):
    zz = factories.zhengzhou()
    beijing = factories.region("110000", "北京市")
    zz["beijing"] = beijing
    zz["haidian"] = factories.region("110108", "海淀区", beijing)
    return zz


@pytest.fixture
def case(regions):
    """The hand-computed case: two 郑州 districts, the city itself, 鹤壁, 北京海淀 and abroad; 2024 and 2025."""
    r = regions
    contracts = {
        "c1": f.registered(on="2025-03-10", seller=r["jinshui"], buyer=r["zhongyuan"], total=100000, tech=80000,
                           category="11", field="01", seller_nature="21", buyer_nature="45", ip_type="01", plan="0"),
        "c2": f.registered(on="2025-03-20", seller=r["zhongyuan"], buyer=r["haidian"], total=50000, tech=50000,
                           category="51", field="02", seller_nature="47", buyer_nature="22", ip_type="00", plan="2"),
        "c3": f.registered(on="2025-07-01", seller=r["haidian"], buyer=r["jinshui"], total=200000, tech=150000,
                           category="21", field="01", seller_nature="22", buyer_nature="45", ip_type="01", plan=None),
        "c4": f.registered(on="2024-03-05", seller=r["jinshui"], buyer=r["hebi"], total=80000, tech=60000,
                           category="12", field="01", seller_nature="21", buyer_nature="41", ip_type="02", plan="0"),
        "c5": f.registered(on="2024-11-11", seller=r["city"], buyer=None, total=40000, tech=40000,
                           category="41", field=None, seller_nature="45", buyer_nature=None, ip_type=None, plan="0"),
        "c6": f.registered(on="2025-05-05", seller=r["jinshui"], buyer=r["jinshui"], total=999, tech=999),
    }
    f.deregister(contracts["c6"])
    return contracts


@pytest.fixture
def users(regions):
    zz_org = factories.organization("郑州测试企业有限公司", region_obj=regions["jinshui"])
    station = factories.organization("郑州市技术合同认定登记站", region_obj=regions["city"], kind="government")
    hebi_station = factories.organization("鹤壁市技术合同认定登记站", region_obj=regions["hebi"], kind="government")
    return {
        "bureau": factories.bureau_admin("bureau-4101", region_obj=regions["city"]),
        "bureau_hebi": factories.bureau_admin("bureau-4106", region_obj=regions["hebi"]),
        "officer": factories.district_officer("officer-410105", region_obj=regions["jinshui"]),
        "registrar": factories.user("registrar-4101", organization_obj=station, roles=[Role.REGISTRAR],
                                    region_obj=regions["city"]),
        "registrar_hebi": factories.user("registrar-4106", organization_obj=hebi_station, roles=[Role.REGISTRAR],
                                         region_obj=regions["hebi"]),
        "enterprise": factories.user("ent-4101-1", organization_obj=zz_org, roles=[Role.ENTERPRISE]),
    }
