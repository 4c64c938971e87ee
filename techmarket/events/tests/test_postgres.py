"""Registration under concurrency on a real server database: places never exceed the capacity."""
import threading

import pytest
from django.db import connection

from techmarket.accounts.roles import Role
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories
from techmarket.events import services
from techmarket.events.models import EventRegistration

from . import factories as f

# serialized_rollback: the flush after a transactional test would otherwise drop the regions and
# taxonomies that data migrations load.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 12


def _race(event, users, *, attendee_count: int) -> list[str]:
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(user) -> None:
        try:
            barrier.wait(timeout=10)
            services.event_register(event=event, by=user, data=f.registration_data(attendee_count=attendee_count))
            result = "ok"
        except ApplicationError as exc:
            result = exc.errors[0].code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=register, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def _users(regions, n: int):
    org = factories.organization("并发报名测试有限公司", region_obj=regions["jinshui"])
    return [factories.user(f"racer-{i}", organization_obj=org, roles=[Role.ENTERPRISE]) for i in range(n)]


def test_concurrent_registrations_never_exceed_the_capacity(regions, officer_in):
    # given a published event with 5 places and 12 users registering 2 attendees each at the same moment
    event = f.event_in_state("published", organizer=officer_in, publisher=officer_in, capacity=5)
    users = _users(regions, THREADS)
    # when
    outcomes = _race(event, users, attendee_count=2)
    # then two fit (4 places), the third would need 2 of the 1 left: everybody else is refused cleanly
    assert connection.vendor == "postgresql"
    assert outcomes.count("ok") == 2 and outcomes.count("capacity_full") == THREADS - 2
    assert services.registered_count(event) == 4
    # and single places fill exactly to the capacity
    other = f.event_in_state("published", organizer=officer_in, publisher=officer_in, capacity=7, title="第二场")
    outcomes = _race(other, users, attendee_count=1)
    assert outcomes.count("ok") == 7 and services.registered_count(other) == 7
    assert EventRegistration.objects.filter(event=other).count() == 7


def test_one_user_registering_twice_at_once_gets_one_registration(regions, officer_in, enterprise):
    event = f.event_in_state("published", organizer=officer_in, publisher=officer_in)
    outcomes = _race(event, [enterprise] * 4, attendee_count=1)
    assert outcomes.count("ok") == 1 and outcomes.count("already_registered") == 3
    assert EventRegistration.objects.filter(event=event, user=enterprise, status="registered").count() == 1
