"""Admin: events and registrations, read-mostly (status through the workflow, registrations through the
registration service so capacity holds). Phones are shown masked in the registration list."""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from techmarket.core.admin import AuditedModelAdmin
from techmarket.core.masking import mask

from .models import Event, EventRegistration


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    fields = ("attendee_name", "organization", "masked_phone", "attendee_count", "status", "created_at")
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask("phone", obj.phone)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "status", "starts_at", "region", "organizer_organization", "capacity")
    list_filter = ("kind", "status")
    search_fields = ("title", "venue", "organizer_organization__name")
    date_hierarchy = "starts_at"
    raw_id_fields = ("region", "organizer_organization", "created_by")
    filter_horizontal = ("achievements",)
    readonly_fields = ("status", "published_at", "created_by", "created_at", "updated_at")
    inlines = [EventRegistrationInline]

    def has_add_permission(self, request):
        return False  # events are organised through the product (services.event_create)
