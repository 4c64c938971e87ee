from __future__ import annotations

import pytest
from django.test import Client

from techmarket.disclosure.choices import DisclosureStatus
from techmarket.disclosure.models import DisclosureRequest
from techmarket.disclosure.services import disclosure_approve, disclosure_request

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestRequestCreateView:
    def test_posting_the_form_creates_a_request(self, owner_org, requester):
        # when
        response = client_for(requester).post("/disclosures/request/", {
            "record_type": "directory.organization", "record_id": owner_org.pk, "message": "拟合作"})

        # then
        req = DisclosureRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/disclosures/{req.pk}/"
        assert req.message == "拟合作"

    def test_duplicate_shows_the_chinese_error(self, owner_org, requester):
        # given
        client = client_for(requester)
        client.post("/disclosures/request/", {"record_type": "directory.organization", "record_id": owner_org.pk})

        # when
        response = client.post("/disclosures/request/", {"record_type": "directory.organization",
                                                          "record_id": owner_org.pk}, follow=True)

        # then
        assert DisclosureRequest.objects.count() == 1
        assert "请勿重复申请" in response.content.decode()


class TestRequestDetailView:
    def test_owner_sees_decision_buttons_and_reason_options(self, owner_org, owner, requester):
        # given
        req = disclosure_request(record=owner_org, by=requester, message="拟技术许可")

        # when
        html = client_for(owner).get(f"/disclosures/{req.pk}/").content.decode()

        # then
        assert "批准" in html and "拒绝" in html and "非合作对象" in html
        assert "签署保密协议" not in html

    def test_outsider_gets_404(self, owner_org, requester, stranger):
        req = disclosure_request(record=owner_org, by=requester)
        assert client_for(stranger).get(f"/disclosures/{req.pk}/").status_code == 404

    def test_accepting_terms_needs_the_agree_box(self, owner_org, owner, requester):
        # given
        req = disclosure_approve(request=disclosure_request(record=owner_org, by=requester), by=owner)
        client = client_for(requester)

        # when
        without = client.post(f"/disclosures/{req.pk}/actions/accept_terms/", {}, follow=True)
        status_after_refusal = DisclosureRequest.objects.get(pk=req.pk).status
        client.post(f"/disclosures/{req.pk}/actions/accept_terms/", {"agree": "1"}, REMOTE_ADDR="192.0.2.50")

        # then
        assert "我已阅读并同意" in without.content.decode()
        assert status_after_refusal == DisclosureStatus.APPROVED
        req.refresh_from_db()
        assert req.status == DisclosureStatus.ACTIVE and req.accepted_ip == "192.0.2.50"

    def test_reject_through_the_page_without_reason_is_refused(self, owner_org, owner, requester):
        # given
        req = disclosure_request(record=owner_org, by=requester)

        # when
        response = client_for(owner).post(f"/disclosures/{req.pk}/actions/reject/", {"comment": "x"}, follow=True)

        # then
        assert "请选择原因" in response.content.decode()
        assert DisclosureRequest.objects.get(pk=req.pk).status == DisclosureStatus.REQUESTED

    def test_non_owner_action_through_the_page_is_403(self, owner_org, requester, colleague):
        req = disclosure_request(record=owner_org, by=requester)
        response = client_for(colleague).post(f"/disclosures/{req.pk}/actions/approve/", {})
        assert response.status_code == 403


class TestRequestListView:
    def test_received_box_lists_requests_for_my_records(self, owner_org, owner, requester):
        # given
        disclosure_request(record=owner_org, by=requester)

        # when
        html = client_for(owner).get("/disclosures/?box=received").content.decode()

        # then
        assert "金水制造有限公司" in html and "待审批" in html
