from django.contrib import admin

from .models import DigestLog, Notification, Subscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "topic", "created_at", "read_at", "opened_at", "emailed_at")
    list_filter = ("topic", "in_app", ("read_at", admin.EmptyFieldListFilter),
                   ("emailed_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__name")
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "read_at", "opened_at", "emailed_at", "content_type", "object_id")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "in_app", "email", "updated_at")
    list_filter = ("topic", "in_app", "email")
    search_fields = ("user__username", "user__name")
    raw_id_fields = ("user",)


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ("user", "date", "count", "sent_at")
    list_filter = ("date",)
    search_fields = ("user__username", "user__name")
    raw_id_fields = ("user",)
    readonly_fields = ("user", "date", "count", "sent_at")

    def has_add_permission(self, request):
        return False
