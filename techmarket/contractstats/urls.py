from django.urls import path

from . import views

app_name = "contractstats"
urlpatterns = [
    path("manage/contract-stats/", views.dashboard, name="dashboard"),
    path("manage/contract-stats/export.xlsx", views.export, name="export"),
]
