"""Each named computation on small hand-made cases (T1)."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories as core_factories

from ..computations import COMPUTATIONS, computation_get
from . import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
JAN1, DEC31 = D(2019, 1, 1), D(2019, 12, 31)


def _values(key, params, codes, start=JAN1, end=DEC31):
    units = [f.region(c) for c in codes]
    values = computation_get(key).values(params=params, units=units, start=start, end=end)
    return [values[u.pk] for u in units]


class TestContractAmount:
    params = {"amount": "total", "side": "seller"}

    def test_sums_contracts_registered_in_period_by_seller_unit(self, db):
        # given
        f.contract(seller="410105", amount_yuan=100_000, registered_on=D(2019, 3, 1))
        f.contract(seller="410105", amount_yuan="250000.50", registered_on=D(2019, 12, 31))
        f.contract(seller="410102", amount_yuan=70_000, registered_on=D(2019, 6, 1))
        f.contract(seller="410105", amount_yuan=1_000, registered_on=D(2018, 12, 31))   # before the period
        f.contract(seller="410105", amount_yuan=2_000, registered_on=D(2020, 1, 1))     # after
        f.contract(seller="410105", amount_yuan=5_000, registered_on=None, status="submitted")
        f.contract(seller="410611", amount_yuan=9_000, registered_on=D(2019, 5, 1))     # 鹤壁
        # when
        jinshui, zhongyuan, city = _values("contract_amount", self.params, ["410105", "410102", "410100"])
        # then amounts are exact fen
        assert jinshui == Decimal(35_000_050)
        assert zhongyuan == Decimal(7_000_000)
        assert city == Decimal(42_000_050)

    def test_deregistered_contracts_stop_counting(self, db):
        f.contract(seller="410105", amount_yuan=100, registered_on=D(2019, 3, 1))
        f.contract(seller="410105", amount_yuan=200, registered_on=D(2019, 3, 1), status="deregistered",
                   deregistered_on=D(2019, 5, 1))
        # counted up to its deregistration, not after
        assert _values("contract_amount", self.params, ["410105"], end=D(2019, 4, 30)) == [Decimal(30_000)]
        assert _values("contract_amount", self.params, ["410105"]) == [Decimal(10_000)]

    def test_tech_amount_and_buyer_side(self, db):
        f.contract(seller="410105", buyer="410102", amount_yuan=1000, tech_yuan=600, registered_on=D(2019, 3, 1))
        assert _values("contract_amount", {"amount": "tech", "side": "seller"}, ["410105"]) == [Decimal(60_000)]
        assert _values("contract_amount", {"amount": "total", "side": "buyer"}, ["410102", "410105"]) == \
            [Decimal(100_000), Decimal(0)]

    def test_count_and_drill_down(self, db):
        f.contract(seller="410105", amount_yuan=1000, registered_on=D(2019, 3, 1))
        f.contract(seller="410105", amount_yuan=2000, registered_on=D(2019, 4, 1))
        assert _values("contract_count", {"side": "seller"}, ["410105"]) == [Decimal(2)]
        drill = computation_get("contract_amount").records(params=self.params, unit=f.region("410105"),
                                                           start=JAN1, end=DEC31)
        assert drill.total == 2 and drill.rows[0][5] == D(2019, 4, 1)
        assert "0.20 万元" in drill.rows[0]


class TestQualifications:
    def test_net_new_is_valid_at_end_minus_valid_at_start(self, db):
        # valid before and after: not new
        f.qualification(region_code="410105", recognised_on=D(2017, 5, 1), valid_until=D(2020, 4, 30))
        # recognised in 2019: new
        f.qualification(region_code="410105", recognised_on=D(2019, 1, 1), valid_until=D(2021, 12, 31))
        f.qualification(region_code="410105", recognised_on=D(2019, 11, 20), valid_until=D(2022, 11, 19))
        # expired during 2019: minus one
        f.qualification(region_code="410105", recognised_on=D(2016, 6, 1), valid_until=D(2019, 5, 31))
        # another kind, another city
        f.qualification(region_code="410105", kind="tech_sme", recognised_on=D(2019, 2, 1))
        f.qualification(region_code="410611", recognised_on=D(2019, 2, 1))
        assert _values("qualified_net_new", {"kind": "hitech"}, ["410105", "410100"]) == [Decimal(1), Decimal(1)]
        assert _values("qualified_total", {"kind": "hitech"}, ["410105"]) == [Decimal(3)]
        assert _values("qualified_recognised", {"kind": "hitech"}, ["410105"]) == [Decimal(2)]
        drill = computation_get("qualified_net_new").records(params={"kind": "hitech"}, unit=f.region("410105"),
                                                              start=JAN1, end=DEC31)
        assert drill.total == 3  # two gained, one lost
        assert sorted(str(r[-1]) for r in drill.rows) == ["新增有效", "新增有效", "期末已失效（扣减）"]

    def test_renewal_of_the_same_organization_is_not_new(self, db):
        org = core_factories.organization(region_obj=f.region("410102"))
        f.qualification(region_code="410102", organization=org, recognised_on=D(2016, 1, 1),
                        valid_until=D(2019, 6, 30))
        f.qualification(region_code="410102", organization=org, recognised_on=D(2019, 7, 1),
                        valid_until=D(2022, 6, 30))
        assert _values("qualified_net_new", {"kind": "hitech"}, ["410102"]) == [Decimal(0)]

    def test_min_level(self, db):
        f.qualification(region_code="410105", kind="transfer_demo", level="provincial", recognised_on=D(2019, 3, 1))
        f.qualification(region_code="410105", kind="transfer_demo", level="municipal", recognised_on=D(2019, 3, 1))
        assert _values("qualified_total", {"kind": "transfer_demo", "min_level": "provincial"}, ["410105"]) == \
            [Decimal(1)]
        assert _values("qualified_total", {"kind": "transfer_demo", "min_level": "municipal"}, ["410105"]) == \
            [Decimal(2)]


class TestPlatforms:
    def test_recognised_in_period_by_level_and_kind(self, db):
        f.platform(region_code="410172", level="national", recognised_on=D(2019, 4, 1))
        f.platform(region_code="410172", level="provincial", recognised_on=D(2019, 9, 1))
        f.platform(region_code="410172", level="municipal", recognised_on=D(2019, 9, 1))
        f.platform(region_code="410172", level="provincial", recognised_on=D(2018, 9, 1))
        f.platform(region_code="410172", kind="academician_station", level="municipal", recognised_on=D(2019, 2, 1))
        assert _values("platforms_recognised", {"kinds": [], "min_level": "provincial"}, ["410172"]) == [Decimal(2)]
        assert _values("platforms_recognised", {"kinds": ["academician_station"]}, ["410172"]) == [Decimal(1)]
        assert _values("platforms_total", {"kinds": [], "min_level": "provincial"}, ["410172"]) == [Decimal(3)]


class TestParams:
    def test_unknown_and_invalid_params_are_refused(self):
        with pytest.raises(ApplicationError) as exc:
            COMPUTATIONS["contract_amount"].clean_params({"amount": "total", "side": "seller", "sql": "1"})
        assert exc.value.errors[0].code == "unknown_param"
        with pytest.raises(ApplicationError) as exc:
            COMPUTATIONS["qualified_total"].clean_params({"kind": "unicorn"})
        assert exc.value.errors[0].field == "params.kind"
        with pytest.raises(ApplicationError):
            computation_get("raw_sql")
