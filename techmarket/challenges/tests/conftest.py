"""The cast of the 揭榜挂帅 tests, shared by every test module of the app.

郑州 (410100) with 金水区 and 中原区; 鹤壁 (410600) as "another city". The demands tests' people are reused:
the setting enterprise is the demands' owner (金水装备有限公司, user ``ent-owner``), the applying institute is
郑州材料研究院 (user ``inst-1``), the other enterprise is 中原制造 (user ``ent-1``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories
from techmarket.demands.tests.conftest import (  # noqa: F401  (shared fixtures)
    anonymous,
    bureau,
    demand_org,
    enterprise,
    enterprise_org,
    institution,
    officer_in,
    officer_out,
    owner,
    owner_org,
    regions,
)
from techmarket.matching.tests.conftest import reindex  # noqa: F401  (rebuild the search index)

from . import factories as f


@pytest.fixture
def setter_org(demand_org):
    """The challenge-setting enterprise (发榜企业), in 金水区."""
    return demand_org


@pytest.fixture
def setter(owner):
    return owner


@pytest.fixture
def setter_colleague(setter_org):
    return factories.user("ent-owner-2", organization_obj=setter_org, roles=[Role.ENTERPRISE])


@pytest.fixture
def institution_org(owner_org):
    """The applying institute (科研院所), in 金水区."""
    return owner_org


@pytest.fixture
def university_org(regions):
    """A second applicant unit (a consortium member), in 中原区."""
    return factories.organization("郑州理工大学", region_obj=regions["zhongyuan"], kind="university")


@pytest.fixture
def university(university_org):
    return factories.user("univ-1", organization_obj=university_org, roles=[Role.INSTITUTION])


@pytest.fixture
def researcher(institution_org):
    """A researcher of the institute (the talent registry): the team leader of its applications."""
    return f.person("张研究员", organization=institution_org)


@pytest.fixture
def university_researcher(university_org):
    return f.person("刘教授", organization=university_org)


@pytest.fixture
def expert_user(regions):
    return factories.user("expert-1", roles=[Role.EXPERT], name="赵专家")


@pytest.fixture
def expert(expert_user, regions):
    """An expert of the talent registry with an account, working for no party of the tests."""
    other = factories.organization("河南省科学院", region_obj=regions["city"], kind="institute")
    return f.person("赵专家", organization=other, kind="expert", user=expert_user, region=regions["city"],
                    expertise="数控机床 热变形补偿 精密加工", fields=("10",))


@pytest.fixture
def bureau_other(regions):
    """The bureau administrator of another city (鹤壁)."""
    return factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])


@pytest.fixture
def published_demand(setter, bureau):
    return f.published_demand(setter=setter, bureau=bureau)


@dataclass
class Cast:
    setter: object
    officer: object
    bureau: object
    applicant: object
    partner: object
    researcher: object
    partner_researcher: object
    expert: object
    expert_user: object


@pytest.fixture
def cast(setter, officer_in, bureau, institution, university, researcher, university_researcher, expert,
         expert_user) -> Cast:
    return Cast(setter=setter, officer=officer_in, bureau=bureau, applicant=institution, partner=university,
                researcher=researcher, partner_researcher=university_researcher, expert=expert,
                expert_user=expert_user)


@pytest.fixture
def make_challenge(cast):
    """``make_challenge("published", title=...)``: a challenge in a state, driven by the cast."""
    def make(state: str = "draft", **overrides):
        return f.challenge_in_state(state, setter=cast.setter, officer=cast.officer, bureau=cast.bureau,
                                    applicant=cast.applicant, expert=cast.expert, **overrides)
    return make


@pytest.fixture
def roles(setter, enterprise, officer_in, officer_out, bureau, bureau_other, institution, expert_user, anonymous):
    """The roles of the workflow matrix (test_workflows.py)."""
    return {"setter": setter, "other_enterprise": enterprise, "officer_in": officer_in, "officer_out": officer_out,
            "bureau": bureau, "bureau_other": bureau_other, "institution": institution, "expert": expert_user,
            "anonymous": anonymous}
