from __future__ import annotations

import sys
import types

import pytest

from techmarket.core.tests import factories


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def owner_org(regions):
    """The record in these tests: an Organization, whose owners are its users."""
    return factories.organization("郑州高新材料有限公司", region_obj=regions["jinshui"])


@pytest.fixture
def owner(owner_org):
    return factories.user("owner", organization_obj=owner_org, name="所有者")


@pytest.fixture
def requester_org(regions):
    return factories.organization("金水制造有限公司", region_obj=regions["zhongyuan"])


@pytest.fixture
def requester(requester_org):
    return factories.user("requester", organization_obj=requester_org, name="申请人")


@pytest.fixture
def colleague(requester_org):
    return factories.user("colleague", organization_obj=requester_org, name="同事")


@pytest.fixture
def stranger(regions):
    org = factories.organization("其他单位", region_obj=regions["hebi"])
    return factories.user("stranger", organization_obj=org, name="无关人员")


@pytest.fixture
def notices(monkeypatch):
    """Stand-in for notifications.services.notify that records each call."""
    calls: list[dict] = []
    module = types.ModuleType("techmarket.notifications.services")
    module.notify = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "techmarket.notifications.services", module)
    return calls
