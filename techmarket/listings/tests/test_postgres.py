"""Races only a real server database shows (run in CI's PostgreSQL pass):

* the scheduler and a reader close the same ended listing at the same moment → one outcome, one deal;
* two users of one organization register interest at the same moment → one interest, a clear refusal.
"""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from techmarket.accounts.roles import Role
from techmarket.core.errors import ApplicationError
from techmarket.core.tests import factories
from techmarket.deals.models import Deal
from techmarket.listings import services
from techmarket.listings.choices import ListingStatus
from techmarket.listings.models import Interest

from . import factories as f

# serialized_rollback: the flush after a transactional test would otherwise drop the regions and
# taxonomies that data migrations load.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _race(target, n: int) -> list:
    barrier = threading.Barrier(n)
    outcomes: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(target())
        except ApplicationError as exc:
            outcomes.append(exc.errors[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_closes_of_one_listing_make_one_deal(owner, officer_in, buyer):
    # given an open listing with one interest, past its end
    listing = f.open_listing(owner=owner, reviewer=officer_in, interested=[buyer])
    assert connection.vendor == "postgresql"
    # when four closers run at once
    with f.after_end(listing):
        outcomes = _race(lambda: services.listing_close_if_due(listing=listing).status, 4)
    # then every one sees the same outcome and exactly one deal exists
    assert outcomes == [ListingStatus.DEALT] * 4
    assert Deal.objects.filter(listing=listing).count() == 1


def test_concurrent_interests_of_one_organization_leave_one(owner, officer_in, buyer, buyer_org):
    # given two users of the same enterprise
    listing = f.open_listing(owner=owner, reviewer=officer_in)
    colleague = factories.user("ent-1-colleague", organization_obj=buyer_org, roles=[Role.ENTERPRISE])
    users = iter([buyer, colleague])
    lock = threading.Lock()

    def register():
        with lock:
            user = next(users)
        return services.listing_register_interest(listing=listing, by=user).status

    # when both register at the same moment
    outcomes = _race(register, 2)
    # then one interest exists and the other caller got the Chinese refusal's code
    assert sorted(outcomes) == ["active", "already_registered"]
    assert Interest.objects.filter(listing=listing).count() == 1
