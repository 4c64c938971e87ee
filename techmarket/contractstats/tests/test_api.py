"""GET /api/v1/contract-stats: shapes, scope and refusals."""
from __future__ import annotations

import pytest

import techmarket.urls  # noqa: F401  (ninja routes registered once)

URL = "/api/v1/contract-stats"


def get(client, user, **params):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


@pytest.mark.django_db
class TestContractStatsApi:
    def test_rows_shape_and_money_strings(self, client, case, users):
        # when
        response = get(client, users["bureau"], year=2025, group_by="category", side="output")
        # then
        assert response.status_code == 200
        body = response.json()
        assert body["region"] == "410100"  # the caller's region by default
        assert body["rows"][0] == {"key": "1", "label": "技术开发", "count": 1, "contract_amount": "100000.00",
                                   "tech_amount": "80000.00", "yoy_pct": "25.0"}

    def test_defaults_are_month_and_output(self, client, case, users):
        body = get(client, users["bureau"], year=2025).json()
        assert body["group_by"] == "month" and body["side"] == "output" and len(body["rows"]) == 12

    def test_district_officer_sees_own_subtree(self, client, case, users):
        body = get(client, users["officer"], year=2025, side="absorbed", group_by="region").json()
        assert body["region"] == "410105"
        assert [r["contract_amount"] for r in body["rows"]] == ["200000.00"]  # c3, buyer in 金水区 itself

    def test_region_outside_scope_is_404(self, client, case, users):
        assert get(client, users["officer"], year=2025, region="410102").status_code == 404
        assert get(client, users["bureau_hebi"], year=2025, region="4101").status_code == 404

    def test_registrar_reads_own_city_only(self, client, case, users):
        assert get(client, users["registrar"], year=2025, region="410105").status_code == 200
        assert get(client, users["registrar"], year=2025).json()["region"] == "410100"
        assert get(client, users["registrar_hebi"], year=2025, region="410100").status_code == 404

    def test_other_users_are_403(self, client, case, users):
        response = get(client, users["enterprise"], year=2025)
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"

    def test_anonymous_is_401(self, client, case):
        assert client.get(URL).status_code == 401

    @pytest.mark.parametrize("params, field", [
        ({"group_by": "district"}, "group_by"), ({"side": "both"}, "side"), ({"year": "20x5"}, "year"),
        ({"year": "1800"}, "year"), ({"region": "41A1"}, "region"), ({"region": "999999"}, "region"),
        ({"through_month": "13"}, "through_month"),
    ])
    def test_bad_parameters_are_422_naming_the_field(self, client, case, users, params, field):
        response = get(client, users["bureau"], **params)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        assert errors[0]["message"]

    def test_superuser_defaults_to_all_regions(self, client, case, django_user_model):
        admin = django_user_model.objects.create_superuser(username="root", password="pw-for-tests-only")
        body = get(client, admin, year=2025, group_by="region").json()
        assert body["region"] is None
        assert {r["key"] for r in body["rows"]} == {"110000", "410000"}
