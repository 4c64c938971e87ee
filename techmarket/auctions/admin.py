"""Admin: the auction defaults (bureau), auctions and bidders (read-mostly), bids read-only.

Terms, deposits and states change through the services (the managed pages and the API), which keep
the history and the rules; the admin shows them and edits only the defaults.
"""
from __future__ import annotations

from django.contrib import admin

from techmarket.accounts.permissions import is_bureau_admin
from techmarket.core.admin import AuditedModelAdmin

from .models import Auction, AuctionSetting, Bid, Bidder


class BureauOnly:
    def _allowed(self, request) -> bool:
        return is_bureau_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(AuctionSetting)
class AuctionSettingAdmin(BureauOnly, AuditedModelAdmin):
    """One row: the defaults of auctions created from listings."""

    list_display = ("__str__", "increment_per_mille", "increment_round_yuan", "deposit_per_mille", "extension_minutes",
                    "opens_after_days", "duration_minutes", "signing_days", "updated_at")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request) and not AuctionSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


class ReadOnly(BureauOnly):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BidderInline(ReadOnly, admin.TabularInline):
    model = Bidder
    extra = 0
    fields = ("alias", "organization", "deposit_status", "deposit_reference", "deposit_confirmed_at", "status")
    readonly_fields = fields


@admin.register(Auction)
class AuctionAdmin(ReadOnly, AuditedModelAdmin):
    list_display = ("__str__", "seller", "status", "starts_at", "ends_at", "bid_count", "closed_at")
    list_filter = ("status",)
    search_fields = ("achievement__title", "seller__name")
    inlines = [BidderInline]
    readonly_fields = [f.name for f in Auction._meta.fields]


@admin.register(Bidder)
class BidderAdmin(ReadOnly, AuditedModelAdmin):
    list_display = ("alias", "auction", "organization", "deposit_status", "status")
    list_filter = ("deposit_status", "status")
    search_fields = ("organization__name", "auction__achievement__title")
    readonly_fields = [f.name for f in Bidder._meta.fields]


@admin.register(Bid)
class BidAdmin(ReadOnly, admin.ModelAdmin):
    """The log is append-only: read-only here, written only by services.bid_place."""

    list_display = ("auction", "seq", "bidder", "amount_fen", "created_at", "hash")
    list_filter = ("auction",)
    readonly_fields = [f.name for f in Bid._meta.fields]
