"""The incrementally kept summary equals the rebuild; stats_apply's contract."""
from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techmarket.contractstats.models import ContractStat
from techmarket.contractstats.services import stats_apply, stats_compute, stats_rebuild, stats_snapshot

from . import factories as f

REGION_KEYS = ["jinshui", "zhongyuan", "city", "hebi", "haidian", None]
op = st.one_of(
    st.tuples(st.just("register"), st.dates(datetime.date(2023, 12, 1), datetime.date(2025, 2, 28)),
              st.sampled_from(REGION_KEYS), st.sampled_from(REGION_KEYS), st.integers(0, 10**7),
              st.sampled_from(["11", "21", "51", None]), st.sampled_from(["21", "45", None]),
              st.sampled_from(["01", "00", None])),
    st.tuples(st.just("amend"), st.integers(0, 50), st.dates(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)),
              st.sampled_from(REGION_KEYS), st.integers(0, 10**7), st.sampled_from(["31", "41", None])),
    st.tuples(st.just("deregister"), st.integers(0, 50)),
)


@pytest.mark.django_db
class TestIncrementalEqualsRebuild:
    @settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(ops=st.lists(op, min_size=1, max_size=12))
    def test_random_register_amend_deregister(self, regions, ops):
        # given
        live = []
        region = lambda key: regions[key] if key else None  # noqa: E731
        # when
        for item in ops:
            if item[0] == "register":
                _k, day, seller, buyer, total, category, nature, ip = item
                live.append(f.registered(on=day.isoformat(), seller=region(seller), buyer=region(buyer), total=total,
                                         tech=total // 2, category=category, seller_nature=nature, ip_type=ip))
            elif item[0] == "amend" and live:
                _k, i, day, seller, total, category = item
                f.amend(live[i % len(live)], registered_on=day, seller_region=region(seller), total_amount_fen=total,
                        tech_amount_fen=total // 3, category=f.term("contract_category", category))
            elif item[0] == "deregister" and live:
                f.deregister(live.pop(item[1] % len(live)))
        # then
        assert stats_snapshot() == stats_compute()


@pytest.mark.django_db
class TestStatsApply:
    def test_sign_must_be_one(self, regions, case):
        with pytest.raises(ValueError):
            stats_apply(case["c1"], 2)

    def test_contract_without_registration_date_is_refused(self, regions, case):
        case["c1"].registered_on = None
        with pytest.raises(ValueError):
            stats_apply(case["c1"], 1)

    def test_cells_per_contract(self, regions):
        # given a contract whose seller is in a county (3 levels + all) and whose buyer is abroad (all only)
        f.registered(on="2025-01-02", seller=regions["jinshui"], buyer=None, total=10, tech=5)
        # then 7 dimensions × (4 + 1) region rows
        assert ContractStat.objects.count() == 35
        assert set(ContractStat.objects.filter(side="absorbed").values_list("region_code", flat=True)) == {""}

    def test_deregistration_leaves_zero_cells_that_the_rebuild_removes(self, regions, case):
        assert ContractStat.objects.filter(count=0).exists()  # c6
        written = stats_rebuild()
        assert written == ContractStat.objects.count()
        assert not ContractStat.objects.filter(count=0).exists()


@pytest.mark.django_db
class TestRebuildCommand:
    def test_dry_run_reports_and_writes_nothing(self, regions, case, capsys):
        ContractStat.objects.filter(region_code="410105").delete()
        call_command("contract_stats_rebuild")
        assert "差异" in capsys.readouterr().out
        assert not ContractStat.objects.filter(region_code="410105").exists()

    def test_commit_restores_the_summary(self, regions, case):
        expected = stats_snapshot()
        ContractStat.objects.filter(region_code="410105").delete()
        ContractStat.objects.filter(region_code="").update(count=999)
        call_command("contract_stats_rebuild", "--commit")
        assert stats_snapshot() == expected
