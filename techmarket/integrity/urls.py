from django.urls import path

from . import views

app_name = "integrity"
urlpatterns = [
    path("integrity/", views.public_query, name="public_query"),
    path("integrity/export.xlsx", views.public_export, name="public_export"),
    path("manage/integrity/", views.manage_list, name="manage_list"),
    path("manage/integrity/new/", views.manage_create, name="manage_create"),
    path("manage/integrity/export.xlsx", views.manage_export, name="manage_export"),
    path("manage/integrity/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/integrity/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/integrity/<int:pk>/revoke/", views.manage_revoke, name="manage_revoke"),
]
