"""PostgreSQL: concurrent registrations upsert the same summary cells without losing an update; the
rebuild puts the unique cell constraint back."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from techmarket.contractstats.models import ContractStat
from techmarket.contractstats.services import stats_compute, stats_rebuild, stats_snapshot

from . import factories as f

THREADS = 6
PER_THREAD = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestConcurrentStatsApply:
    def test_parallel_registrations_all_counted(self, regions):
        # given: every thread registers contracts that hit the same cells (same regions, month, terms)
        errors: list[BaseException] = []
        barrier = threading.Barrier(THREADS)

        def work():
            try:
                barrier.wait()
                for _i in range(PER_THREAD):
                    f.registered(on="2025-06-01", seller=regions["jinshui"], buyer=regions["zhongyuan"],
                                 total=1000, tech=800)
            except BaseException as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                connection.close()

        # when
        threads = [threading.Thread(target=work) for _i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # then
        assert errors == []
        total = ContractStat.objects.get(region_code="", side="output", dimension="all", year=2025, month=6)
        assert (total.count, total.contract_amount_fen) == (THREADS * PER_THREAD, THREADS * PER_THREAD * 100000)
        assert stats_snapshot() == stats_compute()


@pytest.mark.postgres
@pytest.mark.django_db
class TestRebuildOnPostgres:
    def test_rebuild_keeps_the_unique_cell_constraint_and_registrations_upsert_after_it(self, regions, case):
        # when the summary is rebuilt (TRUNCATE, the unique constraint dropped and added back around the insert)
        written = stats_rebuild()
        # then the constraint is there as the migration made it, and the table equals the recomputation
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
                           ["contract_stat_unique_cell"])
            assert cursor.fetchall() == [("UNIQUE (region_code, side, dimension, year, month, key)",)]
        assert written == ContractStat.objects.count()
        assert stats_snapshot() == stats_compute()
        # and a registration after it still upserts into the existing cells
        f.registered(on="2025-03-11", seller=regions["jinshui"], buyer=regions["zhongyuan"], total=1, tech=1)
        assert ContractStat.objects.get(region_code="", side="output", dimension="all", year=2025, month=3).count == 3
        assert stats_snapshot() == stats_compute()
