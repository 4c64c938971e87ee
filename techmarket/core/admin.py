"""Admin base: every admin write goes to the same audit trail as the product's own services."""
from __future__ import annotations

from django.contrib import admin

from .audit import record_change, snapshot
from .models import ImportJob, ObjectChange, StatusChange


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        self._pending_audit = (obj, before, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, before, change = getattr(self, "_pending_audit", (form.instance, None, change))
        record_change(obj=obj, action=ObjectChange.Action.UPDATE if change else ObjectChange.Action.CREATE,
                      by=request.user, before=before, comment="管理后台")

    def delete_model(self, request, obj):
        before = snapshot(obj)
        record_change(obj=obj, action=ObjectChange.Action.DELETE, by=request.user, before=before, after=None,
                      comment="管理后台")
        super().delete_model(request, obj)


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "content_type", "object_repr", "comment")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "object_id")
    readonly_fields = [f.name for f in ObjectChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(ObjectChangeAdmin):
    list_display = ("created_at", "actor", "content_type", "object_id", "action_label", "from_status", "to_status")
    list_filter = ("content_type", "action")
    search_fields = ("object_id", "comment")
    readonly_fields = [f.name for f in StatusChange._meta.fields]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Excel imports (R6): who imported which file and how it went; written only by core.jobs."""

    list_display = ("created_at", "kind", "user", "file_name", "status", "total_rows", "created_count")
    list_filter = ("status", "kind")
    search_fields = ("file_name", "user__username", "user__name")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
