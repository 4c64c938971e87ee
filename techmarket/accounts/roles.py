"""Roles of SPEC §1, kept as auth Groups with permissions (see accounts_sync_roles)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("市科技局管理员")
    DISTRICT_OFFICER = "district_officer", _("县区科技管理部门")
    REGISTRAR = "registrar", _("技术合同登记员")
    ENTERPRISE = "enterprise", _("企业用户")
    INSTITUTION = "institution", _("高校院所用户")
    EXPERT = "expert", _("专家/科研人员")
    BROKER = "broker", _("技术经纪人/技术转移机构")
    SERVICE_PROVIDER = "service_provider", _("服务机构")
    INVESTOR = "investor", _("投资机构")


STAFF_ROLES = {Role.BUREAU_ADMIN, Role.DISTRICT_OFFICER}
# Roles whose members may enter the Django admin (limited there by their permissions).
ADMIN_SITE_ROLES = {Role.BUREAU_ADMIN}

# Django permissions each role's group holds; object scope is checked in permissions.py.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_ADMIN: [
        "directory.view_organization", "directory.add_organization", "directory.change_organization",
        "directory.delete_organization", "directory.view_person", "directory.add_person",
        "directory.change_person", "directory.delete_person", "directory.view_platform",
        "directory.add_platform", "directory.change_platform", "directory.delete_platform",
        "directory.import_registry", "directory.export_registry",
        "taxonomies.change_term", "taxonomies.add_term", "regions.change_region",
        "accounts.review_registration", "accounts.manage_users",
        "portal.change_article", "portal.add_article", "portal.delete_article",
        "feedback.change_reasoncode", "feedback.add_reasoncode",
        "scheduling.change_scheduledjob", "scheduling.change_calendarday", "scheduling.add_calendarday",
        "scheduling.delete_calendarday",
        "targets.view_indicator", "targets.add_indicator", "targets.change_indicator",
        "targets.view_target", "targets.add_target", "targets.change_target",
        "targets.view_progressrule", "targets.add_progressrule", "targets.change_progressrule",
        "targets.view_reportedvalue",
    ],
    Role.DISTRICT_OFFICER: [
        "directory.view_organization", "directory.add_organization", "directory.change_organization",
        "directory.view_person", "directory.add_person", "directory.change_person",
        "directory.view_platform", "directory.add_platform", "directory.change_platform",
        "directory.import_registry", "directory.export_registry",
        "accounts.review_registration", "accounts.manage_users",
    ],
    Role.REGISTRAR: [],
    Role.ENTERPRISE: [],
    Role.INSTITUTION: [],
    Role.EXPERT: [],
    Role.BROKER: [],
    Role.SERVICE_PROVIDER: [],
    Role.INVESTOR: [],
}
