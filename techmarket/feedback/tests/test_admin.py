from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from techmarket.disclosure.services import disclosure_reject, disclosure_request
from techmarket.feedback.models import ReasonCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="pw-for-tests-only",
                                                     email="root@example.com")


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


class TestReasonCodeAdmin:
    def test_changelist_and_context_pages_load(self, admin_client):
        assert admin_client.get("/admin/feedback/reasoncode/").status_code == 200
        assert admin_client.get("/admin/feedback/reasoncontext/").status_code == 200

    def test_adding_a_code_goes_through_the_service(self, admin_client):
        # when
        response = admin_client.post("/admin/feedback/reasoncode/add/", {
            "context": "bid_lost", "code": "late", "label": "出价超时", "description": "", "is_active": "on",
            "sort_order": 50})

        # then
        assert response.status_code == 302
        reason = ReasonCode.objects.get(context_id="bid_lost", code="late")
        from techmarket.core.audit import history_for

        assert [row.action for row in history_for(reason)] == ["create"]

    def test_used_code_is_read_only_and_cannot_be_deleted(self, admin_client, org_a, user_a, user_b):
        # given
        disclosure_reject(request=disclosure_request(record=org_a, by=user_b), by=user_a, reason_code="other")
        reason = ReasonCode.objects.get(context_id="disclosure_reject", code="other")

        # when
        change_page = admin_client.get(f"/admin/feedback/reasoncode/{reason.pk}/change/")
        delete_page = admin_client.get(f"/admin/feedback/reasoncode/{reason.pk}/delete/")

        # then
        assert change_page.status_code == 200
        assert 'name="code"' not in change_page.content.decode()
        assert delete_page.status_code == 403

