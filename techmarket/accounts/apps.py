from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_roles_after_migrate(sender, using, apps=None, verbosity=1, **kwargs):
    """Every database (tests included) gets the role groups with their permissions.

    Django creates each app's permissions in that app's own post_migrate turn; apps after accounts in
    INSTALLED_APPS have not had theirs yet, so create them all first (idempotent), then sync.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db import connections

    from .models import User

    tables = set(connections[using].introspection.table_names())
    if not {Permission._meta.db_table, Group._meta.db_table, User._meta.db_table} <= tables:
        return  # a partial migrate (e.g. `migrate contenttypes`): nothing to sync yet
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    from .services import roles_sync

    report = roles_sync(using=using)
    if verbosity >= 2:
        for line in report.lines():
            print("  " + line)


class AccountsConfig(AppConfig):
    name = "techmarket.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from . import permissions, workflows  # noqa: F401  (policies and the registration workflow)

        post_migrate.connect(sync_roles_after_migrate, sender=self,
                             dispatch_uid="techmarket.accounts.sync_roles_after_migrate")
