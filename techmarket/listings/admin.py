"""Admin: listings and interests, read-mostly (status changes go through the workflow and its services)."""
from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Interest, Listing


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0
    fields = ("organization", "user", "status", "note", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(AuditedModelAdmin):
    list_display = ("__str__", "seller", "transfer_mode", "price_fen", "status", "round", "starts_at", "ends_at")
    list_filter = ("status", "transfer_mode")
    search_fields = ("achievement__title", "seller__name")
    raw_id_fields = ("achievement", "seller", "broker", "created_by")
    readonly_fields = ("status", "starts_at", "ends_at", "round", "created_by", "created_at", "updated_at")
    inlines = [InterestInline]


@admin.register(Interest)
class InterestAdmin(AuditedModelAdmin):
    list_display = ("listing", "organization", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("organization__name", "listing__achievement__title")
    raw_id_fields = ("listing", "organization", "user")
    readonly_fields = ("status", "created_at", "updated_at")
