from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("events/", views.public_list, name="list"),
    path("events/<int:pk>/", views.public_detail, name="detail"),
    path("events/<int:pk>/register/", views.register, name="register"),
    path("events/<int:pk>/unregister/", views.unregister, name="unregister"),
    path("manage/events/", views.manage_list, name="manage_list"),
    path("manage/events/new/", views.manage_create, name="manage_create"),
    path("manage/events/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/events/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/events/<int:pk>/actions/<slug:action>/", views.manage_action, name="manage_action"),
    path("manage/events/<int:pk>/participants.xlsx", views.manage_export, name="manage_export"),
]
