from __future__ import annotations

import pytest

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories

from . import factories as auction_factories


@pytest.fixture
def regions(db):
    return factories.zhengzhou()


@pytest.fixture
def seller_org(regions):
    return factories.organization("郑州新材料研究院", region_obj=regions["jinshui"], kind="institute")


@pytest.fixture
def seller(seller_org):
    return factories.user("inst-seller", organization_obj=seller_org, roles=[Role.INSTITUTION])


@pytest.fixture
def bureau(regions):
    return factories.bureau_admin("bureau-4101", region_obj=regions["city"])


@pytest.fixture
def officer(regions):
    return factories.district_officer("officer-410105", region_obj=regions["jinshui"])


@pytest.fixture
def other_bureau(regions):
    return factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])


@pytest.fixture
def buyers(regions):
    """Three enterprises, each with one user: (org, user)."""
    return [auction_factories.enterprise(regions, f"竞买企业{c}有限公司") for c in "甲乙丙"]


@pytest.fixture
def auction(seller, bureau, buyers):
    """An auction with three bidders A01–A03 (in interest order), all deposits confirmed; starts in the future."""
    return auction_factories.auction_for(seller=seller, bureau=bureau, buyers=[u for _o, u in buyers])
