"""Behaviour that only a real server database shows (run in CI's PostgreSQL pass)."""
import threading

import pytest
from django.db import connection

from techmarket.core.errors import ApplicationError
from techmarket.directory import selectors, services
from techmarket.directory.models import Organization

from .factories import make_person, valid_credit_code

# serialized_rollback: the flush after a transactional test would otherwise drop the regions and
# taxonomies that data migrations load.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_concurrent_registrations_of_one_credit_code_leave_one_organization(make_user):
    # given two staff members registering the same organization at the same moment
    bureau = make_user("bureau-4101", "bureau_admin", region_code="410100")
    code = valid_credit_code("410105")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def register(name: str) -> None:
        try:
            barrier.wait(timeout=5)
            services.organization_create(by=bureau, data={"name": name, "credit_code": code, "kind": "enterprise",
                                                          "region": "410105"})
            outcomes.append("created")
        except ApplicationError as exc:
            outcomes.append(exc.errors[0].message)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=register, args=(f"并发单位{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then exactly one row exists and the loser got a Chinese message, not a 500
    assert Organization.objects.filter(credit_code=code).count() == 1
    assert sorted(outcomes)[0] == "created" or "created" in outcomes
    assert any("统一社会信用代码" in o for o in outcomes if o != "created")


def test_programme_filter_uses_json_containment(db):
    # given
    make_person("李领军", programmes=["leading", "commissioner"])
    make_person("王特派", programmes=["commissioner"])
    # when
    names = set(selectors.person_list_public(programme="leading").values_list("name", flat=True))
    # then
    assert connection.vendor == "postgresql"
    assert names == {"李领军"}
