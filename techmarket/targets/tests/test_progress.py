"""Status at given dates (T3), including a level indicator; thresholds are data; ranks."""
from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time

import techmarket.urls  # noqa: F401  (import ninja before freezing time)

from ..models import ProgressRule, ReportedValue
from ..progress import city_progress, elapsed_pct, period_parse
from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def contract_target(city):
    ind = f.indicator()                       # 技术合同成交额, 亿元
    f.target(ind, "410100", 2019, "1")        # 1 亿元 = 100,000,000 yuan
    f.target(ind, "410105", 2019, "0.1")      # 10,000,000 yuan
    f.target(ind, "410102", 2019, "0.1")
    return ind


def _row(progress, code):
    return next(r for r in progress.rows if r.region.code == code)


class TestAdditiveStatus:
    @freeze_time("2019-07-02 10:00:00")   # day 183 of 365: 50.1 %
    def test_status_compares_completion_with_share_of_year_elapsed(self, contract_target, city):
        f.contract(seller="410105", amount_yuan=6_500_000, registered_on=D(2019, 3, 1))   # 65 %: ahead
        f.contract(seller="410102", amount_yuan=3_000_000, registered_on=D(2019, 3, 1))   # 30 %: behind
        progress = city_progress(city=city, year=2019)
        assert progress.elapsed_pct == Decimal("50.1")
        jinshui, zhongyuan = _row(progress, "410105"), _row(progress, "410102")
        assert (jinshui.completion_pct, jinshui.status, jinshui.rank) == (Decimal("65.0"), "ahead", 1)
        assert (zhongyuan.completion_pct, zhongyuan.status, zhongyuan.rank) == (Decimal("30.0"), "behind", 2)
        city_row = _row(progress, "410100")
        assert city_row.actual == Decimal("0.095") and city_row.status == "behind" and city_row.rank is None
        # a unit without a target has no status
        assert _row(progress, "410172").status == "no_data"
        api = jinshui.as_api()
        assert api == {"indicator": "contract_amount", "indicator_name": "技术合同成交额", "unit": "亿元",
                       "region": "410105", "region_name": "金水区", "target": "0.1", "actual": "0.065",
                       "completion_pct": 65.0, "elapsed_pct": 50.1, "status": "ahead", "rank": 1}

    @freeze_time("2019-07-02 10:00:00")
    def test_on_track_within_thresholds_and_thresholds_are_data(self, contract_target, city):
        f.contract(seller="410105", amount_yuan=5_500_000, registered_on=D(2019, 3, 1))   # 55 %
        assert _row(city_progress(city=city, year=2019), "410105").status == "on_track"
        ProgressRule.objects.create(city=city, ahead_points=Decimal("4"), behind_points=Decimal("4"))
        assert _row(city_progress(city=city, year=2019), "410105").status == "ahead"

    def test_past_year_is_judged_at_year_end(self, contract_target, city):
        f.contract(seller="410105", amount_yuan=9_500_000, registered_on=D(2019, 3, 1))   # 95 %
        with freeze_time("2021-03-01"):
            progress = city_progress(city=city, year=2019)
        assert progress.elapsed_pct == 100 and _row(progress, "410105").status == "on_track"

    def test_ties_share_a_rank(self, contract_target, city):
        f.contract(seller="410105", amount_yuan=5_000_000, registered_on=D(2019, 3, 1))
        f.contract(seller="410102", amount_yuan=5_000_000, registered_on=D(2019, 3, 1))
        with freeze_time("2019-12-31"):
            progress = city_progress(city=city, year=2019)
        assert _row(progress, "410105").rank == _row(progress, "410102").rank == 1


class TestLevelIndicator:
    @freeze_time("2019-03-01")
    def test_level_compares_latest_value_with_target_without_pro_rating(self, city, officer, bureau):
        # given R&D share of GDP, reported by districts: target 2 % for 金水区
        ind = f.indicator(code="rd_gdp_share", name="全社会研发投入占GDP的比重", unit="%", kind="level",
                          computation="", params={})
        f.target(ind, "410105", 2019, "2.0")
        f.target(ind, "410102", 2019, "2.5")
        # no approved value: no data
        assert _row(city_progress(city=city, year=2019), "410105").status == "no_data"
        # an approved 1.9 % early in the year is on track (95 %), though only 16 % of the year has passed
        ReportedValue.objects.create(indicator=ind, region=f.region("410105"), year=2019, as_of=D(2019, 2, 1),
                                     value=Decimal("1.9"), status="approved")
        ReportedValue.objects.create(indicator=ind, region=f.region("410105"), year=2019, as_of=D(2019, 2, 20),
                                     value=Decimal("1.5"), status="submitted")   # not reviewed: ignored
        ReportedValue.objects.create(indicator=ind, region=f.region("410102"), year=2019, as_of=D(2019, 2, 1),
                                     value=Decimal("1.5"), status="approved")    # 60 %: behind
        progress = city_progress(city=city, year=2019)
        jinshui = _row(progress, "410105")
        assert progress.elapsed_pct == Decimal("16.4")  # 60 of 365 days
        assert (jinshui.actual, jinshui.completion_pct, jinshui.status) == (Decimal("1.9"), Decimal("95.0"),
                                                                           "on_track")
        assert _row(progress, "410102").status == "behind"
        # the latest approved value wins
        ReportedValue.objects.create(indicator=ind, region=f.region("410105"), year=2019, as_of=D(2019, 2, 25),
                                     value=Decimal("2.3"), status="approved")
        assert _row(city_progress(city=city, year=2019), "410105").status == "ahead"


class TestPeriods:
    @pytest.mark.parametrize("code,start,end", [
        ("2019", D(2019, 1, 1), D(2019, 12, 31)), ("2019-Q3", D(2019, 7, 1), D(2019, 9, 30)),
        ("2019-09", D(2019, 9, 1), D(2019, 9, 30)), ("2020-02", D(2020, 2, 1), D(2020, 2, 29))])
    def test_parse(self, code, start, end):
        period = period_parse(code)
        assert (period.start, period.end) == (start, end)

    @pytest.mark.parametrize("code", ["2019-13", "2019-Q5", "19", "", "2019/09"])
    def test_invalid(self, code):
        from techmarket.core.errors import ApplicationError

        with pytest.raises(ApplicationError):
            period_parse(code)

    def test_elapsed(self):
        assert elapsed_pct(2019, D(2019, 12, 31)) == 100
        assert elapsed_pct(2019, D(2018, 12, 31)) == 0
        assert elapsed_pct(2020, D(2020, 1, 1)) == Decimal("0.3")
