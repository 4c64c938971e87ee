"""Routes of the accounts app: /accounts/... for everyone, /manage/registrations/ and /manage/users/ for staff."""
from django.urls import path

from . import manage_views, views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/", views.api_token_create_view, name="api_token_create"),
    path("accounts/profile/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/register/submitted/", views.register_done, name="register_done"),
    path("manage/registrations/", manage_views.registration_list, name="manage_registration_list"),
    path("manage/registrations/<int:pk>/", manage_views.registration_detail, name="manage_registration_detail"),
    path("manage/registrations/<int:pk>/letter/", manage_views.registration_letter,
         name="manage_registration_letter"),
    path("manage/registrations/<int:pk>/actions/<slug:action>/", manage_views.registration_action,
         name="manage_registration_action"),
    path("manage/users/", manage_views.user_list, name="manage_user_list"),
    path("manage/users/<int:pk>/activate/", manage_views.user_activate, name="manage_user_activate"),
    path("manage/users/<int:pk>/deactivate/", manage_views.user_deactivate, name="manage_user_deactivate"),
    path("manage/users/<int:pk>/unlock/", manage_views.user_unlock, name="manage_user_unlock"),
]
