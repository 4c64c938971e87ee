"""Admin of subsidy policies (bureau administrators of the city); saving goes through the services,
so a version a computation used becomes a new version."""
from django.contrib import admin

from techmarket.accounts.permissions import is_bureau_admin

from . import permissions, services
from .models import SubsidyPolicy, SubsidyRound
from .services import POLICY_EDITABLE


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "year", "code", "version", "is_current", "rule_kind", "rate_percent", "payer")
    list_filter = ("city", "year", "is_current", "rule_kind", "payer")
    readonly_fields = ("version", "is_current", "supersedes", "created_by")
    fields = ("city", "year", "code", *POLICY_EDITABLE, "version", "is_current", "supersedes", "created_by")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or request.user.region is None:
            return qs if request.user.is_superuser else qs.none()
        return qs.filter(city__path__startswith=request.user.region.path)

    def has_module_permission(self, request):
        return is_bureau_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_bureau_admin(request.user) and (obj is None or permissions.can_edit_policy(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (obj is None or obj.is_current)

    def has_add_permission(self, request):
        return is_bureau_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in POLICY_EDITABLE if name in form.cleaned_data}
        if change:
            saved = services.policy_update(policy=SubsidyPolicy.objects.get(pk=obj.pk), by=request.user, data=data)
        else:
            saved = services.policy_create(by=request.user, city=form.cleaned_data["city"],
                                           data={**data, "code": obj.code, "year": obj.year})
        obj.pk = saved.pk


@admin.register(SubsidyRound)
class SubsidyRoundAdmin(admin.ModelAdmin):
    """Read-only: rounds move through their workflow on the managed pages and the API."""

    list_display = ("name", "city", "year", "base_year", "status")
    list_filter = ("city", "status")

    def has_module_permission(self, request):
        return is_bureau_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_bureau_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
