import pytest

from techmarket.accounts.roles import Role

from . import factories as f


@pytest.fixture
def zhengzhou(db):
    return f.city("4101", bureau_name="郑州市科学技术局")


@pytest.fixture
def hebi(db):
    return f.city("4106", bureau_name="鹤壁市科学技术局")


@pytest.fixture
def zz_admin(db):
    return f.user("bureau-zz", roles=[Role.BUREAU_ADMIN], region_code="410100", name="郑州管理员")


@pytest.fixture
def hb_admin(db):
    return f.user("bureau-hb", roles=[Role.BUREAU_ADMIN], region_code="410600", name="鹤壁管理员")


@pytest.fixture
def zz_officer(db):
    return f.user("officer-410105", roles=[Role.DISTRICT_OFFICER], region_code="410105", name="金水区科技局")


@pytest.fixture
def enterprise_user(db):
    return f.user("ent-1", roles=[Role.ENTERPRISE], organization=f.organization(region_code="410105"))
