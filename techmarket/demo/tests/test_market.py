"""The demo's 成果库 and 需求库 (issue 3 item 8), on a small slice of the CSL records."""
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.core.workflows import status_history
from techmarket.demands.models import Demand
from techmarket.demo.loader import DemoLoader
from techmarket.demo.market import CSL_FILE, load_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def loader(settings):
    settings.TECHMARKET_DEMO = True
    demo = DemoLoader(bulk=False)
    demo.load_accounts()
    return demo


class TestDemoMarketData:
    def test_the_csl_file_holds_the_1000_records_with_four_fields(self):
        rows = [json.loads(line) for line in CSL_FILE.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == 1000
        assert all(set(row) == {"title", "abstract", "keywords", "discipline"} for row in rows)
        source = (CSL_FILE.parent / "SOURCE.md").read_text(encoding="utf-8")
        assert "csl_achievements.jsonl" in source and "Apache" in source and "ydli-ai/CSL" in source


class TestLoadMarket:
    def test_a_slice_goes_through_the_workflow_of_the_city_bureau(self, loader):
        # when
        load_market(loader, limit=20)
        # then every record belongs to a seed city's university or institute
        achievements = list(Achievement.objects.select_related("owner_organization", "discipline"))
        assert len(achievements) == 20
        assert {a.owner_organization.kind for a in achievements} <= {"university", "institute"}
        assert all(3 <= a.trl <= 8 and a.transfer_modes for a in achievements)
        assert any(a.discipline is not None and a.discipline.scheme.code == "gbt13745" for a in achievements)
        published = [a for a in achievements if a.status == "published"]
        assert published and {a.status for a in achievements} <= {"published", "submitted", "returned", "draft",
                                                                     "rejected"}
        # and published ones were approved by their city's bureau administrator, dated in the past year
        for record in published:
            approve = [row for row in status_history(record) if row.action == "approve"]
            assert len(approve) == 1 and approve[0].actor.username.startswith("bureau-41")
            assert record.published_at <= timezone.now() < record.expires_at
        assert any(row.reason_code for a in achievements if a.status == "returned"
                   for row in status_history(a)) or not any(a.status == "returned" for a in achievements)
        # and a few demands of the demo enterprises
        demands = list(Demand.objects.select_related("owner_organization"))
        assert demands and {d.owner_organization.kind for d in demands} == {"enterprise"}
        assert all(d.budget_min_fen and d.budget_max_fen >= d.budget_min_fen for d in demands)

    def test_is_idempotent(self, loader):
        load_market(loader, limit=12, demands=4)
        counts = (Achievement.objects.count(), Demand.objects.count())
        load_market(loader, limit=12, demands=4)
        assert (Achievement.objects.count(), Demand.objects.count()) == counts == (12, 4)

    def test_the_command_without_bulk_skips_the_market(self, settings):
        settings.TECHMARKET_DEMO = True
        call_command("demo", "--no-bulk")
        assert not Achievement.objects.exists() and not Demand.objects.exists()
