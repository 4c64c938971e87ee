"""GET /api/v1/search (issue 4 part 2, SPEC §2 X1 and §3 API conventions)."""
from __future__ import annotations

import pytest

from techmarket.accounts.services import api_token_create
from techmarket.achievements.tests.factories import achievement_in_state

from .test_search_page import ID_NUMBER, PHONE, build_world


@pytest.fixture
def world(owner, enterprise, bureau, regions, reindex):
    w = build_world(owner=owner, enterprise=enterprise, bureau=bureau, regions=regions)
    reindex()
    return w


def get(client, status=200, **params):
    response = client.get("/api/v1/search", params, **params.pop("_headers", {}))
    assert response.status_code == status, response.content.decode()
    return response.json()


def keys(body) -> set[tuple[str, int]]:
    return {(item["type"], item["id"]) for item in body["items"]}


class TestSearchApiShape:
    def test_list_envelope_and_item_fields(self, client, world):
        body = get(client, q="锂离子电池")

        assert set(body) == {"count", "page", "page_size", "items", "suggestion"}
        assert body["page"] == 1 and body["page_size"] == 20 and body["suggestion"] is None
        assert body["count"] == len(body["items"]) >= 2
        item = next(i for i in body["items"] if i["type"] == "achievement" and i["id"] == world.battery.pk)
        assert set(item) == {"type", "id", "title", "snippet_html", "score"}
        assert item["title"] == "锂离子电池快速充电技术"
        assert "<mark>锂离子电池</mark>" in item["snippet_html"]
        assert isinstance(item["score"], float) and item["score"] > 0
        assert item["score"] == round(item["score"], 4)
        scores = [i["score"] for i in body["items"]]
        assert scores == sorted(scores, reverse=True)

    def test_snippet_masks_phone_and_id_number(self, client, world):
        body = get(client, q="锂离子电池", type="achievement")

        text = str(body)
        assert PHONE not in text and ID_NUMBER not in text
        assert "138****5678" in text and "4101**********1234" in text

    def test_pagination(self, client, owner, bureau, reindex):
        for n in range(5):
            achievement_in_state("published", owner=owner, reviewer=bureau, title=f"光伏逆变器控制方法{n}",
                                 abstract="光伏逆变器的控制。")
        reindex()

        first = get(client, q="光伏逆变器", page_size="2")
        third = get(client, q="光伏逆变器", page_size="2", page="3")
        beyond = get(client, q="光伏逆变器", page_size="2", page="4")

        assert (first["count"], len(first["items"]), first["page_size"]) == (5, 2, 2)
        assert (third["page"], len(third["items"])) == (3, 1)
        assert beyond["items"] == [] and beyond["count"] == 5
        assert not keys(first) & keys(third)

    def test_page_size_is_capped_at_100(self, client, world):
        assert get(client, q="电池", page_size="500")["page_size"] == 100


class TestSearchApiVisibility:
    def test_anonymous_never_gets_a_draft(self, client, world):
        assert ("achievement", world.draft.pk) not in keys(get(client, q="锂离子电池回收"))

    def test_bearer_token_user_finds_own_draft(self, client, world, owner):
        token = api_token_create(user=owner, name="测试")[1]

        body = get(client, q="锂离子电池回收", _headers={"HTTP_AUTHORIZATION": f"Bearer {token}"})

        assert ("achievement", world.draft.pk) in keys(body)

    def test_session_user_district_scope(self, client, world, officer_in, officer_out):
        client.force_login(officer_in)
        assert ("achievement", world.submitted.pk) in keys(get(client, q="钠离子电池"))
        client.force_login(officer_out)
        assert ("achievement", world.submitted.pk) not in keys(get(client, q="钠离子电池"))

    def test_invalid_token_is_refused(self, client, world):
        get(client, 401, q="电池", _headers={"HTTP_AUTHORIZATION": "Bearer nope"})


class TestSearchApiFilters:
    def test_filters_narrow_results(self, client, world):
        q = "锂离子电池 石墨烯 电池"
        assert keys(get(client, q=q, type="demand")) == {("demand", world.demand.pk)}
        assert keys(get(client, q=q, type="achievement", region="410102")) == {("achievement", world.graphene.pk)}
        assert keys(get(client, q=q, type="achievement", field="60")) == {("achievement", world.battery.pk)}
        assert keys(get(client, q=q, type="achievement", trl_max="4")) == {("achievement", world.graphene.pk)}
        assert keys(get(client, q=q, type="achievement", price_max="600000.00")) == {
            ("achievement", world.battery.pk)}

    def test_empty_query_lists_records_by_filters(self, client, world):
        assert keys(get(client, type="demand")) == {("demand", world.demand.pk)}

    @pytest.mark.parametrize("params, field", [
        ({"type": "instrument"}, "type"),
        ({"region": "999999"}, "region"),
        ({"field": "nope"}, "field"),
        ({"trl_min": "x"}, "trl_min"),
        ({"trl_max": "10"}, "trl_max"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": "9", "price_max": "1"}, "price_min"),
        ({"date_from": "2024-02-30"}, "date_from"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": "0"}, "page_size"),
    ])
    def test_bad_input_is_422_naming_the_field(self, client, world, params, field):
        body = get(client, 422, q="电池", **params)

        assert body["errors"][0]["field"] == field
        assert body["errors"][0]["message"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][0]["message"])  # in Chinese


class TestSearchApiSuggestion:
    def test_suggestion_for_a_typo_without_results(self, client, world):
        body = get(client, q="热失空")

        assert body["count"] == 0 and body["items"] == []
        assert body["suggestion"] == "热失控"
