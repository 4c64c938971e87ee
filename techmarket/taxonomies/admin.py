from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Scheme, Term


@admin.register(Scheme)
class SchemeAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "source")
    search_fields = ("code", "name")


@admin.register(Term)
class TermAdmin(AuditedModelAdmin):
    list_display = ("scheme", "code", "name", "level", "parent", "is_active")
    list_filter = ("scheme", "level", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    filter_horizontal = ("mapped_to",)
