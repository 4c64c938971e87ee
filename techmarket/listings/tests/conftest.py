"""Fixtures of the trade tests (listings and deals): the achievements app's cast plus a buyer and a
third enterprise; the seller is a state-established research institute (party nature 21), so its
agreed prices go to public notice."""
from __future__ import annotations

import pytest

from techmarket.accounts.roles import Role
from techmarket.achievements.tests.conftest import (  # noqa: F401  (fixtures)
    anonymous,
    bureau,
    colleague,
    enterprise,
    enterprise_org,
    officer_in,
    officer_out,
    owner,
    regions,
)
from techmarket.core.tests import factories
from techmarket.taxonomies.models import Term

ROLES = ("owner", "buyer", "other_enterprise", "officer_in", "officer_out", "bureau", "anonymous")


@pytest.fixture
def owner_org(regions):
    org = factories.organization("郑州材料研究院", region_obj=regions["jinshui"], kind="institute")
    org.party_nature = Term.objects.get(scheme__code="party_nature", code="21")
    org.save(update_fields=["party_nature"])
    return org


@pytest.fixture
def buyer_org(enterprise_org):
    return enterprise_org


@pytest.fixture
def buyer(enterprise):
    return enterprise


@pytest.fixture
def other_org(regions):
    return factories.organization("金水智造科技有限公司", region_obj=regions["jinshui"])


@pytest.fixture
def other_enterprise(other_org):
    return factories.user("ent-2", organization_obj=other_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def roles(owner, buyer, other_enterprise, officer_in, officer_out, bureau, anonymous):
    return {"owner": owner, "buyer": buyer, "other_enterprise": other_enterprise, "officer_in": officer_in,
            "officer_out": officer_out, "bureau": bureau, "anonymous": anonymous}
