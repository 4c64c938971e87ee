from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/settings/", views.inbox_settings, name="settings"),
    path("inbox/read-all/", views.notification_read_all, name="read_all"),
    path("inbox/<int:pk>/read/", views.notification_read, name="read"),
    path("inbox/<int:pk>/open/", views.notification_open, name="open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
