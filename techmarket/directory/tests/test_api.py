"""Registry API: SPEC §3 conventions and the issue's must-shows."""
import datetime
import json

import pytest
from django.utils import timezone

from techmarket.accounts.services import api_token_create
from techmarket.directory.models import Organization

from .factories import make_organization, valid_credit_code

pytestmark = pytest.mark.django_db
API = "/api/v1"


def api(client, method, path, data=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = json.dumps(data) if data is not None else None
    return getattr(client, method)(API + path, body, content_type="application/json", **headers) \
        if body is not None else getattr(client, method)(API + path, **headers)


@pytest.fixture
def orgs(db):
    jinshui = make_organization("金水测试科技有限公司", region_code="410105",
                                contacts=[("王经理", "13912345678", "wang@example.cn")])
    erqi = make_organization("二七测试机械有限公司", region_code="410103",
                             contacts=[("李主任", "13800001111", "li@example.cn")])
    hebi = make_organization("鹤壁测试材料有限公司", region_code="410611")
    return {"jinshui": jinshui, "erqi": erqi, "hebi": hebi}


@pytest.fixture
def officer(make_user):
    return make_user("officer-410105", "district_officer", region_code="410105")


@pytest.fixture
def bureau(make_user):
    return make_user("bureau-4101", "bureau_admin", region_code="410100")


class TestListEnvelope:
    def test_anonymous_list_has_the_envelope_and_only_public_fields(self, client, orgs):
        # when
        body = api(client, "get", "/organizations").json()
        # then
        assert set(body) == {"count", "page", "page_size", "items"}
        assert body["count"] == 3 and body["page"] == 1 and body["page_size"] == 20
        assert all("contacts" not in item and item["representation"] == "public" for item in body["items"])
        assert {"id", "name", "credit_code", "kind", "region"} <= set(body["items"][0])

    def test_page_size_is_capped_at_100(self, client, orgs):
        assert api(client, "get", "/organizations?page_size=500").json()["page_size"] == 100

    def test_region_filter_includes_the_subtree(self, client, orgs):
        names = {i["name"] for i in api(client, "get", "/organizations?region=410100").json()["items"]}
        assert names == {"金水测试科技有限公司", "二七测试机械有限公司"}
        names = {i["name"] for i in api(client, "get", "/organizations?region=4101").json()["items"]}
        assert "鹤壁测试材料有限公司" not in names

    def test_unknown_region_is_404_with_error_shape(self, client, orgs):
        resp = api(client, "get", "/organizations?region=999999")
        assert resp.status_code == 404
        assert resp.json()["errors"][0]["code"] == "not_found"


class TestErrorShapes:
    def test_write_without_credentials_is_401(self, client):
        resp = api(client, "post", "/organizations", {"name": "x"})
        assert resp.status_code == 401
        error = resp.json()["errors"][0]
        assert error["field"] is None and error["code"] == "not_authenticated" and error["message"]

    def test_invalid_credit_code_is_422_on_the_field_in_chinese(self, client, bureau):
        # given
        _token, raw = api_token_create(user=bureau)
        code = valid_credit_code("410105")
        bad = code[:17] + ("0" if code[17] != "0" else "1")
        # when
        resp = api(client, "post", "/organizations",
                   {"name": "新登记科技有限公司", "credit_code": bad, "kind": "enterprise", "region": "410105"}, raw)
        # then
        assert resp.status_code == 422
        errors = resp.json()["errors"]
        assert errors[0]["field"] == "credit_code"
        assert "统一社会信用代码无效" in errors[0]["message"] and "校验位错误" in errors[0]["message"]
        assert not Organization.objects.filter(name="新登记科技有限公司").exists()

    def test_missing_required_field_is_422_naming_it(self, client, bureau):
        _token, raw = api_token_create(user=bureau)
        resp = api(client, "post", "/organizations", {"name": "缺字段公司"}, raw)
        assert resp.status_code == 422
        fields = {e["field"] for e in resp.json()["errors"]}
        assert {"credit_code", "kind", "region"} <= fields
        assert all(e["message"] == "此字段为必填项" for e in resp.json()["errors"])

    def test_expired_token_is_401(self, client, bureau):
        token, raw = api_token_create(user=bureau)
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        token.save()
        assert api(client, "get", "/organizations", token=raw).status_code == 401

    def test_revoked_token_is_401(self, client, bureau):
        from techmarket.accounts.services import api_token_revoke

        token, raw = api_token_create(user=bureau)
        api_token_revoke(token=token)
        assert api(client, "get", "/organizations", token=raw).status_code == 401


class TestDistrictOfficerScope:
    """Issue must-show: officer-410105 and a 二七区 organization."""

    def test_patch_out_of_scope_is_404(self, client, officer, orgs):
        _t, raw = api_token_create(user=officer)
        resp = api(client, "patch", f"/organizations/{orgs['erqi'].pk}", {"name": "改名"}, raw)
        assert resp.status_code == 404
        orgs["erqi"].refresh_from_db()
        assert orgs["erqi"].name == "二七测试机械有限公司"

    def test_get_out_of_scope_is_public_representation(self, client, officer, orgs):
        _t, raw = api_token_create(user=officer)
        body = api(client, "get", f"/organizations/{orgs['erqi'].pk}", token=raw).json()
        assert body["representation"] == "public" and "contacts" not in body

    def test_in_scope_get_is_managed_with_masked_contacts(self, client, officer, orgs):
        _t, raw = api_token_create(user=officer)
        body = api(client, "get", f"/organizations/{orgs['jinshui'].pk}", token=raw).json()
        assert body["representation"] == "managed"
        assert body["contacts"] == [{"name": "王经理", "title": "", "phone": "139****5678", "email": "wa***@example.cn"}]

    def test_bureau_admin_sees_clear_contacts(self, client, bureau, orgs):
        _t, raw = api_token_create(user=bureau)
        body = api(client, "get", f"/organizations/{orgs['jinshui'].pk}", token=raw).json()
        assert body["contacts"][0]["phone"] == "13912345678"

    def test_in_scope_patch_is_recorded_with_masked_history(self, client, officer, orgs):
        _t, raw = api_token_create(user=officer)
        resp = api(client, "patch", f"/organizations/{orgs['jinshui'].pk}",
                   {"address": "金水路 1 号", "contacts": [{"name": "赵工", "phone": "13700002222"}]}, raw)
        assert resp.status_code == 200
        history = api(client, "get", f"/organizations/{orgs['jinshui'].pk}/history", token=raw).json()["items"]
        change = history[-1]
        assert change["actor"] == "officer-410105"
        contacts_change = next(c for c in change["changes"] if c["field"] == "contacts")
        assert "13700002222" not in json.dumps(contacts_change, ensure_ascii=False)
        assert "137****2222" in json.dumps(contacts_change, ensure_ascii=False)

    def test_officer_cannot_move_an_organization_out_of_scope(self, client, officer, orgs):
        _t, raw = api_token_create(user=officer)
        resp = api(client, "patch", f"/organizations/{orgs['jinshui'].pk}", {"region": "410103"}, raw)
        assert resp.status_code == 403
        assert resp.json()["errors"][0]["code"] == "permission_denied"


class TestSessionAuth:
    def test_session_write_needs_csrf(self, make_user, orgs):
        from django.test import Client

        user = make_user("bureau-4101", "bureau_admin", region_code="410100")
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        resp = client.patch(f"{API}/organizations/{orgs['jinshui'].pk}", json.dumps({"address": "x"}),
                            content_type="application/json")
        assert resp.status_code == 403


class TestPeopleMasking:
    def test_people_api_masks_phone_and_id_for_district_officer(self, client, officer, bureau):
        from .factories import make_person

        person = make_person("刘专家", region_code="410105", phone="13912345678", id_number="410105198001011234",
                             email="liu@example.cn")
        _t, raw = api_token_create(user=officer)
        body = api(client, "get", f"/people/{person.pk}", token=raw).json()
        assert body["phone"] == "139****5678" and body["id_number"] == "4101**********1234"
        _t, raw = api_token_create(user=bureau)
        body = api(client, "get", f"/people/{person.pk}", token=raw).json()
        assert body["phone"] == "13912345678"
        anonymous = api(client, "get", f"/people/{person.pk}").json()
        assert "phone" not in anonymous and "id_number" not in anonymous and "email" not in anonymous
