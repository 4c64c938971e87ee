"""The demo events: two cities, an upcoming 对接会 and 路演 each, a past event with registrations."""
from __future__ import annotations

import pytest

from techmarket.demo.loader import DemoLoader
from techmarket.events.demo import events_demo_load
from techmarket.events.models import Event, EventRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(settings):
    settings.TECHMARKET_DEMO = True
    DemoLoader(bulk=False).load_accounts()


def test_loads_the_events_of_zhengzhou_and_hebi_idempotently(accounts):
    # when
    created = events_demo_load()
    # then
    assert created == 6 and Event.objects.filter(status="published").count() == 6
    for city in ("4101", "4106"):
        events = Event.objects.filter(region__code__startswith=city)
        assert {e.kind for e in events} == {"matchmaking", "roadshow"}
        assert sum(not e.is_finished for e in events) == 2
        past = next(e for e in events if e.is_finished)
        users = set(EventRegistration.objects.filter(event=past).values_list("user__username", flat=True))
        assert users == {f"ent-{city}-1", f"ent-{city}-2", f"ent-{city}-3"}
        roadshow = events.get(kind="roadshow")
        assert roadshow.organizer_organization.kind == "agency"  # submitted by the agency, published by the bureau
    assert events_demo_load() == 0 and Event.objects.count() == 6


def test_without_accounts_nothing_is_created(db):
    assert events_demo_load() == 0
