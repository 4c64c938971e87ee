"""Issued registration numbers under concurrent approvals on PostgreSQL: the serial row of the point and
year is created race-safely and locked inside each registration transaction, so the numbers are unique
and gap-free.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/techmarket_contracts .venv/bin/pytest -m postgres
techmarket/contracts``.
"""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from techmarket.contracts import registration as reg
from techmarket.contracts.models import RegistrationSerial, RegistrationSetting, TechContract
from techmarket.core.errors import ApplicationError

from . import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8
PER_THREAD = 3


def test_concurrent_registrations_get_unique_gap_free_numbers(achievement, buyer_org, seller, registrar,
                                                             bureau_registrar, regions, points):
    # given 郑州 issues numbers and 24 pre-examined contracts at point 01 (no serial row yet)
    RegistrationSetting.objects.create(city=regions["city"], issues_numbers=True)
    contracts = [f.contract_in_state("pre_examined", deal=f.closed_deal(achievement=achievement, buyer=buyer_org),
                                     seller=seller, registrar=registrar) for _ in range(THREADS * PER_THREAD)]
    assert not RegistrationSerial.objects.exists()
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    refused: list[str] = []
    lock = threading.Lock()

    def approve(index: int) -> None:
        user = registrar if index % 2 else bureau_registrar  # two registrars of the point at once
        mine = contracts[index * PER_THREAD:(index + 1) * PER_THREAD]
        # every thread also tries its neighbour's first contract: one of the two attempts must be refused
        neighbour = contracts[((index + 1) % THREADS) * PER_THREAD]
        try:
            barrier.wait(timeout=30)
            for contract in mine + [neighbour]:
                try:
                    done = reg.contract_register(contract=contract, by=user)
                except ApplicationError as exc:
                    with lock:
                        refused.append(exc.errors[0].code)
                else:
                    with lock:
                        results.append((done.pk, done.registration_number))
        finally:
            connection.close()

    # when eight threads approve at once
    threads = [threading.Thread(target=approve, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    # then each contract was registered once, the double attempts were refused by state
    total = THREADS * PER_THREAD
    assert len(results) == total and len({pk for pk, _n in results} ) == total
    assert refused == ["invalid_state"] * THREADS
    # the numbers are unique and the serials are exactly 1..24 (no gap), in the 16-digit layout
    year = timezone.localdate().year
    numbers = sorted(n for _pk, n in results)
    assert numbers == [f"{year}410101{serial:06d}" for serial in range(1, total + 1)]
    assert RegistrationSerial.objects.get(point=points["zz01"], year=year).last_serial == total
    stored = dict(TechContract.objects.filter(status="registered").values_list("pk", "registration_number"))
    assert stored == dict(results)
