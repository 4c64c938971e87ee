"""Marks on matches (B2): reasons, who may mark, upsert and audit, the API, and decline statistics."""
from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client

from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.matching.marks import match_decline_stats, match_mark
from techmarket.matching.models import MatchMark
from techmarket.matching.tests.test_matching import (  # noqa: F401  (fixtures)
    BATTERY,
    URLCONF,
    battery_demand,
    jinshui_enterprise,
)


@pytest.fixture
def achievement(owner, bureau):
    return achievement_in_state("published", owner=owner, reviewer=bureau, **BATTERY)


class TestMatchMark:
    def test_not_useful_needs_a_reason(self, battery_demand, achievement, jinshui_enterprise):
        with pytest.raises(ApplicationError) as exc:
            match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk, useful=False,
                       by=jinshui_enterprise)
        assert exc.value.errors[0].field == "reason_code" and exc.value.errors[0].message == "请选择原因"
        with pytest.raises(ApplicationError) as exc:
            match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk, useful=False,
                       reason_code="no_such_reason", by=jinshui_enterprise)
        assert exc.value.errors[0].field == "reason_code"
        assert not MatchMark.objects.exists()

    def test_owner_mark_is_by_owner_and_upserted_with_audit(self, battery_demand, achievement, jinshui_enterprise):
        match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk, useful=True,
                   by=jinshui_enterprise)
        mark = match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk,
                          useful=False, reason_code="price", comment="预算有限", by=jinshui_enterprise)
        assert MatchMark.objects.count() == 1
        assert mark.by_owner and not mark.useful and mark.reason_code.code == "price"
        actions = list(ObjectChange.objects.filter(object_id=str(mark.pk), content_type__model="matchmark")
                       .values_list("action", flat=True))
        assert sorted(actions) == sorted([ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE])

    def test_reviewer_in_scope_marks_not_as_owner(self, battery_demand, achievement, officer_in):
        mark = match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk,
                          useful=False, reason_code="too_early", by=officer_in)
        assert not mark.by_owner

    def test_outsiders_get_404(self, battery_demand, achievement, enterprise, officer_out, owner):
        for user in (enterprise, officer_out, owner):
            with pytest.raises(Http404):
                match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk, useful=True,
                           by=user)

    def test_bad_target(self, battery_demand, achievement, jinshui_enterprise, owner, bureau):
        with pytest.raises(ApplicationError) as exc:
            match_mark(source=battery_demand, target_type="demand", target_id=battery_demand.pk, useful=True,
                       by=jinshui_enterprise)
        assert exc.value.errors[0].field == "target_type"
        draft = achievement_in_state("draft", owner=owner, reviewer=bureau, title="草稿成果")
        with pytest.raises(ApplicationError) as exc:
            match_mark(source=battery_demand, target_type="achievement", target_id=draft.pk, useful=True,
                       by=jinshui_enterprise)
        assert exc.value.errors[0].field == "target_id"

    def test_decline_stats_per_institution(self, battery_demand, achievement, jinshui_enterprise, officer_in,
                                           owner_org):
        for user, reason in ((jinshui_enterprise, "price"), (officer_in, "price")):
            match_mark(source=battery_demand, target_type="achievement", target_id=achievement.pk, useful=False,
                       reason_code=reason, by=user)
        assert match_decline_stats(owner_org) == [{"code": "price", "label": "价格不合适", "count": 2}]
        assert match_decline_stats(owner_org, record=achievement)[0]["count"] == 2
        assert match_decline_stats(jinshui_enterprise.organization) == []


@pytest.mark.urls(URLCONF)
class TestMarkApi:
    def body(self, battery_demand, achievement, **extra):
        return {"source_type": "demand", "source_id": battery_demand.pk, "target_type": "achievement",
                "target_id": achievement.pk, "useful": True, **extra}

    def test_create_then_update(self, battery_demand, achievement, jinshui_enterprise):
        client = Client()
        client.force_login(jinshui_enterprise)
        response = client.post("/api/v1/matches/marks", self.body(battery_demand, achievement),
                               content_type="application/json")
        assert response.status_code == 201 and response.json()["by_owner"] is True
        response = client.post("/api/v1/matches/marks",
                               self.body(battery_demand, achievement, useful=False, reason_code="location"),
                               content_type="application/json")
        assert response.status_code == 200
        assert response.json()["reason_code"] == "location" and response.json()["reason_label"] == "地域不便"

    def test_errors(self, battery_demand, achievement, jinshui_enterprise, enterprise):
        url = "/api/v1/matches/marks"
        assert Client().post(url, self.body(battery_demand, achievement),
                             content_type="application/json").status_code == 401
        client = Client()
        client.force_login(enterprise)
        assert client.post(url, self.body(battery_demand, achievement),
                           content_type="application/json").status_code == 404
        client.force_login(jinshui_enterprise)
        response = client.post(url, self.body(battery_demand, achievement, useful=False),
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason_code"
        response = client.post(url, self.body(battery_demand, achievement, source_type="expert"),
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "source_type"
