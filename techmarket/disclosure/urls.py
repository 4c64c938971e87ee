from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("disclosures/", views.request_list, name="list"),
    path("disclosures/request/", views.request_create, name="request"),
    path("disclosures/<int:pk>/", views.request_detail, name="detail"),
    path("disclosures/<int:pk>/actions/<slug:action>/", views.request_act, name="act"),
]
