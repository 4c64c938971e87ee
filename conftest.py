"""Suite-wide test set-up: PostgreSQL-only tests, deterministic Hypothesis, no network."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60)
hypothesis_settings.load_profile("ci")

os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", "0")


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests are deselected (not skipped) on SQLite.
    if _on_postgres():
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postgres") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


_postgres_ran = {"n": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and "postgres" in report.keywords:
        _postgres_ran["n"] += 1


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("TECHMARKET_REQUIRE_POSTGRES_TESTS") != "1":
        return
    if hasattr(session.config, "workerinput"):
        return  # xdist workers report to the controller
    if _postgres_ran["n"] == 0:
        print("\nFAIL: no PostgreSQL-marked test ran against PostgreSQL.")
        session.exitstatus = 1
    else:
        print(f"\nPostgreSQL-marked tests passed: {_postgres_ran['n']}")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _process_cache():
    # Choice lists and portal cities are cached per process; a rolled-back test must not leave its rows there.
    from techmarket.core import process_cache

    process_cache.clear()
    yield
    process_cache.clear()


@pytest.fixture(autouse=True)
def _search_dir(settings, tmp_path):
    # Each test gets its own embedded index directory (created only when a test searches).
    settings.TECHMARKET_SEARCH_DIR = str(tmp_path / "search")
