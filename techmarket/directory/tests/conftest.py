import pytest
from django.contrib.auth.models import Group, Permission

from techmarket.accounts.models import User
from techmarket.accounts.roles import ROLE_PERMISSIONS
from techmarket.regions.models import Region


def role_group(role: str) -> Group:
    """The role's group with its permissions (as the post-migrate role sync sets them up)."""
    group, _ = Group.objects.get_or_create(name=role)
    if not group.permissions.exists():
        for perm in ROLE_PERMISSIONS[role]:
            app, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            if found:
                group.permissions.add(found)
    return group


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None, *, region_code: str | None = None, organization=None,
             superuser: bool = False) -> User:
        user = User.objects.create_user(username=username, password="pw-for-tests-123", name=username,
                                        is_superuser=superuser, organization=organization,
                                        region=Region.objects.get(code=region_code) if region_code else None)
        if role:
            user.groups.add(role_group(role))
        return user
    return make
