from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.core.tests import factories


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def org(regions):
    return factories.organization("金水诚信测试科技有限公司", region_obj=regions["jinshui"])


@pytest.fixture
def other_org(regions):
    return factories.organization("中原守信科技有限公司", region_obj=regions["zhongyuan"])


@pytest.fixture
def bureau(regions):
    return factories.bureau_admin("bureau-4101", region_obj=regions["city"])


@pytest.fixture
def bureau_hebi(regions):
    return factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])


@pytest.fixture
def officer(regions):
    return factories.district_officer("officer-410105", region_obj=regions["jinshui"])


@pytest.fixture
def officer_other(regions):
    return factories.district_officer("officer-410102", region_obj=regions["zhongyuan"])


@pytest.fixture
def member(org):
    from techmarket.accounts.roles import Role

    return factories.user("ent-1", organization_obj=org, roles=[Role.ENTERPRISE])


@pytest.fixture
def anonymous():
    return AnonymousUser()
