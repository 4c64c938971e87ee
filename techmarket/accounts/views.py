"""Account pages: login, logout, password reset and change, profile with API tokens, self-registration."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from techmarket.core.errors import ApplicationError

from . import services
from .forms import (
    APITokenForm,
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from .middleware import SESSION_EXPIRED_FLAG
from .selectors import api_token_get_for_user, api_token_list_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expired = getattr(self.request, "session_expired", False)
        if self.request.session.pop(SESSION_EXPIRED_FLAG, False):
            expired = True
        context["session_expired"] = expired
        context["idle_minutes"] = settings.TECHMARKET_IDLE_TIMEOUT_SECONDS // 60
        return context

    def form_valid(self, form):
        self.request.session.pop(SESSION_EXPIRED_FLAG, None)
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetPasswordForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改"))
        return response


def _profile_context(request, *, profile_form=None, token_form=None, new_token=None):
    user = request.user
    return {
        "profile_form": profile_form or ProfileForm(initial={"name": user.name, "email": user.email,
                                                             "phone": user.phone}),
        "token_form": token_form or APITokenForm(),
        "tokens": api_token_list_for(user=user),
        "new_token": new_token,
        "roles": user.role_labels,
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    profile_form = None
    if request.method == "POST":
        profile_form = ProfileForm(request.POST)
        if profile_form.is_valid():
            try:
                services.user_profile_update(user=request.user, by=request.user, **profile_form.cleaned_data)
            except ApplicationError as exc:
                profile_form.add_service_errors(exc)
            else:
                messages.success(request, _("个人信息已保存"))
                return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _profile_context(request, profile_form=profile_form))


@login_required
@require_POST
def api_token_create_view(request):
    form = APITokenForm(request.POST)
    new_token = None
    if form.is_valid():
        try:
            token, raw = services.api_token_create(user=request.user, by=request.user, name=form.cleaned_data["name"],
                                                   days=form.cleaned_data["days"])
        except ApplicationError as exc:
            form.add_service_errors(exc)
        else:
            # Rendered in this response only: the raw value is never stored, not even in the session.
            new_token = {"token": token, "raw": raw}
            form = APITokenForm()
    return render(request, "accounts/profile.html", _profile_context(request, token_form=form, new_token=new_token))


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = api_token_get_for_user(user=request.user, pk=pk)
    try:
        services.api_token_revoke(token=token, by=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已吊销令牌 {prefix}…").format(prefix=token.prefix))
    return redirect("accounts:profile")


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需注册"))
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_submit(**form.service_kwargs())
        except ApplicationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request):
    return render(request, "accounts/register_done.html")
