"""Admin: agreement versions (immutable once saved), requests and the access log (read-only)."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError

from .models import DisclosureAccess, DisclosureRequest, DisclosureTerms
from .services import disclosure_terms_make_current, disclosure_terms_publish


@admin.register(DisclosureTerms)
class DisclosureTermsAdmin(admin.ModelAdmin):
    list_display = ("title", "version", "is_current", "created_at")
    list_filter = ("is_current",)
    search_fields = ("title", "version", "body")
    actions = ["make_current"]

    def get_fields(self, request, obj=None):
        return ("title", "version", "body") if obj is None else ("title", "version", "body", "is_current",
                                                                   "created_at")

    def get_readonly_fields(self, request, obj=None):
        # A version that may have been signed never changes; publish a new version instead.
        return () if obj is None else ("title", "version", "body", "is_current", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            saved = disclosure_terms_publish(title=obj.title, version=obj.version, body=obj.body, by=request.user)
        except ApplicationError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        obj.pk = saved.pk

    @admin.action(description=_("设为现行版本"), permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本"), level=messages.ERROR)
            return
        disclosure_terms_make_current(terms=queryset.get(), by=request.user)
        self.message_user(request, _("已设为现行版本"))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnlyAdmin):
    list_display = ("record_repr", "content_type", "requester_organization", "requester", "status", "created_at",
                    "accepted_at")
    list_filter = ("status", "content_type")
    search_fields = ("record_repr", "requester__username", "requester__name", "requester_organization__name")
    date_hierarchy = "created_at"


@admin.register(DisclosureAccess)
class DisclosureAccessAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "user", "organization", "content_type", "object_id", "what", "ip", "request")
    list_filter = ("content_type",)
    search_fields = ("user__username", "user__name", "organization__name", "what", "ip")
    date_hierarchy = "accessed_at"
