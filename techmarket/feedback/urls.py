from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("manage/reasons/", views.reason_statistics_view, name="reason_statistics"),
]
