from __future__ import annotations

import pytest

# The market's people and places, as the achievements tests define them.
from techmarket.achievements.tests.conftest import (  # noqa: F401
    anonymous,
    bureau,
    enterprise,
    enterprise_org,
    officer_in,
    officer_out,
    owner,
    owner_org,
    regions,
)


@pytest.fixture(params=["embedded", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request, settings):
    """Runs a test on each engine (the PostgreSQL one only where the database is PostgreSQL)."""
    settings.TECHMARKET_SEARCH_ENGINE = request.param
    return request.param


@pytest.fixture
def reindex():
    """Rebuild the index from the database (what the worker does record by record)."""
    from techmarket.matching.services import search_reindex

    return search_reindex
