from django.urls import path

from . import views_import

app_name = "contract_imports"
urlpatterns = [
    path("manage/contracts/import/", views_import.contract_import, name="import"),
    path("manage/contracts/import/template.xlsx", views_import.contract_import_template, name="template"),
    path("manage/contracts/import/national/", views_import.national_upload, name="national"),
    path("manage/contracts/import/national/template.xlsx", views_import.national_template,
         name="national_template"),
    path("manage/contracts/export/national.xlsx", views_import.national_export_view, name="national_export"),
]
