from django.urls import path

from . import views

app_name = "contracts"
# Managed view only (contracts have no public view): the seller side, the buyer side, staff in scope.
urlpatterns = [
    path("manage/contracts/", views.manage_list, name="manage_list"),
    path("manage/contracts/new/", views.manage_create, name="manage_create"),
    path("manage/contracts/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/contracts/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/contracts/<int:pk>/actions/<slug:action>/", views.manage_action, name="manage_action"),
    path("manage/contracts/registration/", views.registrar_inbox, name="registrar_inbox"),
    path("manage/contracts/<int:pk>/certificate.pdf", views.manage_certificate, name="manage_certificate"),
    path("manage/contracts/<int:pk>/payments/", views.manage_payment_add, name="manage_payment_add"),
    path("manage/contracts/<int:pk>/payments/<int:payment_id>/evidence/<int:attachment_id>/",
         views.manage_payment_evidence, name="manage_payment_evidence"),
]
