from django.urls import path

from . import views

app_name = "deals"
# /deal-notices/ (public 成交公示), /manage/deals/ (the parties and staff in scope).
urlpatterns = [
    path("deal-notices/", views.notice_list, name="notice_list"),
    path("deal-notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("deal-notices/<int:pk>/objections/", views.objection_create, name="objection_create"),
    path("manage/deals/", views.manage_list, name="manage_list"),
    path("manage/deals/new/", views.manage_create, name="manage_create"),
    path("manage/deals/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/deals/<int:pk>/actions/<slug:action>/", views.manage_action, name="manage_action"),
    path("manage/deals/<int:pk>/objections/<int:objection_pk>/<slug:action>/", views.objection_action,
         name="objection_action"),
]
