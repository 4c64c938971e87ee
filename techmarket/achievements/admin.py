"""Admin: achievements (read-mostly; status changes go through the workflow) and the freshness settings."""
from __future__ import annotations

from django.contrib import admin

from techmarket.accounts.permissions import is_bureau_admin
from techmarket.core.admin import AuditedModelAdmin

from .models import Achievement, AchievementAttachment, MarketSetting


@admin.register(MarketSetting)
class MarketSettingAdmin(AuditedModelAdmin):
    """One row; bureau administrators set the publication period and the reminder lead time."""

    list_display = ("__str__", "publication_months", "renewal_reminder_days", "updated_at")

    def _allowed(self, request) -> bool:
        return is_bureau_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request) and not MarketSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


class AchievementAttachmentInline(admin.TabularInline):
    model = AchievementAttachment
    extra = 0
    fields = ("original_name", "size", "is_confidential", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Achievement)
class AchievementAdmin(AuditedModelAdmin):
    list_display = ("title", "owner_organization", "region", "trl", "status", "published_at", "expires_at")
    list_filter = ("status", "trl")
    search_fields = ("title", "keywords_text", "owner_organization__name")
    raw_id_fields = ("owner_organization", "contact", "tech_field", "discipline", "ip_type", "region", "created_by")
    filter_horizontal = ("co_owners",)
    inlines = [AchievementAttachmentInline]
    readonly_fields = ("status", "published_at", "expires_at", "last_confirmed_at", "licence_count",
                       "created_by", "created_at", "updated_at")
