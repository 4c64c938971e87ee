"""A small run of the statistics benchmark (its own scratch SQLite database, in a subprocess)."""
from __future__ import annotations

import json

from django.core.management import call_command

from techmarket.contractstats.management.commands.bench_stats import FIGURES


class TestBenchStats:
    def test_small_run_prints_the_figures_and_agrees_with_duckdb(self, capfd):
        # when (a mismatch with DuckDB makes the command fail with CommandError)
        call_command("bench_stats", "--contracts", "2000", "--json")
        # then
        result = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
        assert result["database"] == "sqlite" and result["contracts"] == 2000
        assert result["equal_to_duckdb"] is True
        assert [(f["name"], f["scope"]) for f in result["figures"]] == \
            [(name, scope) for scope in ("410100", "all") for name in FIGURES]
        for figure in result["figures"]:
            assert set(figure) == {"name", "scope", "ours_ms", "ours_cold_ms", "duckdb_ms", "ratio"}
            assert figure["ours_ms"] > 0 and figure["duckdb_ms"] > 0
