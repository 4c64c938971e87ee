from __future__ import annotations

import pytest
from django.utils import timezone

from techmarket.core.tests import factories as core_factories

from ..demo import targets_demo_load
from ..models import ReportedValue, Target
from ..progress import city_progress
from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_loads_seed_configurations_and_shows_every_status(city):
    # given the demo's bureau account and two officers
    core_factories.bureau_admin("bureau-4101", region_obj=city)
    core_factories.district_officer("officer-410172", region_obj=f.region("410172"))
    # when
    summary = targets_demo_load()
    again = targets_demo_load()
    # then
    assert summary.startswith("目标任务：") and "128" in summary
    assert "县区填报并审核 0 条" in again
    year = timezone.localdate().year
    assert Target.objects.filter(indicator__city__code="410100", year=year, is_demo=True).count() == 12 + 128
    assert not Target.objects.filter(year=2019, is_demo=True).exists()
    assert ReportedValue.objects.filter(status="approved").exists()
    statuses = {r.status for r in city_progress(city=city, year=2019).rows}
    assert {"ahead", "on_track", "behind", "no_data"} <= statuses
