from __future__ import annotations

import pytest
from django.test import Client

from techmarket.disclosure.services import disclosure_reject, disclosure_request

from techmarket.core.tests import factories

pytestmark = pytest.mark.django_db

URL = "/manage/reasons/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reasons(org_a, org_b, user_a, user_b):
    disclosure_reject(request=disclosure_request(record=org_a, by=user_b), by=user_a, reason_code="not_partner")


class TestReasonStatisticsPage:
    def test_staff_sees_the_table(self, reasons, regions):
        # given
        admin = factories.bureau_admin("bureau-4101", region_obj=regions["city"])

        # when
        response = client_for(admin).get(URL)

        # then
        html = response.content.decode()
        assert response.status_code == 200
        assert "原因统计" in html and "披露申请不通过" in html and "非合作对象" in html

    def test_organization_user_sees_own_organization(self, reasons, user_b, user_a):
        assert "非合作对象" in client_for(user_b).get(URL).content.decode()
        assert "非合作对象" not in client_for(user_a).get(URL).content.decode()

    def test_user_without_organization_gets_403(self, db):
        assert client_for(factories.user("expert-1")).get(URL).status_code == 403

    def test_anonymous_is_sent_to_login(self, db, settings):
        settings.LOGIN_URL = "/accounts/login/"
        response = Client().get(URL)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
