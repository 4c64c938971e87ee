"""Django admin: a read-only view of integrity records. Records are recorded, corrected and revoked on
/manage/integrity/ (services, audited), never edited here."""
from django.contrib import admin

from .models import IntegrityRecord


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "subject_kind", "subject_credit_code", "record_type", "effective_from",
                    "effective_to", "revoked_on", "is_published", "region")
    list_filter = ("record_type", "subject_kind", "is_published")
    search_fields = ("subject_name", "subject_credit_code", "source_document")
    date_hierarchy = "effective_from"
    raw_id_fields = ("organization", "person", "region", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
