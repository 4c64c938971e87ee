from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from techmarket.disclosure.models import DisclosureTerms
from techmarket.disclosure.services import disclosure_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    root = get_user_model().objects.create_superuser(username="root", password="pw-for-tests-only",
                                                     email="root@example.com")
    client = Client()
    client.force_login(root)
    return client


class TestDisclosureAdmin:
    def test_pages_load(self, admin_client, owner_org, requester):
        disclosure_request(record=owner_org, by=requester)
        for url in ("/admin/disclosure/disclosureterms/", "/admin/disclosure/disclosurerequest/",
                    "/admin/disclosure/disclosureaccess/", "/admin/disclosure/disclosureterms/add/"):
            assert admin_client.get(url).status_code == 200, url

    def test_adding_terms_publishes_a_new_current_version(self, admin_client):
        # when
        response = admin_client.post("/admin/disclosure/disclosureterms/add/",
                                     {"title": "保密协议（2099 版）", "version": "2099-1", "body": "第一条……"})

        # then
        assert response.status_code == 302
        assert DisclosureTerms.objects.get(is_current=True).version == "2099-1"
        assert DisclosureTerms.objects.count() == 2

    def test_requests_and_accesses_are_read_only(self, admin_client):
        assert admin_client.get("/admin/disclosure/disclosurerequest/add/").status_code == 403
        assert admin_client.get("/admin/disclosure/disclosureaccess/add/").status_code == 403
