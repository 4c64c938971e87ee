from __future__ import annotations

import pytest

from techmarket.core.tests import factories as core

from . import factories as f


@pytest.fixture
def hebi(db):
    return f.region("410600")


@pytest.fixture
def zhoukou(db):
    return f.region("411600")


@pytest.fixture
def bureau_hebi(hebi):
    return core.bureau_admin("bureau-4106", region_obj=hebi)


@pytest.fixture
def bureau_hebi_2(hebi):
    return core.bureau_admin("bureau-4106-2", region_obj=hebi)


@pytest.fixture
def bureau_zhoukou(zhoukou):
    return core.bureau_admin("bureau-4116", region_obj=zhoukou)


@pytest.fixture
def officer_qibin(hebi):
    return core.district_officer("officer-410611", region_obj=f.region("410611"))


@pytest.fixture
def officer_qixian(hebi):
    return core.district_officer("officer-410622", region_obj=f.region("410622"))


@pytest.fixture
def hebi_policies(hebi):
    return f.policies("4106")


@pytest.fixture
def zhoukou_policies(zhoukou):
    return f.policies("4116")
