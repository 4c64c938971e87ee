"""Registration review through the API: the shared workflow conventions (SPEC §3)."""
import json

import pytest

from techmarket.accounts import services
from techmarket.accounts.models import User

from .factories import make_bureau_admin, make_district_officer, registration_data

pytestmark = pytest.mark.django_db


def _post(client, user, path, body):
    client.force_login(user)
    return client.post(path, json.dumps(body), content_type="application/json")


class TestRegistrationActionsApi:
    def test_reviewer_sees_status_and_available_actions(self, client):
        # given
        reg = services.registration_submit(**registration_data())
        officer = make_district_officer()
        client.force_login(officer)
        # when
        body = client.get(f"/api/v1/registrations/{reg.pk}").json()
        # then
        assert body["status"] == "submitted" and body["status_display"] == "待审核"
        assert set(body["available_actions"]) == {"approve", "reject"}
        assert body["phone"] == "138****8000"

    def test_approve_answers_200_with_the_updated_record(self, client):
        reg = services.registration_submit(**registration_data())
        resp = _post(client, make_bureau_admin(), f"/api/v1/registrations/{reg.pk}/actions/approve",
                     {"comment": "材料齐全", "reason_code": None})
        assert resp.status_code == 200
        assert resp.json()["status"] == "approved" and resp.json()["available_actions"] == []
        assert User.objects.filter(username=reg.username).exists()

    def test_reject_without_reason_code_is_422_on_reason_code(self, client):
        reg = services.registration_submit(**registration_data())
        resp = _post(client, make_bureau_admin(), f"/api/v1/registrations/{reg.pk}/actions/reject",
                     {"comment": "", "reason_code": None})
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "reason_code"

    def test_out_of_scope_officer_gets_404(self, client):
        reg = services.registration_submit(**registration_data())
        resp = _post(client, make_district_officer(region_code="410103"),
                     f"/api/v1/registrations/{reg.pk}/actions/approve", {"comment": ""})
        assert resp.status_code == 404
        assert not User.objects.filter(username=reg.username).exists()

    def test_anonymous_is_401(self, client):
        assert client.get("/api/v1/registrations").status_code == 401
