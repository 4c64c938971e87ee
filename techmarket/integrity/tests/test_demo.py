from __future__ import annotations

import pytest
from django.utils import timezone

from techmarket.accounts.roles import Role
from techmarket.core.tests import factories
from techmarket.integrity.demo import integrity_demo_load
from techmarket.integrity.models import IntegrityRecord
from techmarket.integrity.selectors import integrity_block_reason

pytestmark = pytest.mark.django_db


def test_demo_blocks_ent_4106_3_and_is_idempotent(regions):
    # given: the 鹤壁 bureau and the enterprise account the demo names
    factories.bureau_admin("bureau-4106", region_obj=regions["hebi"])
    org = factories.organization("鹤壁博远电子有限公司", region_obj=regions["hebi"])
    factories.user("ent-4106-3", organization_obj=org, roles=[Role.ENTERPRISE])
    # when
    first = integrity_demo_load(None)
    second = integrity_demo_load(None)
    # then
    assert "新建 1 条" in first and "新建 0 条" in second
    reason = integrity_block_reason(organization=org, on=timezone.localdate())
    assert reason is not None and reason.startswith("存在生效的科研诚信记录：虚假申报")
    assert IntegrityRecord.objects.get().is_published
