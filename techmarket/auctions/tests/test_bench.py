"""The benchmark's guard (core.bench, shared with bench_import): it never runs on a database it did not create."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from techmarket.core.bench import refuse_unless_scratch


def test_the_measuring_process_refuses_the_configured_database(db, tmp_path):
    # given the configured (test) database and a directory that is not a benchmark's scratch directory
    with pytest.raises(CommandError):
        refuse_unless_scratch(tmp_path)
    # and even a directory named like one, when the database file is not inside it
    scratch = tmp_path / "techmarket-bench-x"
    scratch.mkdir()
    with pytest.raises(CommandError):
        refuse_unless_scratch(Path(scratch))


def test_bench_auction_inner_refuses_to_run_here(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("bench_auction", "--bidders", "2", "--bids", "1", "--auctions", "1", "--workers", "1",
                     "--inner", str(tmp_path))
