from django.urls import path

from . import views

app_name = "listings"
# /listings/ (public: open listings and their outcome), /manage/listings/ (sellers and reviewers).
urlpatterns = [
    path("listings/", views.public_list, name="list"),
    path("listings/<int:pk>/", views.public_detail, name="detail"),
    path("listings/<int:pk>/interest/", views.interest_register, name="interest_register"),
    path("listings/<int:pk>/interest/withdraw/", views.interest_withdraw, name="interest_withdraw"),
    path("manage/listings/", views.manage_mine, name="manage_mine"),
    path("manage/listings/review/", views.manage_review, name="manage_review"),
    path("manage/listings/new/", views.manage_create, name="manage_create"),
    path("manage/listings/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/listings/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/listings/<int:pk>/actions/<slug:action>/", views.manage_action, name="manage_action"),
]
