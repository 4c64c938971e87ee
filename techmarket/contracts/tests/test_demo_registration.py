"""The demo's registration records: points and certificates of the five seed cities, 郑州 issuing numbers,
the demo trades' drafts submitted (one overdue) and some registered; a second load changes nothing."""
import pytest

from techmarket.contracts.demo_registration import registration_demo_load
from techmarket.contracts.models import RegistrarCertificate, RegistrationPoint, RegistrationSetting, TechContract
from techmarket.contracts.permissions import registrar_refusal
from techmarket.demo.loader import DemoLoader
from techmarket.demo.market import load_market
from techmarket.demo.trading import load_trading

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        previous, settings.TECHMARKET_DEMO = settings.TECHMARKET_DEMO, True
        try:
            loader = DemoLoader(bulk=False)
            loader.load_accounts()
            load_market(loader, limit=150, demands=2)
            load_trading(loader)
            first = registration_demo_load(loader)
            snapshot = sorted(TechContract.objects.values_list("pk", "status", "registration_number"))
            second = registration_demo_load(loader)
            yield {"first": first, "second": second, "snapshot": snapshot}
        finally:
            settings.TECHMARKET_DEMO = previous
            transaction.set_rollback(True)


def test_points_certificates_and_settings(demo):
    assert RegistrationPoint.objects.filter(code="01").count() == 5
    for code in ("1301", "4101", "4106", "4116", "5119"):
        certificate = RegistrarCertificate.objects.get(user__username=f"registrar-{code}")
        assert certificate.point.city.code == f"{code}00" and str(certificate.valid_to) == "2030-12-31"
    assert list(RegistrationSetting.objects.filter(issues_numbers=True).values_list("city__code", flat=True)) == [
        "410100"]


def test_drafts_are_submitted_and_some_registered(demo):
    assert "技术合同登记" in demo["first"]
    pending = TechContract.objects.filter(status__in=["submitted", "pre_examined"])
    assert pending.exists()
    from django.utils import timezone

    today = timezone.localdate()
    assert any(c.days_overdue(today) > 0 for c in pending)
    registered = TechContract.objects.filter(status="registered")
    assert registered.exists()
    for contract in registered:
        assert len(contract.registration_number) == 16 and contract.registration_number[4:10] == \
            contract.registration_point.city.code[:4] + "01"
        assert contract.tech_amount_fen < contract.total_amount_fen  # costs were deducted at pre-examination
    for contract in pending:
        registrar = contract.registration_point.certificates.get().user
        assert registrar_refusal(registrar, contract) is None


def test_a_second_load_changes_nothing(demo):
    assert sorted(TechContract.objects.values_list("pk", "status", "registration_number")) == demo["snapshot"]
    assert "无新的合同草稿" in demo["second"]
