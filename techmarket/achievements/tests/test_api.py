from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from techmarket.disclosure import services as disclosure
from techmarket.disclosure.models import DisclosureAccess

from . import factories as f

PDF = b"%PDF-1.4\n%test\n"
BASE = "/api/v1/achievements"


def client_for(client, user):
    client.force_login(user)
    return client


def create_payload(**overrides) -> dict:
    data = {"title": "高效光伏组件封装技术", "abstract": "提高组件寿命的封装工艺。", "keywords": ["光伏", "封装"],
            "tech_field": "10", "trl": 6, "transfer_modes": ["transfer", "equity"], "price_min": "100000.00",
            "price_max": "250000.50", "confidential_detail": "封装胶配方。"}
    data.update(overrides)
    return data


class TestAchievementApiCreate:
    def test_create_returns_201_with_money_strings_and_managed_fields(self, client, owner):
        # when
        response = client_for(client, owner).post(BASE, create_payload(), content_type="application/json")
        # then
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["price_min"] == "100000.00" and body["price_max"] == "250000.50" and body["price"] is None
        assert body["status"] == "draft" and body["status_display"] == "草稿"
        assert body["available_actions"] == ["submit"] and body["region"]["code"] == "410105"
        assert body["confidential_detail"] == "封装胶配方。"
        assert body["history"][0]["kind"] == "change"

    def test_validation_errors_are_422_in_chinese(self, client, owner):
        response = client_for(client, owner).post(BASE, create_payload(price_min="abc"), content_type="application/json")
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == "price_min" and "金额" in error["message"]
        response = client.post(BASE, create_payload(tech_field="nope"), content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "tech_field"

    def test_anonymous_create_is_401(self, client, db):
        assert client.post(BASE, create_payload(), content_type="application/json").status_code == 401

    def test_officer_create_is_403(self, client, officer_in):
        response = client_for(client, officer_in).post(BASE, create_payload(), content_type="application/json")
        assert response.status_code == 403


class TestAchievementApiReadAndAct:
    def test_public_vs_managed_detail_and_scope(self, client, owner, enterprise, officer_in, officer_out):
        # given
        draft = f.achievement(owner=owner)
        published = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        # then: anonymous sees the published one without managed fields and no draft
        anon = client.get(f"{BASE}/{published.pk}").json()
        assert anon["managed"] is False and "status" not in anon and anon["confidential_detail"] is None
        assert client.get(f"{BASE}/{draft.pk}").status_code == 404
        listing = client.get(BASE).json()
        assert listing["count"] == 1 and listing["items"][0]["id"] == published.pk
        # out-of-scope officer: 404 on the draft, managed list empty
        client_for(client, officer_out)
        assert client.get(f"{BASE}/{draft.pk}").status_code == 404
        assert client.get(BASE, {"manage": "true"}).json()["count"] == 0
        # in-scope officer sees both in its managed list
        client_for(client, officer_in)
        assert client.get(BASE, {"manage": "true"}).json()["count"] == 2
        # owner's own list with a status filter
        client_for(client, owner)
        mine = client.get(BASE, {"mine": "true", "status": "draft"}).json()
        assert [i["id"] for i in mine["items"]] == [draft.pk]

    def test_action_flow_and_403_on_visible_record(self, client, owner, enterprise, officer_in):
        a = f.achievement(owner=owner)
        client_for(client, owner)
        response = client.post(f"{BASE}/{a.pk}/actions/submit", {"comment": ""}, content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "submitted"
        client_for(client, officer_in)
        response = client.post(f"{BASE}/{a.pk}/actions/return", {"comment": "补充", "reason_code": None},
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason_code"
        response = client.post(f"{BASE}/{a.pk}/actions/approve", {"comment": "同意"}, content_type="application/json")
        assert response.status_code == 200 and response.json()["status"] == "published"
        # another enterprise sees the published record: its actions are 403, its edits too
        client_for(client, enterprise)
        response = client.post(f"{BASE}/{a.pk}/actions/archive", {}, content_type="application/json")
        assert response.status_code == 403
        assert client.patch(f"{BASE}/{a.pk}", {"title": "x"}, content_type="application/json").status_code == 403
        # owner cannot edit a published record either
        client_for(client, owner)
        assert client.patch(f"{BASE}/{a.pk}", {"title": "x"}, content_type="application/json").status_code == 403

    def test_patch_draft_and_renew(self, client, owner, officer_in):
        a = f.achievement(owner=owner)
        client_for(client, owner)
        response = client.patch(f"{BASE}/{a.pk}", {"price": "99.90"}, content_type="application/json")
        assert response.status_code == 200 and response.json()["price"] == "99.90"
        p = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        with freeze_time(p.expires_at + datetime.timedelta(days=1)):
            client_for(client, owner)  # a fresh session (idle sessions expire after 30 minutes)
            assert client.get(BASE).json()["count"] == 0
            response = client.post(f"{BASE}/{p.pk}/renew")
            assert response.status_code == 200 and response.json()["status"] == "published"
            assert client.get(BASE).json()["count"] == 1

    def test_confidential_detail_visible_after_disclosure(self, client, owner, enterprise, bureau, officer_in):
        a = f.achievement_in_state("published", owner=owner, reviewer=officer_in)
        client_for(client, enterprise)
        assert client.get(f"{BASE}/{a.pk}").json()["confidential_detail"] is None
        disclosure.disclosure_terms_publish(title="保密协议", version="v1", body="……", by=bureau)
        request = disclosure.disclosure_request(record=a, by=enterprise)
        disclosure.disclosure_approve(request=request, by=owner)
        disclosure.disclosure_accept_terms(request=request, by=enterprise)
        assert client.get(f"{BASE}/{a.pk}").json()["confidential_detail"] == a.confidential_detail
        assert DisclosureAccess.objects.filter(user=enterprise, object_id=str(a.pk)).count() == 1


class TestAchievementApiAttachments:
    def test_upload_checks_content_and_serves_by_permission(self, client, owner, enterprise, officer_in, settings):
        a = f.achievement(owner=owner)
        client_for(client, owner)
        # a .pdf that is not a PDF is refused
        fake = SimpleUploadedFile("说明.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
        response = client.post(f"{BASE}/{a.pk}/attachments", {"file": fake})
        assert response.status_code == 422 and "不符" in response.json()["errors"][0]["message"]
        # an .exe is refused by type
        exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
        assert client.post(f"{BASE}/{a.pk}/attachments", {"file": exe}).status_code == 422
        # too large
        settings.TECHMARKET_UPLOAD_MAX_MB = 1
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
        assert client.post(f"{BASE}/{a.pk}/attachments", {"file": big}).status_code == 422
        # good ones
        public = client.post(f"{BASE}/{a.pk}/attachments", {"file": SimpleUploadedFile("简介.pdf", PDF)})
        secret = client.post(f"{BASE}/{a.pk}/attachments",
                             {"file": SimpleUploadedFile("工艺.pdf", PDF), "is_confidential": "true"})
        assert public.status_code == 201 and secret.status_code == 201, secret.content
        assert secret.json()["is_confidential"] is True
        stored = a.attachments.get(pk=public.json()["id"]).file.name
        assert stored.startswith(f"market/achievements/{a.pk}/") and "简介" not in stored
        a = _publish(a, owner, officer_in)
        # anyone downloads the public one, only owners/approved see the confidential one
        client.logout()
        assert client.get(public.json()["url"]).status_code == 200
        assert client.get(secret.json()["url"]).status_code == 404
        assert [x["name"] for x in client.get(f"{BASE}/{a.pk}/attachments").json()["items"]] == ["简介.pdf"]
        client_for(client, enterprise)
        assert client.get(secret.json()["url"]).status_code == 404
        client_for(client, owner)
        response = client.get(secret.json()["url"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Cache-Control"] == "private, no-store"
        # uploads after publication are refused (edits only in draft/returned)
        late = client.post(f"{BASE}/{a.pk}/attachments", {"file": SimpleUploadedFile("late.pdf", PDF)})
        assert late.status_code == 403


def _publish(a, owner, reviewer):
    from techmarket.achievements import services

    services.achievement_act(achievement=a, action="submit", by=owner)
    return services.achievement_approve(achievement=a, by=reviewer)


@pytest.fixture(autouse=True)
def _zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"
