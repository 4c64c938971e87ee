"""Bureau administrators edit reason codes; used codes are deactivated, not deleted."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError

from .models import ReasonCode, ReasonContext
from .selectors import reason_code_is_used
from .services import reason_code_create, reason_code_delete, reason_code_update


class ReasonCodeInline(admin.TabularInline):
    model = ReasonCode
    fields = ("code", "label", "is_active", "sort_order")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReasonContext)
class ReasonContextAdmin(admin.ModelAdmin):
    list_display = ("label", "slug", "sort_order")
    search_fields = ("label", "slug")
    inlines = [ReasonCodeInline]

    def get_readonly_fields(self, request, obj=None):
        # The slug is what workflow code refers to; it is fixed once created.
        return ("slug",) if obj is not None else ()


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "context", "is_active", "sort_order")
    list_filter = ("context", "is_active")
    list_editable = ("is_active", "sort_order")
    search_fields = ("label", "code", "description")
    fields = ("context", "code", "label", "description", "is_active", "sort_order")
    actions = ["deactivate_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("context", "code") if reason_code_is_used(obj) else ("context",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and reason_code_is_used(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                data = {name: form.cleaned_data[name] for name in form.changed_data if name != "context"}
                saved = reason_code_update(reason_code=obj, by=request.user, **data)
            else:
                saved = reason_code_create(context=obj.context_id, code=obj.code, label=obj.label,
                                           description=obj.description, sort_order=obj.sort_order,
                                           is_active=obj.is_active, by=request.user)
        except ApplicationError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            reason_code_delete(reason_code=obj, by=request.user)
        except ApplicationError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("停用所选原因"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        for obj in queryset:
            reason_code_update(reason_code=obj, by=request.user, is_active=False)
        self.message_user(request, _("已停用 {n} 个原因").format(n=queryset.count()))
