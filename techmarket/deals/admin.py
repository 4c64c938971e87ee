"""Admin: deals, public notices and objections, read-mostly (changes go through the services)."""
from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Deal, Objection, PublicNotice


@admin.register(Deal)
class DealAdmin(AuditedModelAdmin):
    list_display = ("__str__", "seller", "buyer", "method", "transfer_mode", "price_fen", "status", "closed_at")
    list_filter = ("status", "method", "transfer_mode")
    search_fields = ("achievement__title", "seller__name", "buyer__name")
    raw_id_fields = ("achievement", "seller", "buyer", "broker", "listing", "auction", "winning_bid", "contract",
                     "created_by")
    readonly_fields = ("status", "closed_at", "contract", "created_by", "created_at", "updated_at")


class ObjectionInline(admin.TabularInline):
    model = Objection
    extra = 0
    fields = ("user", "organization", "text", "status", "resolution", "resolved_by", "resolved_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(AuditedModelAdmin):
    list_display = ("title", "published_at", "ends_on", "closes_from")
    search_fields = ("title",)
    raw_id_fields = ("deal",)
    readonly_fields = ("deal", "published_at", "ends_on", "closes_from", "created_at", "updated_at")
    inlines = [ObjectionInline]


@admin.register(Objection)
class ObjectionAdmin(AuditedModelAdmin):
    list_display = ("notice", "user", "status", "created_at", "resolved_at")
    list_filter = ("status",)
    raw_id_fields = ("notice", "user", "organization", "resolved_by")
    readonly_fields = ("status", "resolved_by", "resolved_at", "created_at", "updated_at")
