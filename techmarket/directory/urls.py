from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    # Public view (SPEC §3): anyone, no personal data.
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("platforms/", views.platform_list, name="platform_list"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform_detail"),
    # Managed view: in-scope staff, the organization's users, the person themself; 404 for everyone else.
    path("manage/organizations/", views.manage_organization_list, name="manage_organization_list"),
    path("manage/organizations/new/", views.manage_organization_create, name="manage_organization_create"),
    path("manage/organizations/<int:pk>/", views.manage_organization_detail, name="manage_organization_detail"),
    path("manage/organizations/<int:pk>/edit/", views.manage_organization_edit, name="manage_organization_edit"),
    path("manage/organizations/<int:pk>/delete/", views.manage_organization_delete,
         name="manage_organization_delete"),
    path("manage/organizations/<int:pk>/confirm/", views.manage_organization_confirm,
         name="manage_organization_confirm"),
    path("manage/organizations/<int:pk>/qualifications/", views.manage_qualification_add,
         name="manage_qualification_add"),
    path("manage/organizations/<int:pk>/qualifications/<int:qualification_pk>/delete/",
         views.manage_qualification_remove, name="manage_qualification_remove"),
    path("manage/people/", views.manage_person_list, name="manage_person_list"),
    path("manage/people/new/", views.manage_person_create, name="manage_person_create"),
    path("manage/people/<int:pk>/", views.manage_person_detail, name="manage_person_detail"),
    path("manage/people/<int:pk>/edit/", views.manage_person_edit, name="manage_person_edit"),
    path("manage/people/<int:pk>/delete/", views.manage_person_delete, name="manage_person_delete"),
    path("manage/platforms/", views.manage_platform_list, name="manage_platform_list"),
    path("manage/platforms/new/", views.manage_platform_create, name="manage_platform_create"),
    path("manage/platforms/<int:pk>/", views.manage_platform_detail, name="manage_platform_detail"),
    path("manage/platforms/<int:pk>/edit/", views.manage_platform_edit, name="manage_platform_edit"),
    path("manage/platforms/<int:pk>/delete/", views.manage_platform_delete, name="manage_platform_delete"),
]

# Excel import and export (SPEC R6), in views_excel.py.
from django.urls import re_path  # noqa: E402

from . import views_excel  # noqa: E402

_REGISTRY = r"(?P<registry>organizations|people|platforms)"
urlpatterns += [
    re_path(rf"^manage/{_REGISTRY}/import/$", views_excel.registry_import, name="registry_import"),
    re_path(rf"^manage/{_REGISTRY}/import/template\.xlsx$", views_excel.import_template,
            name="registry_import_template"),
    re_path(rf"^manage/{_REGISTRY}/export\.xlsx$", views_excel.manage_export, name="manage_registry_export"),
    re_path(rf"^{_REGISTRY}/export\.xlsx$", views_excel.public_export, name="registry_export"),
    path("manage/imports/<int:pk>/", views_excel.import_job, name="import_job"),
    path("manage/imports/<int:pk>/progress/", views_excel.import_job_progress, name="import_job_progress"),
]
