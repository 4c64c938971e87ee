from __future__ import annotations

import pytest
from django.test import Client

from techmarket.accounts.services import api_token_create
from techmarket.disclosure.models import DisclosureAccess
from techmarket.disclosure.services import (
    disclosure_approve,
    disclosure_log_access,
    disclosure_request,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/disclosures"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, data=data or {}, content_type="application/json")


def create_via_api(client, record, message="拟技术许可"):
    return post(client, BASE, {"record_type": "directory.organization", "record_id": record.pk, "message": message})


class TestDisclosureApiFlow:
    def test_full_flow_over_the_api(self, owner_org, owner, requester):
        # given
        as_requester, as_owner = client_for(requester), client_for(owner)

        # when
        created = create_via_api(as_requester, owner_org)
        pk = created.json()["id"]
        approved = post(as_owner, f"{BASE}/{pk}/actions/approve", {"comment": "同意", "reason_code": None})
        accepted = post(as_requester, f"{BASE}/{pk}/actions/accept_terms", {"comment": ""})

        # then
        assert created.status_code == 201
        assert created.json()["status"] == "requested"
        assert created.json()["status_display"] == "待审批"
        assert created.json()["available_actions"] == ["withdraw"]
        assert approved.status_code == 200
        assert approved.json()["status"] == "approved"
        assert approved.json()["terms"]["version"] == "2025-1" and approved.json()["terms"]["body"]
        assert approved.json()["available_actions"] == ["revoke"]
        assert accepted.status_code == 200
        assert accepted.json()["status"] == "active"
        assert accepted.json()["status_display"] == "已生效"
        assert accepted.json()["accepted_at"].endswith("+08:00")
        assert [h["action"] for h in accepted.json()["history"]] == ["approve", "accept_terms"]

    def test_bearer_token_works(self, owner_org, requester):
        # given
        _token, raw = api_token_create(user=requester)

        # when
        response = Client().post(BASE, data={"record_type": "directory.organization", "record_id": owner_org.pk},
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")

        # then
        assert response.status_code == 201


class TestDisclosureApiCreate:
    def test_anonymous_gets_401(self, owner_org):
        response = post(Client(), BASE, {"record_type": "directory.organization", "record_id": owner_org.pk})
        assert response.status_code == 401

    def test_duplicate_open_request_answers_422_in_chinese(self, owner_org, requester, colleague):
        # given
        create_via_api(client_for(requester), owner_org)

        # when
        response = create_via_api(client_for(colleague), owner_org)

        # then
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["code"] == "duplicate"
        assert error["message"] == "已有该记录尚未结束的查看申请，请勿重复申请"

    def test_unsupported_record_type_is_422_on_the_field(self, owner_org, requester):
        response = post(client_for(requester), BASE, {"record_type": "accounts.user", "record_id": requester.pk})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "record_type"

    def test_missing_record_is_404(self, owner_org, requester):
        response = post(client_for(requester), BASE, {"record_type": "directory.organization", "record_id": 99999})
        assert response.status_code == 404

    def test_owner_asking_for_own_record_is_422(self, owner_org, owner):
        response = create_via_api(client_for(owner), owner_org)
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "own_record"


class TestDisclosureApiActions:
    def test_non_owner_cannot_approve(self, owner_org, requester, colleague):
        # given
        pk = create_via_api(client_for(requester), owner_org).json()["id"]

        # when
        response = post(client_for(colleague), f"{BASE}/{pk}/actions/approve", {"comment": ""})

        # then
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"

    def test_outsider_gets_404(self, owner_org, requester, stranger):
        # given
        pk = create_via_api(client_for(requester), owner_org).json()["id"]

        # when
        detail = client_for(stranger).get(f"{BASE}/{pk}")
        action = post(client_for(stranger), f"{BASE}/{pk}/actions/approve", {"comment": ""})

        # then
        assert detail.status_code == 404 and action.status_code == 404

    def test_reject_without_reason_is_422_on_reason_code(self, owner_org, owner, requester):
        # given
        pk = create_via_api(client_for(requester), owner_org).json()["id"]

        # when
        response = post(client_for(owner), f"{BASE}/{pk}/actions/reject", {"comment": "", "reason_code": None})

        # then
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "reason_code"

    def test_reject_with_reason_shows_it_to_the_requester(self, owner_org, owner, requester):
        # given
        pk = create_via_api(client_for(requester), owner_org).json()["id"]
        post(client_for(owner), f"{BASE}/{pk}/actions/reject", {"comment": "", "reason_code": "not_partner"})

        # when
        response = client_for(requester).get(f"{BASE}/{pk}")

        # then
        body = response.json()
        assert body["status"] == "rejected" and body["status_display"] == "已拒绝"
        assert body["history"][-1]["reason_label"] == "非合作对象"

    def test_detail_lists_actions_with_reason_context(self, owner_org, owner, requester):
        # given
        pk = create_via_api(client_for(requester), owner_org).json()["id"]

        # when
        body = client_for(owner).get(f"{BASE}/{pk}").json()

        # then
        assert body["available_actions"] == ["approve", "reject"]
        assert {a["name"]: a["reason_context"] for a in body["actions"]} == {
            "approve": None, "reject": "disclosure_reject"}
        assert body["is_owner"] is True

    def test_unknown_action_is_422(self, owner_org, owner, requester):
        pk = create_via_api(client_for(requester), owner_org).json()["id"]
        response = post(client_for(owner), f"{BASE}/{pk}/actions/explode", {})
        assert response.status_code == 422


class TestDisclosureApiList:
    def test_list_holds_mine_and_addressed_to_me(self, owner_org, owner, requester, colleague, stranger,
                                                 requester_org):
        # given: requester asks owner_org; stranger's organization is asked by requester
        mine = disclosure_request(record=owner_org, by=requester)
        addressed = disclosure_request(record=stranger.organization, by=requester)

        # when
        as_owner = client_for(owner).get(BASE).json()
        as_colleague = client_for(colleague).get(BASE).json()
        as_stranger_received = client_for(stranger).get(BASE, {"box": "received"}).json()
        as_stranger_sent = client_for(stranger).get(BASE, {"box": "sent"}).json()

        # then
        assert [i["id"] for i in as_owner["items"]] == [mine.pk]
        assert {i["id"] for i in as_colleague["items"]} == {mine.pk, addressed.pk}
        assert as_colleague["count"] == 2 and as_colleague["page"] == 1 and as_colleague["page_size"] == 20
        assert [i["id"] for i in as_stranger_received["items"]] == [addressed.pk]
        assert as_stranger_sent["items"] == []

    def test_status_filter(self, owner_org, owner, requester):
        # given
        req = disclosure_request(record=owner_org, by=requester)
        disclosure_approve(request=req, by=owner)

        # when
        approved = client_for(owner).get(BASE, {"status": "approved"}).json()
        requested = client_for(owner).get(BASE, {"status": "requested"}).json()

        # then
        assert approved["count"] == 1 and requested["count"] == 0

    def test_invalid_box_is_422(self, requester):
        assert client_for(requester).get(BASE, {"box": "all"}).status_code == 422


class TestDisclosureApiAccesses:
    def _active(self, record, owner, requester):
        as_requester = client_for(requester)
        pk = create_via_api(as_requester, record).json()["id"]
        post(client_for(owner), f"{BASE}/{pk}/actions/approve", {})
        post(as_requester, f"{BASE}/{pk}/actions/accept_terms", {})
        return pk

    def test_owner_sees_every_access(self, owner_org, owner, requester, colleague):
        # given
        pk = self._active(owner_org, owner, requester)
        disclosure_log_access(user=requester, record=owner_org, ip="192.0.2.3", what="联系人")
        disclosure_log_access(user=colleague, record=owner_org, ip="192.0.2.4", what="内部备注")

        # when
        response = client_for(owner).get(f"{BASE}/{pk}/accesses")

        # then
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2 == DisclosureAccess.objects.filter(request_id=pk).count()
        assert {(i["user"]["name"], i["ip"], i["what"]) for i in body["items"]} == {
            ("申请人", "192.0.2.3", "联系人"), ("同事", "192.0.2.4", "内部备注")}

    def test_requester_cannot_see_the_access_log(self, owner_org, owner, requester):
        pk = self._active(owner_org, owner, requester)
        assert client_for(requester).get(f"{BASE}/{pk}/accesses").status_code == 403

    def test_accept_terms_records_the_caller_ip(self, owner_org, owner, requester):
        # given
        as_requester = client_for(requester)
        pk = create_via_api(as_requester, owner_org).json()["id"]
        post(client_for(owner), f"{BASE}/{pk}/actions/approve", {})

        # when
        as_requester.post(f"{BASE}/{pk}/actions/accept_terms", data={}, content_type="application/json",
                          REMOTE_ADDR="198.51.100.20")

        # then
        from techmarket.disclosure.models import DisclosureRequest

        assert DisclosureRequest.objects.get(pk=pk).accepted_ip == "198.51.100.20"
