from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories

from . import factories as f


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def agency_org(regions):
    return factories.organization("郑州技术市场服务中心", region_obj=regions["jinshui"], kind="agency")


@pytest.fixture
def agency(agency_org):
    return factories.user("agency-1", organization_obj=agency_org, roles=[Role.BROKER])


@pytest.fixture
def other_agency(regions):
    org = factories.organization("中原技术转移中心", region_obj=regions["zhongyuan"], kind="agency")
    return factories.user("agency-2", organization_obj=org, roles=[Role.BROKER])


@pytest.fixture
def enterprise(regions):
    org = factories.organization("郑州华创新材料有限公司", region_obj=regions["jinshui"])
    return factories.user("ent-1", organization_obj=org, roles=[Role.ENTERPRISE], name="李华")


@pytest.fixture
def enterprise2(regions):
    org = factories.organization("中原宇航制造有限公司", region_obj=regions["zhongyuan"])
    return factories.user("ent-2", organization_obj=org, roles=[Role.ENTERPRISE], name="王强")


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


@pytest.fixture
def roles(agency, other_agency, enterprise, officer_in, officer_out, bureau, anonymous):
    return {"agency": agency, "other_agency": other_agency, "enterprise": enterprise, "officer_in": officer_in,
            "officer_out": officer_out, "bureau": bureau, "anonymous": anonymous}


@pytest.fixture
def published(officer_in):
    """A published event the district office of 金水区 organises (capacity 100)."""
    return f.event_in_state("published", organizer=officer_in, publisher=officer_in)
