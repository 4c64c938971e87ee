from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.models import ObjectChange

from .models import Article, ArticleAttachment, PortalCity
from .services import portal_city_save


@admin.register(PortalCity)
class PortalCityAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "bureau_name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["region__name", "region__code", "bureau_name"]
    autocomplete_fields = ["region"]

    @admin.display(description=_("城市代码"))
    def code(self, obj):
        return obj.code

    def save_model(self, request, obj, form, change):
        portal_city_save(city=obj, by=request.user)

    def delete_model(self, request, obj):
        record_change(obj=obj, action=ObjectChange.Action.DELETE, by=request.user, before=snapshot(obj),
                      comment="管理后台")
        super().delete_model(request, obj)


class ArticleAttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    fields = ["original_name", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only here: articles are written in /manage/articles/, where permissions and history apply."""

    list_display = ["title", "kind", "city", "status", "published_at", "manage_link"]
    list_filter = ["kind", "status", "city"]
    search_fields = ["title", "document_number"]
    inlines = [ArticleAttachmentInline]

    @admin.display(description=_("管理"))
    def manage_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("portal:manage_article_detail", args=[obj.pk]),
                           _("在文章管理中打开"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
