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


CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/install-system-packages.sh)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser():
    """Headless Chromium through Playwright's sync API, for the tests marked ``browser``.

    Playwright keeps an asyncio loop running in this thread for as long as it is open. Django's connections are
    then kept in a context variable rather than the thread's own storage, so the test's ORM calls open
    connections of their own; they are closed here while the loop still runs. Left open, PostgreSQL refused to
    drop the test database at the end of the session ("is being accessed by other users")."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test's own ORM calls are still synchronous
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
