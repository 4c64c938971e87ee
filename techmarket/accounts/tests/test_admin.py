"""The Django admin: users with our fields, API tokens listed and revocable, never the hash."""
from __future__ import annotations

import pytest

from techmarket.accounts import services
from techmarket.accounts.models import APIToken

from .factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


class TestApiTokenAdmin:
    def test_list_never_shows_the_hash(self, client, superuser):
        token, _raw = services.api_token_create(user=make_user("owner"), name="对接脚本")
        page = client.get("/admin/accounts/apitoken/").content.decode()
        assert "对接脚本" in page and token.prefix in page
        assert token.key_hash not in page
        detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
        assert token.key_hash not in detail

    def test_revoke_action(self, client, superuser):
        token, raw = services.api_token_create(user=make_user("owner2"))
        response = client.post("/admin/accounts/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]})
        assert response.status_code == 302
        assert APIToken.objects.get(pk=token.pk).revoked_at is not None
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

    def test_tokens_cannot_be_added_in_the_admin(self, client, superuser):
        assert client.get("/admin/accounts/apitoken/add/").status_code == 403


class TestUserAdmin:
    def test_change_page_has_our_fields(self, client, superuser):
        user = make_user("someone")
        page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
        for field in ("name", "phone", "organization", "region", "is_demo", "locked_until_0"):
            assert f'name="{field}"' in page

    def test_add_user(self, client, superuser):
        response = client.post("/admin/accounts/user/add/", {
            "username": "admin-made", "usable_password": "true", "password1": "Admin-made-pass-2025",
            "password2": "Admin-made-pass-2025", "name": "后台新建", "phone": "", "email": "",
            "organization": "", "region": ""})
        assert response.status_code == 302, response.content.decode()[:2000]
        from techmarket.accounts.models import User

        assert User.objects.get(username="admin-made").check_password("Admin-made-pass-2025")

    def test_bureau_admin_enters_the_admin_limited_by_permissions(self, client):
        admin = make_user("bureau-4101", roles=["bureau_admin"], region_code="410100")
        client.force_login(admin)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/accounts/apitoken/").status_code == 403

    def test_district_officer_cannot_enter_the_admin(self, client):
        client.force_login(make_user("officer-410105", roles=["district_officer"]))
        assert client.get("/admin/").status_code == 302
