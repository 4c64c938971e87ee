from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("subsidies/policies/", views.policy_list, name="policy_list"),
    path("subsidies/policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("subsidies/precheck/", views.precheck, name="precheck"),
    path("subsidies/rounds/", views.unit_rounds, name="unit_rounds"),
    path("subsidies/rounds/<int:pk>/notice/", views.round_notice, name="round_notice"),
    path("subsidies/rounds/<int:pk>/declare/", views.declare, name="declare"),
    path("subsidies/declarations/<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("subsidies/declarations/<int:pk>/actions/<slug:action>/", views.declaration_action,
         name="declaration_action"),
    path("subsidies/declarations/<int:pk>/evidence/", views.declaration_evidence_add, name="declaration_evidence_add"),
    path("subsidies/declarations/<int:pk>/evidence/<int:evidence_pk>/", views.declaration_evidence_download,
         name="declaration_evidence_download"),
    path("subsidies/declarations/<int:pk>/evidence/<int:evidence_pk>/delete/", views.declaration_evidence_delete,
         name="declaration_evidence_delete"),
    path("manage/subsidies/policies/", views.policy_manage_list, name="policy_manage_list"),
    path("manage/subsidies/policies/new/", views.policy_create, name="policy_create"),
    path("manage/subsidies/policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("manage/subsidies/rounds/", views.round_list, name="round_list"),
    path("manage/subsidies/rounds/new/", views.round_create, name="round_create"),
    path("manage/subsidies/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("manage/subsidies/rounds/<int:pk>/actions/<slug:action>/", views.round_action, name="round_action"),
    path("manage/subsidies/rounds/<int:pk>/export.xlsx", views.round_export, name="round_export"),
    path("manage/subsidies/rounds/<int:pk>/recommendation.xlsx", views.round_recommendation,
         name="round_recommendation"),
    path("manage/subsidies/lines/<int:pk>/payment/", views.line_payment, name="line_payment"),
    path("manage/subsidies/declarations/<int:pk>/assess/", views.declaration_assess, name="declaration_assess"),
    path("manage/subsidies/pre-review/", views.pre_review_inbox, name="pre_review_inbox"),
]
