"""Django admin for users, API tokens and registration requests.

Token hashes are never shown; tokens are created by their owners (profile page) or the
`techmarket api_token` command, because the raw value is shown only once.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from techmarket.core.admin import AuditedModelAdmin

from . import services
from .models import APIToken, RegistrationRequest, User
from .roles import ADMIN_SITE_ROLES


class TechmarketUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


class TechmarketUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class LockedFilter(admin.SimpleListFilter):
    title = _("登录锁定")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("锁定中"))]

    def queryset(self, request, queryset):
        from django.utils import timezone

        if self.value() == "yes":
            return queryset.filter(locked_until__gt=timezone.now())
        return queryset


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = TechmarketUserChangeForm
    add_form = TechmarketUserCreationForm
    list_display = ("username", "name", "organization", "region", "roles_display", "is_active", "is_staff",
                    "is_demo", "locked_display", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "is_demo", "groups", LockedFilter)
    search_fields = ("username", "name", "email", "organization__name", "organization__credit_code")
    autocomplete_fields = ("organization", "region")
    readonly_fields = ("last_login", "date_joined", "failed_logins")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (_("单位与区域"), {"fields": ("organization", "region")}),
        (_("角色与权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("登录安全"), {"fields": ("failed_logins", "locked_until", "is_demo")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (_("单位与区域"), {"fields": ("organization", "region")}),
    )
    actions = ["unlock_users"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "region").prefetch_related("groups")

    @admin.display(description=_("角色"))
    def roles_display(self, obj) -> str:
        from .roles import Role

        labels = dict(Role.choices)
        return "、".join(str(labels.get(g.name, g.name)) for g in obj.groups.all())

    @admin.display(description=_("锁定"), boolean=True)
    def locked_display(self, obj) -> bool:
        return obj.is_locked()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        # Bureau administrators use the admin (limited by their permissions).
        if not user.is_staff and user.groups.filter(name__in=[r.value for r in ADMIN_SITE_ROLES]).exists():
            User.objects.filter(pk=user.pk).update(is_staff=True)

    @admin.action(description=_("解除所选用户的登录锁定"))
    def unlock_users(self, request, queryset):
        from django.utils import timezone

        from techmarket.core.audit import record_change
        from techmarket.core.models import ObjectChange

        n = 0
        for user in queryset.filter(locked_until__gt=timezone.now()):
            before = {"locked_until": user.locked_until.isoformat(), "failed_logins": user.failed_logins}
            User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
            record_change(obj=user, action=ObjectChange.Action.UPDATE, by=request.user, before=before,
                          after={"locked_until": None, "failed_logins": 0}, comment="管理后台：解除登录锁定")
            n += 1
        self.message_user(request, ngettext("已解除 %d 个账号的锁定", "已解除 %d 个账号的锁定", n) % n,
                          messages.SUCCESS)


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ("prefix_display", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at",
                    "valid_display")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "expires_at")
    search_fields = ("prefix", "name", "user__username", "user__name")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ["revoke_tokens"]

    @admin.display(description=_("前缀"), ordering="prefix")
    def prefix_display(self, obj) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_("有效"), boolean=True)
    def valid_display(self, obj) -> bool:
        return obj.is_valid

    def has_add_permission(self, request):
        return False  # the raw value is shown once: tokens come from the profile page or `techmarket api_token`

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        n = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, by=request.user)
            n += 1
        self.message_user(request, ngettext("已吊销 %d 个令牌", "已吊销 %d 个令牌", n) % n, messages.SUCCESS)


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are reviewed at /manage/registrations/ through the workflow."""

    list_display = ("created_at", "organization_name", "credit_code", "region", "kind", "name", "username", "status")
    list_filter = ("status", "kind")
    search_fields = ("organization_name", "credit_code", "username", "name")
    exclude = ("password_hash",)
    list_select_related = ("region",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "password_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
