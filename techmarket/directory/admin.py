from django.contrib import admin

from techmarket.core.admin import AuditedModelAdmin

from .models import Contact, Organization, Person, Platform, Qualification


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ("name", "credit_code", "kind", "region", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("region", "party_nature", "industry")
    filter_horizontal = ("tech_fields",)
    inlines = [ContactInline, QualificationInline]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "title", "organization", "region")
    list_filter = ("kind",)
    search_fields = ("name", "expertise")
    raw_id_fields = ("region", "organization", "user")
    filter_horizontal = ("tech_fields", "disciplines")


@admin.register(Platform)
class PlatformAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "level", "organization", "region", "valid_until")
    list_filter = ("kind", "level")
    search_fields = ("name",)
    raw_id_fields = ("region", "organization")
    filter_horizontal = ("tech_fields",)
