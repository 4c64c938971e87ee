from techmarket.achievements.tests.conftest import (  # noqa: F401  (shared fixtures)
    anonymous,
    bureau,
    colleague,
    enterprise,
    enterprise_org,
    officer_in,
    officer_out,
    owner_org,
    regions,
)
from techmarket.core.tests import factories
from techmarket.accounts.roles import Role

import pytest


@pytest.fixture
def demand_org(regions):
    return factories.organization("金水装备有限公司", region_obj=regions["jinshui"])


@pytest.fixture
def owner(demand_org):
    """An enterprise user in 金水区 owns the demands in these tests."""
    return factories.user("ent-owner", organization_obj=demand_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def institution(owner_org):
    return factories.user("inst-1", organization_obj=owner_org, roles=[Role.INSTITUTION])


@pytest.fixture
def roles(owner, enterprise, officer_in, officer_out, bureau, anonymous):
    return {"owner": owner, "other_enterprise": enterprise, "officer_in": officer_in, "officer_out": officer_out,
            "bureau": bureau, "anonymous": anonymous}
