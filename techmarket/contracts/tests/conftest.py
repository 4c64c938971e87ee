from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories

from . import factories as f


@pytest.fixture
def regions(db):
    zz = factories.zhengzhou()
    zz["erqi"] = factories.region("410103", "二七区", zz["city"])
    return zz


def _org(name: str, *, region, kind: str, nature: str):
    org = factories.organization(name, region_obj=region, kind=kind)
    org.party_nature = f.term("party_nature", nature)
    org.save(update_fields=["party_nature"])
    return org


@pytest.fixture
def seller_org(regions):
    return _org("郑州材料研究院", region=regions["jinshui"], kind="institute", nature="21")  # 科研机构


@pytest.fixture
def seller(seller_org):
    return factories.user("inst-1", organization_obj=seller_org, roles=[Role.INSTITUTION])


@pytest.fixture
def buyer_org(regions):
    return _org("中原制造有限公司", region=regions["zhongyuan"], kind="enterprise", nature="45")  # 有限责任公司


@pytest.fixture
def buyer(buyer_org):
    return factories.user("ent-1", organization_obj=buyer_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def stranger(regions):
    org = factories.organization("二七科技有限公司", region_obj=regions["erqi"])
    return factories.user("ent-2", organization_obj=org, roles=[Role.ENTERPRISE])


@pytest.fixture
def officer_seller(regions):
    return factories.district_officer("officer-410105", region_obj=regions["jinshui"])


@pytest.fixture
def officer_buyer(regions):
    return factories.district_officer("officer-410102", region_obj=regions["zhongyuan"])


@pytest.fixture
def officer_out(regions):
    return factories.district_officer("officer-410103", region_obj=regions["erqi"])


@pytest.fixture
def bureau(regions):
    return factories.bureau_admin("bureau-4101", region_obj=regions["city"])


@pytest.fixture
def bureau_hebi(regions):
    return factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def roles(seller, buyer, stranger, officer_seller, officer_buyer, officer_out, bureau, bureau_hebi, anonymous):
    return {"seller": seller, "buyer": buyer, "stranger": stranger, "officer_seller": officer_seller,
            "officer_buyer": officer_buyer, "officer_out": officer_out, "bureau": bureau,
            "bureau_hebi": bureau_hebi, "anonymous": anonymous}


@pytest.fixture
def achievement(seller, bureau):
    return f.published_achievement(owner=seller, reviewer=bureau)


@pytest.fixture
def deal(achievement, buyer_org):
    return f.closed_deal(achievement=achievement, buyer=buyer_org)


@pytest.fixture
def contract(seller):
    return f.entered_contract(seller_user=seller)
