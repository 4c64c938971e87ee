"""District officers manage their district's users (SPEC §1): list, activate/deactivate, unlock."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techmarket.accounts import services
from techmarket.accounts.models import User
from techmarket.core.models import ObjectChange

from .factories import make_bureau_admin, make_district_officer, make_organization, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    jinshui = make_organization(name="金水区某公司", region_code="410105")
    zhongyuan = make_organization(name="中原区某公司", region_code="410102")
    return {
        "officer": make_district_officer(region_code="410105"),
        "in_scope": make_user("ent-jinshui", roles=["enterprise"], organization=jinshui),
        "out_of_scope": make_user("ent-zhongyuan", roles=["enterprise"], organization=zhongyuan),
        "peer": make_district_officer("officer-410105-b", region_code="410105"),
        "admin": make_bureau_admin(region_code="410100"),
    }


class TestUserList:
    def test_officer_lists_users_of_the_district(self, client, world):
        client.force_login(world["officer"])
        response = client.get("/manage/users/")
        usernames = {row["user"].username for row in response.context["rows"]}
        assert "ent-jinshui" in usernames
        assert "ent-zhongyuan" not in usernames
        assert "bureau-4101" not in usernames

    def test_bureau_admin_lists_the_whole_city(self, client, world):
        client.force_login(world["admin"])
        usernames = {row["user"].username for row in client.get("/manage/users/").context["rows"]}
        assert {"ent-jinshui", "ent-zhongyuan", "officer-410105"} <= usernames

    def test_plain_users_get_404(self, client, world):
        client.force_login(world["in_scope"])
        assert client.get("/manage/users/").status_code == 404

    def test_filter_locked(self, client, world):
        User.objects.filter(pk=world["in_scope"].pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=5))
        client.force_login(world["officer"])
        rows = client.get("/manage/users/?state=locked").context["rows"]
        assert [r["user"].username for r in rows] == ["ent-jinshui"]


class TestUserSetActive:
    def test_officer_deactivates_a_user_of_the_district(self, world):
        # when
        user = services.user_set_active(user=world["in_scope"], by=world["officer"], active=False)
        # then
        assert user.is_active is False
        change = ObjectChange.objects.filter(object_id=str(user.pk), content_type__model="user").last()
        assert change.actor == world["officer"] and change.comment == "停用账号"
        assert change.before["is_active"] is True and change.after["is_active"] is False

    def test_deactivated_user_can_no_longer_log_in(self, client, world):
        services.user_set_active(user=world["in_scope"], by=world["officer"], active=False)
        from .factories import PASSWORD

        response = client.post("/accounts/login/", {"username": "ent-jinshui", "password": PASSWORD})
        assert response.status_code == 200

    def test_out_of_scope_user_reads_as_missing(self, world):
        with pytest.raises(User.DoesNotExist):
            services.user_set_active(user=world["out_of_scope"], by=world["officer"], active=False)

    def test_out_of_scope_pages_are_404(self, client, world):
        client.force_login(world["officer"])
        target = world["out_of_scope"]
        assert client.post(f"/manage/users/{target.pk}/deactivate/").status_code == 404
        assert client.post(f"/manage/users/{target.pk}/unlock/").status_code == 404
        target.refresh_from_db()
        assert target.is_active is True

    def test_officer_cannot_manage_staff_of_the_district(self, world):
        with pytest.raises(PermissionDenied):
            services.user_set_active(user=world["peer"], by=world["officer"], active=False)

    def test_bureau_admin_manages_district_officers(self, world):
        assert services.user_set_active(user=world["peer"], by=world["admin"], active=False).is_active is False

    def test_nobody_deactivates_themselves(self, world):
        with pytest.raises(PermissionDenied):
            services.user_set_active(user=world["admin"], by=world["admin"], active=False)

    def test_reactivate_through_the_page(self, client, world):
        services.user_set_active(user=world["in_scope"], by=world["officer"], active=False)
        client.force_login(world["officer"])
        response = client.post(f"/manage/users/{world['in_scope'].pk}/activate/")
        assert response.status_code == 302
        world["in_scope"].refresh_from_db()
        assert world["in_scope"].is_active is True


class TestUserUnlock:
    def test_officer_unlocks_a_locked_account(self, client, world):
        # given
        from .factories import PASSWORD

        for _ in range(5):
            client.post("/accounts/login/", {"username": "ent-jinshui", "password": "wrong-password"})
        world["in_scope"].refresh_from_db()
        assert world["in_scope"].is_locked()
        # when
        services.user_unlock(user=world["in_scope"], by=world["officer"])
        # then
        assert client.post("/accounts/login/", {"username": "ent-jinshui", "password": PASSWORD}).status_code == 302
        change = ObjectChange.objects.filter(object_id=str(world["in_scope"].pk), comment="解除登录锁定").get()
        assert change.actor == world["officer"]
        assert change.after == {"locked_until": None, "failed_logins": 0}

    def test_unlock_page(self, client, world):
        User.objects.filter(pk=world["in_scope"].pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=9))
        client.force_login(world["officer"])
        assert client.post(f"/manage/users/{world['in_scope'].pk}/unlock/").status_code == 302
        world["in_scope"].refresh_from_db()
        assert not world["in_scope"].is_locked()
