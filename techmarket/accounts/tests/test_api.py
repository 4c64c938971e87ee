"""GET /api/v1/me, token lists and revocation; token expiry, revocation and lockout."""
from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from techmarket.accounts import services
from techmarket.accounts.models import APIToken

from .factories import make_organization, make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


class TestMe:
    def test_me_with_a_token(self, client):
        # given
        org = make_organization(name="郑州测试科技有限公司", region_code="410105")
        user = make_user("alice", roles=["enterprise"], organization=org, name="王丽")
        _token, raw = services.api_token_create(user=user)
        # when
        response = client.get(ME, **_bearer(raw))
        # then
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == "alice"
        assert body["name"] == "王丽"
        assert body["roles"] == ["enterprise"]
        assert body["organization"] == {"id": org.pk, "name": "郑州测试科技有限公司", "credit_code": org.credit_code}
        assert body["region"] == "410105"

    def test_me_with_the_session(self, client):
        client.force_login(make_user("bob", roles=["district_officer"], region_code="410102"))
        body = client.get(ME).json()
        assert body["roles"] == ["district_officer"]
        assert body["organization"] is None
        assert body["region"] == "410102"

    def test_me_without_credentials_is_401(self, client):
        response = client.get(ME)
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "not_authenticated"

    def test_unknown_token_is_401(self, client):
        response = client.get(ME, **_bearer("tm_not-a-real-token"))
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"]


class TestApiTokenLifetime:
    def test_expired_token_is_401(self, client):
        # given
        with freeze_time("2025-01-01 12:00:00+08:00") as frozen:
            _token, raw = services.api_token_create(user=make_user("carol"), days=30)
            assert client.get(ME, **_bearer(raw)).status_code == 200
            # when
            frozen.move_to("2025-01-31 12:00:01+08:00")
            response = client.get(ME, **_bearer(raw))
        # then
        assert response.status_code == 401
        errors = response.json()["errors"]
        assert errors[0]["code"] == "not_authenticated"
        assert errors[0]["message"] == "令牌无效、已过期或已被吊销"

    def test_default_lifetime_is_one_year(self, settings):
        settings.TECHMARKET_API_TOKEN_DAYS = 365
        with freeze_time("2025-01-01 00:00:00+08:00"):
            token, _raw = services.api_token_create(user=make_user())
            assert token.expires_at - timezone.now() == datetime.timedelta(days=365)

    def test_revoked_token_is_401(self, client):
        # given
        token, raw = services.api_token_create(user=make_user("dave"))
        # when
        services.api_token_revoke(token=token)
        # then
        assert client.get(ME, **_bearer(raw)).status_code == 401

    def test_locked_account_cannot_use_its_token(self, client):
        # given
        user = make_user("erin")
        _token, raw = services.api_token_create(user=user)
        with freeze_time("2025-03-03 10:00:00+08:00") as frozen:
            for _ in range(5):
                client.post("/accounts/login/", {"username": "erin", "password": "wrong-password"})
            # when
            locked = client.get(ME, **_bearer(raw))
            frozen.move_to("2025-03-03 10:16:00+08:00")
            unlocked = client.get(ME, **_bearer(raw))
        # then
        assert locked.status_code == 401
        assert unlocked.status_code == 200

    def test_deactivated_account_cannot_use_its_token(self, client):
        user = make_user("fay")
        _token, raw = services.api_token_create(user=user)
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        assert client.get(ME, **_bearer(raw)).status_code == 401

    def test_demo_account_token_is_refused_when_demo_mode_is_off(self, client, settings):
        settings.TECHMARKET_DEMO = False
        _token, raw = services.api_token_create(user=make_user("ent-4106-1", is_demo=True))
        assert client.get(ME, **_bearer(raw)).status_code == 401


class TestApiTokenStorage:
    def test_raw_token_is_nowhere_in_the_database(self, client):
        # given
        user = make_user("gus")
        client.force_login(user)
        # when: created through the profile page (which shows it once)
        response = client.post("/accounts/profile/tokens/", {"name": "同步", "days": 30})
        raw = response.context["new_token"]["raw"]
        # then
        assert raw in response.content.decode()
        token = APIToken.objects.get(user=user)
        assert token.key_hash == APIToken.hash(raw) != raw
        assert token.prefix == raw[:10]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT * FROM {quoted}")
                for row in cursor.fetchall():
                    assert not any(isinstance(v, str) and raw in v for v in row), table

    def test_token_create_is_audited_without_the_hash(self):
        from techmarket.core.models import ObjectChange

        token, _raw = services.api_token_create(user=make_user(), name="脚本")
        change = ObjectChange.objects.get(object_id=str(token.pk), content_type__model="apitoken")
        assert "key_hash" not in change.after


class TestApiTokenEndpoints:
    def test_list_shows_mine_only_and_never_the_hash(self, client):
        # given
        me, other = make_user("hal"), make_user("ian")
        mine, raw = services.api_token_create(user=me, name="我的")
        services.api_token_create(user=other, name="别人的")
        # when
        body = client.get("/api/v1/api-tokens", **_bearer(raw)).json()
        # then
        assert body["count"] == 1
        assert body["items"][0]["id"] == mine.pk
        assert body["items"][0]["name"] == "我的"
        assert "key_hash" not in body["items"][0]
        assert body["items"][0]["expires_at"].endswith("+08:00")

    def test_delete_revokes_my_token(self, client):
        me = make_user("jay")
        _auth, raw = services.api_token_create(user=me)
        target, target_raw = services.api_token_create(user=me, name="旧脚本")
        response = client.delete(f"/api/v1/api-tokens/{target.pk}", **_bearer(raw))
        assert response.status_code == 200
        assert response.json()["revoked_at"] is not None
        assert client.get(ME, **_bearer(target_raw)).status_code == 401

    def test_delete_of_someone_elses_token_is_404(self, client):
        _mine, raw = services.api_token_create(user=make_user("kim"))
        theirs, _r = services.api_token_create(user=make_user("lee"))
        response = client.delete(f"/api/v1/api-tokens/{theirs.pk}", **_bearer(raw))
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.revoked_at is None


class TestApiTokenCreate:
    def test_days_out_of_range_is_refused(self):
        from techmarket.core.errors import ApplicationError

        with pytest.raises(ApplicationError) as exc:
            services.api_token_create(user=make_user(), days=0)
        assert exc.value.errors[0].field == "days"

    def test_nobody_creates_tokens_for_others(self):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.api_token_create(user=make_user(), by=make_user())
