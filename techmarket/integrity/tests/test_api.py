from __future__ import annotations

import json

import pytest

from techmarket.integrity.models import IntegrityRecord

from . import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/integrity-records"


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


class TestIntegrityApiList:
    def test_public_list_shows_published_only_with_envelope(self, client, bureau, org, other_org):
        f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org, is_published=False)
        body = client.get(URL, {"q": "科技"}).json()
        assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
        item = body["items"][0]
        assert item["subject_name"] == org.name and item["state"] in ("active", "expired")
        assert "note" not in item and "is_published" not in item

    def test_staff_get_the_managed_view_of_their_scope(self, client, officer_other, bureau, org, other_org):
        f.org_record(by=bureau, organization=org)
        f.org_record(by=bureau, organization=other_org, is_published=False)
        client.force_login(officer_other)
        body = client.get(URL).json()
        assert [i["subject_name"] for i in body["items"]] == [other_org.name]
        assert body["items"][0]["is_published"] is False

    def test_unknown_state_is_422_in_chinese(self, client, bureau):
        client.force_login(bureau)
        response = client.get(URL, {"state": "bogus"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "state"

    def test_unpublished_detail_is_404_for_the_public(self, client, bureau, org):
        record = f.org_record(by=bureau, organization=org, is_published=False)
        assert client.get(f"{URL}/{record.pk}").status_code == 404


class TestIntegrityApiWrites:
    def test_anonymous_post_is_401(self, client):
        assert _post(client, URL, {}).status_code == 401

    def test_bureau_creates_201(self, client, bureau, org):
        client.force_login(bureau)
        response = _post(client, URL, {"subject_kind": "organization", "organization": org.pk,
                                       "record_type": "misconduct", "facts": "造假", "source_document": "文件",
                                       "source_authority": "郑州市科学技术局", "effective_from": "2025-01-01"})
        assert response.status_code == 201, response.content
        assert response.json()["subject_credit_code"] == org.credit_code

    def test_officer_post_is_403(self, client, officer, org):
        client.force_login(officer)
        response = _post(client, URL, {"subject_kind": "organization", "organization": org.pk,
                                       "record_type": "misconduct", "facts": "造假", "source_document": "文件",
                                       "source_authority": "局", "effective_from": "2025-01-01"})
        assert response.status_code == 403

    def test_validation_is_422_naming_the_field(self, client, bureau, org):
        client.force_login(bureau)
        response = _post(client, URL, {"subject_kind": "organization", "organization": org.pk,
                                       "record_type": "misconduct", "facts": "造假", "source_document": "文件",
                                       "source_authority": "局", "effective_from": "2025-01-01",
                                       "effective_to": "2024-01-01"})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "effective_to", "code": "invalid_range",
                                              "message": "失效日期不能早于生效日期"}]

    def test_patch_by_officer_in_scope_is_403_out_of_scope_404(self, client, bureau, officer, officer_other, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(officer)
        assert _patch(client, f"{URL}/{record.pk}", {"facts": "x"}).status_code == 403
        client.force_login(officer_other)
        assert _patch(client, f"{URL}/{record.pk}", {"facts": "x"}).status_code == 404

    def test_revoke(self, client, bureau, org):
        record = f.org_record(by=bureau, organization=org)
        client.force_login(bureau)
        response = _post(client, f"{URL}/{record.pk}/revoke", {"reason": "复核撤销", "revoked_on": "2025-05-01"})
        assert response.status_code == 200
        assert response.json()["state"] == "revoked" and response.json()["revoked_on"] == "2025-05-01"
        assert IntegrityRecord.objects.get(pk=record.pk).revocation_reason == "复核撤销"
