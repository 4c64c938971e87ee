from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from techmarket.accounts import services
from techmarket.accounts.roles import ROLE_PERMISSIONS, Role

from .factories import make_user

pytestmark = pytest.mark.django_db


def _perm_names(group: Group) -> set[str]:
    return {f"{a}.{c}" for a, c in group.permissions.values_list("content_type__app_label", "codename")}


class TestRolesSync:
    def test_migrate_created_one_group_per_role_with_its_permissions(self):
        # given: the test database was built by migrate (post_migrate ran roles_sync)
        # when
        groups = {g.name: g for g in Group.objects.all()}
        # then
        assert set(Role.values) <= set(groups)
        for role in Role:
            assert _perm_names(groups[role.value]) == set(ROLE_PERMISSIONS[role])

    def test_sync_restores_removed_and_drops_extra_permissions(self):
        # given
        group = Group.objects.get(name=Role.DISTRICT_OFFICER)
        group.permissions.remove(Permission.objects.get(codename="review_registration"))
        group.permissions.add(Permission.objects.get(codename="delete_organization"))
        # when
        report = services.roles_sync()
        # then
        assert report.added == {"district_officer": ["accounts.review_registration"]}
        assert report.removed == {"district_officer": ["directory.delete_organization"]}
        assert _perm_names(group) == set(ROLE_PERMISSIONS[Role.DISTRICT_OFFICER])

    def test_dry_run_reports_without_writing(self):
        # given
        Group.objects.filter(name=Role.INVESTOR).delete()
        # when
        report = services.roles_sync(commit=False)
        # then
        assert report.created_groups == ["investor"]
        assert not Group.objects.filter(name=Role.INVESTOR).exists()

    def test_unknown_permission_fails_loudly(self, monkeypatch):
        # given
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.EXPERT, ["directory.fly_organization"])
        # when / then
        with pytest.raises(ImproperlyConfigured, match="directory.fly_organization"):
            services.roles_sync()

    def test_permissions_of_apps_not_installed_are_skipped(self, monkeypatch):
        # given
        monkeypatch.setitem(ROLE_PERMISSIONS, Role.EXPERT, ["instruments.book_instrument"])
        # when
        report = services.roles_sync()
        # then
        assert report.skipped == ["instruments.book_instrument"]
        assert _perm_names(Group.objects.get(name=Role.EXPERT)) == set()

    def test_bureau_admins_get_the_admin_site_district_officers_do_not(self):
        # given / when
        admin = make_user("bureau-4101", roles=[Role.BUREAU_ADMIN], region_code="410100")
        officer = make_user("officer-410105", roles=[Role.DISTRICT_OFFICER])
        # then
        assert admin.is_staff is True
        assert officer.is_staff is False

    def test_sync_grants_is_staff_to_bureau_admins_missing_it(self):
        # given
        admin = make_user("bureau-4106", roles=[Role.BUREAU_ADMIN], region_code="410600")
        type(admin).objects.filter(pk=admin.pk).update(is_staff=False)
        # when
        report = services.roles_sync()
        # then
        admin.refresh_from_db()
        assert report.staff_granted == ["bureau-4106"]
        assert admin.is_staff is True


class TestUserSetRoles:
    def test_losing_bureau_admin_role_takes_the_admin_site_away(self):
        # given
        user = make_user("bureau-x", roles=[Role.BUREAU_ADMIN])
        # when
        services.user_set_roles(user=user, roles=[Role.EXPERT])
        # then
        user.refresh_from_db()
        assert user.is_staff is False
        assert user.role_names == {"expert"}

    def test_unknown_role_is_refused(self):
        from techmarket.core.errors import ApplicationError

        user = make_user()
        with pytest.raises(ApplicationError):
            services.user_set_roles(user=user, roles=["wizard"])


class TestSyncRolesCommand:
    def test_command_is_a_dry_run_without_commit(self):
        # given
        Group.objects.filter(name=Role.BROKER).delete()
        out = StringIO()
        # when
        call_command("accounts_sync_roles", stdout=out)
        # then
        assert "新建角色组：broker" in out.getvalue()
        assert not Group.objects.filter(name=Role.BROKER).exists()

    def test_command_with_commit_applies(self):
        Group.objects.filter(name=Role.BROKER).delete()
        call_command("accounts_sync_roles", "--commit", stdout=StringIO())
        assert Group.objects.filter(name=Role.BROKER).exists()
