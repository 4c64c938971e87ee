from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_zone", "is_official", "export_code")
    list_filter = ("level", "is_zone", "is_official")
    search_fields = ("code", "name", "short_names")
    readonly_fields = ("path",)
    raw_id_fields = ("parent",)
    fields = ("code", "name", "level", "parent", "path", "is_zone", "is_official", "short_names", "export_code")

    def save_model(self, request, obj, form, change):
        obj.path = (obj.parent.path if obj.parent else "") + obj.code + "/"
        super().save_model(request, obj, form, change)
