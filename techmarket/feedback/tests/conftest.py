from __future__ import annotations

import sys
import types

import pytest

from techmarket.core.tests import factories


@pytest.fixture(autouse=True)
def _no_real_notifications(monkeypatch):
    """Disclosure services (used here to produce reasons) notify after commit; keep that out of these tests."""
    module = types.ModuleType("techmarket.notifications.services")
    module.notify = lambda **kwargs: None
    monkeypatch.setitem(sys.modules, "techmarket.notifications.services", module)


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def org_a(regions):
    return factories.organization("甲单位", region_obj=regions["jinshui"])


@pytest.fixture
def org_b(regions):
    return factories.organization("乙单位", region_obj=regions["zhongyuan"])


@pytest.fixture
def org_hebi(regions):
    return factories.organization("鹤壁单位", region_obj=regions["hebi"])


@pytest.fixture
def user_a(org_a):
    return factories.user("user-a", organization_obj=org_a)


@pytest.fixture
def user_b(org_b):
    return factories.user("user-b", organization_obj=org_b)


@pytest.fixture
def owner_hebi(org_hebi):
    return factories.user("owner-hebi", organization_obj=org_hebi)
