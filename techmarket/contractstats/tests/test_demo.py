"""The demo's registered contracts: the mix the subsidy conditions need, idempotent, summary rebuilt."""
from __future__ import annotations

import pytest

from techmarket.contracts.demo import contracts_demo_load
from techmarket.contracts.models import ContractPayment, PaymentEvidence, TechContract
from techmarket.contractstats.services import stats_compute, stats_snapshot
from techmarket.demo.loader import DemoLoader


@pytest.fixture
def loader(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    loader = DemoLoader(bulk=True, market=False)
    loader.load_accounts()
    loader.load_bulk()
    return loader


@pytest.mark.django_db
class TestContractsDemoLoad:
    def test_loads_once_with_the_mix(self, loader):
        # when
        summary = contracts_demo_load(loader)
        again = contracts_demo_load(loader)
        # then
        contracts = TechContract.objects.filter(status="registered")
        assert 2500 <= contracts.count() <= 3010 and "已登记技术合同" in summary
        assert "跳过" in again and TechContract.objects.count() == contracts.count()
        assert contracts.filter(registered_on__year=2025).count() > 700
        assert contracts.filter(registration_number__isnull=True).exists()
        assert contracts.filter(registration_number_source="issued", seller_region__path__startswith="410000/410100/").exists()
        # 鹤壁 enterprises buying from universities of other provinces; 周口 buyers from outside 周口
        assert contracts.filter(buyer_region__path__startswith="410000/410600/",
                                seller_organization__kind="university").exclude(
            seller_region__path__startswith="410000/").exists()
        assert contracts.filter(buyer_region__path__startswith="410000/411600/").exclude(
            seller_region__path__startswith="410000/411600/").exists()
        assert contracts.filter(broker_agency__isnull=False).exists()
        # payments: most with both a voucher and an invoice, some with one only
        kinds = {}
        for record_id, kind in PaymentEvidence.objects.values_list("record_id", "kind"):
            kinds.setdefault(record_id, set()).add(kind)
        assert sum(1 for k in kinds.values() if len(k) == 2) > 0.7 * ContractPayment.objects.count()
        assert any(k == {"voucher"} for k in kinds.values()) and any(k == {"invoice"} for k in kinds.values())
        evidence = PaymentEvidence.objects.first()
        with evidence.file.open("rb") as handle:
            assert handle.read(5) in (b"%PDF-", b"\x89PNG\r")
        # the statistics summary was built
        assert stats_snapshot() == stats_compute()
