from __future__ import annotations

import pytest

from techmarket.core.tests import factories

from ..seeds import ZHENGZHOU, city_config_load
from . import factories as f


@pytest.fixture
def city(db):
    return f.region("410100")


@pytest.fixture
def bureau(city):
    return factories.bureau_admin("bureau-4101", region_obj=city)


@pytest.fixture
def other_bureau(db):
    return factories.bureau_admin("bureau-4106", region_obj=f.region("410600"))


@pytest.fixture
def officer(db):
    return factories.district_officer("officer-410105", region_obj=f.region("410105"))


@pytest.fixture
def other_officer(db):
    return factories.district_officer("officer-410102", region_obj=f.region("410102"))


@pytest.fixture
def enterprise_user(db):
    org = factories.organization("郑州测试企业有限公司", region_obj=f.region("410105"))
    return factories.user("ent-1", organization_obj=org)


@pytest.fixture
def zhengzhou_indicators(city):
    """郑州's indicator set with the 11 main targets of 2019, no decomposition."""
    city_config_load(ZHENGZHOU)
    return city
