from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("manage/targets/", views.dashboard, name="dashboard"),
    path("manage/targets/live/", views.live, name="live"),
    path("manage/targets/drill/", views.drill, name="drill"),
    path("manage/targets/config/", views.config, name="config"),
    path("manage/targets/import/", views.decomposition_upload, name="import"),
    path("manage/targets/import/template/", views.decomposition_template, name="import_template"),
    path("manage/targets/report/", views.report, name="report"),
    path("manage/targets/reported/", views.reported_list, name="reported_list"),
    path("manage/targets/reported/<int:pk>/", views.reported_detail, name="reported_detail"),
    path("manage/targets/reported/<int:pk>/evidence/", views.reported_evidence, name="reported_evidence"),
    path("manage/targets/reported/<int:pk>/actions/<str:action>/", views.reported_action, name="reported_action"),
]
