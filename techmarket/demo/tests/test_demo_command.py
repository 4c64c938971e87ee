import pytest
from django.core.management import call_command

from techmarket.accounts.models import User
from techmarket.directory.models import Organization
from techmarket.portal.models import Article

pytestmark = pytest.mark.django_db


class TestDemoCommand:
    def test_outside_demo_mode_exits_2_and_writes_nothing(self, settings):
        # given
        settings.TECHMARKET_DEMO = False
        # when
        with pytest.raises(SystemExit) as exc:
            call_command("demo")
        # then
        assert exc.value.code == 2
        assert not User.objects.exists() and not Organization.objects.exists()

    def test_loads_the_spec_accounts_idempotently(self, settings, client):
        settings.TECHMARKET_DEMO = True
        # when run twice
        call_command("demo", "--no-bulk")
        counts = (User.objects.count(), Organization.objects.count(), Article.objects.count())
        call_command("demo", "--no-bulk")
        # then nothing is duplicated
        assert (User.objects.count(), Organization.objects.count(), Article.objects.count()) == counts
        expected = {"admin", "bureau-1301", "bureau-4101", "bureau-4106", "bureau-4116", "bureau-5119",
                    "officer-410105", "officer-410190", "registrar-4101", "ent-4101-1", "ent-4106-3",
                    "univ-4101-1", "inst-4106-1", "agency-4101-1", "broker-4106-1", "investor-4101-1",
                    "expert-4101-6", "expert-4106-1"}
        assert expected <= set(User.objects.values_list("username", flat=True))
        assert User.objects.filter(username__startswith="officer-").count() == 16
        # enterprises of a city sit in different districts
        assert User.objects.filter(username__startswith="ent-4101-").values("organization__region").distinct().count() == 3
        # each seed city's policy document is published
        assert Article.objects.filter(kind="policy", status="published").values("city").distinct().count() == 5
        # and the accounts work with the shared password
        assert client.login(username="officer-410105", password="techmarket-demo")

    def test_demo_accounts_cannot_log_in_outside_demo_mode(self, settings, client):
        settings.TECHMARKET_DEMO = True
        call_command("demo", "--no-bulk")
        settings.TECHMARKET_DEMO = False
        assert not client.login(username="bureau-4101", password="techmarket-demo")
