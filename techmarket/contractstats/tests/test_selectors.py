"""Statistics against the hand-computed case of conftest.case (amounts in yuan there, fen here)."""
from __future__ import annotations

import pytest

from techmarket.contractstats.selectors import contract_stats, contract_stats_headline, yoy_pct

Y = 100  # fen per yuan


def nonzero(rows):
    return {k: v for k, v in table(rows).items() if v[:3] != (0, 0, 0) or v[3] is not None}


def table(rows):
    return {r["key"]: (r["count"], r["contract_amount_fen"] // Y, r["tech_amount_fen"] // Y, r["yoy_pct"]) for r in rows}


class TestYoy:
    def test_growth_has_one_decimal_rounded_half_up(self):
        assert yoy_pct(150000, 80000) == "87.5"
        assert yoy_pct(2, 3) == "-33.3"
        assert yoy_pct(1001, 1000) == "0.1"
        assert yoy_pct(10005, 10000) == "0.1"  # 0.05 rounds up

    def test_no_previous_value_gives_none(self):
        assert yoy_pct(100, 0) is None


@pytest.mark.django_db
class TestContractStatsByMonth:
    def test_output_of_the_city_by_month(self, case, regions):
        # when
        rows = contract_stats(year=2025, region=regions["city"], group_by="month", side="output")
        # then
        assert [r["key"] for r in rows] == [f"2025-{m:02d}" for m in range(1, 13)]
        got = table(rows)
        assert got["2025-03"] == (2, 150000, 130000, "87.5")   # c1 + c2 vs c4
        assert got["2025-11"] == (0, 0, 0, "-100.0")            # c5 (the city itself) last year
        assert got["2025-05"] == (0, 0, 0, None)                # c6 deregistered
        assert got["2025-07"] == (0, 0, 0, None)                # c3's seller is in 北京
        assert rows[2]["label"] == "3月"

    def test_through_month_limits_both_years(self, case, regions):
        rows = contract_stats(year=2025, region=regions["city"], group_by="month", side="output", through_month=6)
        assert len(rows) == 6


@pytest.mark.django_db
class TestContractStatsByRegion:
    def test_children_rolled_up_and_the_city_itself(self, case, regions):
        rows = contract_stats(year=2025, region=regions["city"], group_by="region", side="output")
        assert table(rows)["410103"] == (0, 0, 0, None)  # every district is listed, with or without contracts
        assert nonzero(rows) == {
            "410102": (1, 50000, 50000, None),
            "410105": (1, 100000, 80000, "25.0"),
            "410100": (0, 0, 0, "-100.0"),  # c5 was registered with the city as the seller's region
        }
        assert rows[-1]["label"] == "郑州市本级（未细分到下级）"

    def test_province_rolls_up_its_cities_subtrees(self, case, regions):
        rows = contract_stats(year=2024, region=regions["province"], group_by="region", side="absorbed")
        assert nonzero(rows) == {"410600": (1, 80000, 60000, None)}

    def test_all_regions_lists_provinces_and_unknown(self, case):
        rows = contract_stats(year=2024, region=None, group_by="region", side="absorbed")
        assert table(rows) == {"410000": (1, 80000, 60000, None), "unknown": (1, 40000, 40000, None)}
        assert rows[-1]["label"] == "地区不详或境外"

    def test_all_regions_output_2025(self, case):
        rows = contract_stats(year=2025, region=None, group_by="region", side="output")
        assert table(rows) == {"110000": (1, 200000, 150000, None), "410000": (2, 150000, 130000, "25.0")}


@pytest.mark.django_db
class TestContractStatsByTerm:
    def test_category_rolls_up_to_the_five_categories(self, case, regions):
        rows = contract_stats(year=2025, region=regions["city"], group_by="category", side="output")
        assert table(rows) == {"1": (1, 100000, 80000, "25.0"), "4": (0, 0, 0, "-100.0"), "5": (1, 50000, 50000, None)}
        assert [r["label"] for r in rows] == ["技术开发", "技术咨询", "技术服务"]

    def test_field_with_unknown(self, case, regions):
        rows = contract_stats(year=2024, region=regions["city"], group_by="field", side="output")
        assert table(rows) == {"01": (1, 80000, 60000, None), "unknown": (1, 40000, 40000, None)}
        assert rows[-1]["label"] == "未填写"

    def test_seller_nature_keeps_institutes_and_groups_enterprises(self, case, regions):
        rows = contract_stats(year=2025, region=regions["city"], group_by="seller_nature", side="output")
        assert table(rows) == {"21": (1, 100000, 80000, "25.0"), "40": (1, 50000, 50000, "25.0")}

    def test_buyer_nature_absorbed(self, case, regions):
        rows = contract_stats(year=2025, region=regions["city"], group_by="buyer_nature", side="absorbed")
        assert table(rows) == {"40": (2, 300000, 230000, None)}

    def test_ip_type(self, case, regions):
        rows = contract_stats(year=2025, region=None, group_by="ip_type", side="output")
        assert table(rows) == {"01": (2, 300000, 230000, None), "00": (1, 50000, 50000, None),
                               "02": (0, 0, 0, "-100.0"), "unknown": (0, 0, 0, "-100.0")}

    def test_plan_category(self, case, regions):
        rows = contract_stats(year=2025, region=regions["jinshui"], group_by="plan_category", side="absorbed")
        assert table(rows) == {"unknown": (1, 200000, 150000, None)}


@pytest.mark.django_db
class TestHeadline:
    def test_output_and_absorbed_counted_separately(self, case, regions):
        got = contract_stats_headline(year=2025, region=regions["city"])
        assert table(got.values()) == {"output": (2, 150000, 130000, "25.0"), "absorbed": (2, 300000, 230000, None)}

    def test_district(self, case, regions):
        got = contract_stats_headline(year=2025, region=regions["jinshui"])
        assert table(got.values()) == {"output": (1, 100000, 80000, "25.0"), "absorbed": (1, 200000, 150000, None)}
