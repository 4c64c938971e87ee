"""本年技术合同成交额 on the city home page follows registrations of the current year in the city."""
from __future__ import annotations

import pytest
from freezegun import freeze_time

import techmarket.urls  # noqa: F401  (ninja schemas built before time is frozen)
from techmarket.contractstats.tests.factories import deregister, registered
from techmarket.portal.headlines import HEADLINES
from techmarket.portal.models import PortalCity
from techmarket.regions.models import Region

pytestmark = pytest.mark.django_db


@freeze_time("2026-06-30 12:00:00+08:00")
def test_counts_this_years_registrations_with_the_seller_in_the_city():
    jinshui, hebi = Region.objects.get(code="410105"), Region.objects.get(code="410602")
    zhengzhou = PortalCity.objects.get(region__code="410100")
    registered(on="2026-03-01", seller=jinshui, buyer=hebi, total=1_234_500, tech=1_000_000)
    registered(on="2026-05-01", seller=jinshui, buyer=jinshui, total=100_000, tech=100_000)
    last_year = registered(on="2025-12-31", seller=jinshui, buyer=jinshui, total=9_000_000, tech=9_000_000)
    registered(on="2026-04-01", seller=hebi, buyer=jinshui, total=7_000_000, tech=7_000_000)  # bought, not sold
    headline = HEADLINES["contract_amount"]
    assert "contract_amount" in zhengzhou.headline_figures
    assert str(headline.compute(zhengzhou)) == "133"  # 万元 (133.45)
    deregister(last_year)
    gone = registered(on="2026-06-01", seller=jinshui, buyer=jinshui, total=50_000, tech=50_000)
    assert str(headline.compute(zhengzhou)) == "138"
    deregister(gone)
    assert str(headline.compute(zhengzhou)) == "133"
