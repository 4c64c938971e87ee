"""Admin: technology contracts, read-mostly. Status changes go through the workflow and amounts through
services.contract_update (which keeps 技术交易额 = 合同成交额 − 非技术性费用), so both are read-only here."""
from __future__ import annotations

from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import (
    ContractPayment,
    NonTechnicalCost,
    PaymentEvidence,
    RegistrarCertificate,
    RegistrationPoint,
    RegistrationSerial,
    RegistrationSetting,
    TechContract,
)


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
                    "registration_number", "registered_on", "signed_on", "created_at")
    list_filter = ("status", "source", "category", "registration_point", "registration_number_source")
    search_fields = ("name", "seller_name", "buyer_name", "seller_credit_code", "buyer_credit_code",
                     "registration_number")
    date_hierarchy = "signed_on"
    raw_id_fields = ("seller_organization", "buyer_organization", "seller_region", "buyer_region", "category",
                     "seller_nature", "buyer_nature", "tech_field", "ip_type", "plan_category", "broker",
                     "broker_agency", "achievement", "created_by")
    # Registration fields change only through the registration services (numbers, statistics, history).
    readonly_fields = ("status", "source", "total_amount_fen", "tech_amount_fen", "achievement", "created_by",
                       "created_at", "updated_at", "registration_point", "submitted_at", "decision_due_on",
                       "examined_by", "registration_number", "registration_number_source", "registered_on",
                       "deregistered_on")
    inlines = [NonTechnicalCostInline]

    def has_add_permission(self, request):
        return False  # contracts are entered through the product (services.contract_create) or come from deals


@admin.register(RegistrationSetting)
class RegistrationSettingAdmin(AuditedModelAdmin):
    list_display = ("city", "issues_numbers", "number_layout", "updated_at")
    list_filter = ("issues_numbers",)
    raw_id_fields = ("city",)


@admin.register(RegistrationPoint)
class RegistrationPointAdmin(AuditedModelAdmin):
    list_display = ("name", "city", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "city__name")
    raw_id_fields = ("city",)


@admin.register(RegistrarCertificate)
class RegistrarCertificateAdmin(AuditedModelAdmin):
    list_display = ("number", "user", "point", "valid_from", "valid_to", "revoked")
    list_filter = ("revoked", "point")
    search_fields = ("number", "user__username", "user__name")
    raw_id_fields = ("user",)


@admin.register(RegistrationSerial)
class RegistrationSerialAdmin(admin.ModelAdmin):
    """Read only: serials move only inside registrations (gap-free)."""

    list_display = ("point", "year", "last_serial")
    list_filter = ("year",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentEvidenceInline(admin.TabularInline):
    model = PaymentEvidence
    extra = 0
    fields = ("kind", "original_name", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ContractPayment)
class ContractPaymentAdmin(admin.ModelAdmin):
    """Read only: payments are recorded by the parties (payments.payment_record keeps the cap)."""

    list_display = ("contract", "paid_on", "amount_fen", "recorded_by", "created_at")
    date_hierarchy = "paid_on"
    raw_id_fields = ("contract", "recorded_by")
    inlines = [PaymentEvidenceInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
