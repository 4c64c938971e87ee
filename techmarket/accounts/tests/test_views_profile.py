"""The profile page: own details, roles and organization, API tokens."""
from __future__ import annotations

import pytest

from techmarket.accounts import services
from techmarket.accounts.models import APIToken

from .factories import make_organization, make_user

pytestmark = pytest.mark.django_db


class TestProfile:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/accounts/profile/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")

    def test_shows_roles_and_organization(self, client):
        org = make_organization(name="郑州展示科技有限公司")
        client.force_login(make_user(roles=["enterprise", "broker"], organization=org))
        page = client.get("/accounts/profile/").content.decode()
        assert "郑州展示科技有限公司" in page and "企业用户" in page and "技术经纪人/技术转移机构" in page

    def test_edit_name_email_phone(self, client):
        user = make_user("edit-me")
        client.force_login(user)
        response = client.post("/accounts/profile/", {"name": "赵六", "email": "zhao@example.cn",
                                                      "phone": "13700000000"})
        assert response.status_code == 302
        user.refresh_from_db()
        assert (user.name, user.email, user.phone) == ("赵六", "zhao@example.cn", "13700000000")

    def test_bad_phone_is_shown_on_the_field(self, client):
        client.force_login(make_user())
        response = client.post("/accounts/profile/", {"name": "赵六", "email": "zhao@example.cn", "phone": "abc"})
        assert response.context["profile_form"].errors["phone"] == ["手机号格式不正确"]

    def test_profile_edit_is_audited_with_masked_phone(self, client):
        from techmarket.core.models import ObjectChange

        user = make_user()
        client.force_login(user)
        client.post("/accounts/profile/", {"name": "赵六", "email": "zhao@example.cn", "phone": "13700001234"})
        change = ObjectChange.objects.filter(object_id=str(user.pk), comment="修改个人信息").get()
        assert change.after["phone"] == "137****1234"


class TestProfileTokens:
    def test_create_shows_the_raw_token_once(self, client):
        client.force_login(make_user())
        created = client.post("/accounts/profile/tokens/", {"name": "省平台同步", "days": 90})
        raw = created.context["new_token"]["raw"]
        assert raw.startswith("tm_") and raw in created.content.decode()
        assert raw not in client.get("/accounts/profile/").content.decode()

    def test_revoke_mine(self, client):
        user = make_user()
        token, _raw = services.api_token_create(user=user)
        client.force_login(user)
        assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_revoke_someone_elses_is_404(self, client):
        token, _raw = services.api_token_create(user=make_user())
        client.force_login(make_user())
        assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
        assert APIToken.objects.get(pk=token.pk).revoked_at is None


class TestAccountLinksInTheFrame:
    def test_anonymous_visitors_see_register(self, client):
        assert 'href="/accounts/register/"' in client.get("/accounts/login/").content.decode()

    def test_signed_in_users_see_profile(self, client):
        client.force_login(make_user())
        assert 'href="/accounts/profile/"' in client.get("/accounts/profile/").content.decode()
