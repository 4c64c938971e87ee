from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def owner_org(regions):
    return factories.organization("郑州材料研究院", region_obj=regions["jinshui"], kind="institute")


@pytest.fixture
def owner(owner_org):
    return factories.user("inst-1", organization_obj=owner_org, roles=[Role.INSTITUTION])


@pytest.fixture
def enterprise_org(regions):
    return factories.organization("中原制造有限公司", region_obj=regions["zhongyuan"])


@pytest.fixture
def enterprise(enterprise_org):
    return factories.user("ent-1", organization_obj=enterprise_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def officer_in(regions):
    return factories.district_officer("officer-410105", region_obj=regions["jinshui"])


@pytest.fixture
def officer_out(regions):
    return factories.district_officer("officer-410102", region_obj=regions["zhongyuan"])


@pytest.fixture
def bureau(regions):
    return factories.bureau_admin("bureau-4101", region_obj=regions["city"])


@pytest.fixture
def anonymous():
    return AnonymousUser()


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
