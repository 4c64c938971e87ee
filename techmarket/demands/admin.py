from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Demand, DemandAttachment


class DemandAttachmentInline(admin.TabularInline):
    model = DemandAttachment
    extra = 0
    fields = ("original_name", "size", "is_confidential", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(AuditedModelAdmin):
    list_display = ("title", "owner_organization", "region", "deadline", "status", "published_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("title", "keywords_text", "owner_organization__name")
    raw_id_fields = ("owner_organization", "contact", "tech_field", "region", "created_by")
    inlines = [DemandAttachmentInline]
    readonly_fields = ("status", "published_at", "expires_at", "last_confirmed_at", "created_by", "created_at",
                       "updated_at")
