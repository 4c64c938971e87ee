"""Admin: technology contracts, read-mostly. Status changes go through the workflow and amounts through
services.contract_update (which keeps 技术交易额 = 合同成交额 − 非技术性费用), so both are read-only here."""
from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import NonTechnicalCost, TechContract


class NonTechnicalCostInline(admin.TabularInline):
    model = NonTechnicalCost
    extra = 0
    fields = ("item", "amount_fen")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TechContract)
class TechContractAdmin(AuditedModelAdmin):
    list_display = ("name", "status", "source", "seller_name", "buyer_name", "total_amount_fen", "tech_amount_fen",
                    "signed_on", "created_at")
    list_filter = ("status", "source", "category")
    search_fields = ("name", "seller_name", "buyer_name", "seller_credit_code", "buyer_credit_code")
    date_hierarchy = "signed_on"
    raw_id_fields = ("seller_organization", "buyer_organization", "seller_region", "buyer_region", "category",
                     "seller_nature", "buyer_nature", "tech_field", "ip_type", "plan_category", "broker",
                     "broker_agency", "achievement", "created_by")
    readonly_fields = ("status", "source", "total_amount_fen", "tech_amount_fen", "achievement", "created_by",
                       "created_at", "updated_at")
    inlines = [NonTechnicalCostInline]

    def has_add_permission(self, request):
        return False  # contracts are entered through the product (services.contract_create) or come from deals
