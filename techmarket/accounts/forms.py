"""Forms of the account pages. Messages are Chinese; the services have the last word on validation."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.errors import ApplicationError

from .models import RegistrationRequest, RegistrationStatus


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on fields with errors."""

    def _style_widgets(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if self._errors is not None and name in self._errors:  # never triggers validation itself
                css += " is-invalid"
            if css:
                classes = [c for c in widget.attrs.get("class", "").split() if c != "is-invalid"]
                classes += [c for c in css.split() if c not in classes]
                widget.attrs["class"] = " ".join(classes)

    def full_clean(self):
        super().full_clean()
        self._style_widgets()

    def add_service_errors(self, exc: ApplicationError) -> None:
        """Show a service's field errors next to the fields (the rest above the form)."""
        for item in exc.errors:
            self.add_error(item.field if item.field in self.fields else None, item.message)
        self._style_widgets()


class StyledForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """Generic error for unknown users and wrong passwords; the lockout says until when."""

    error_messages = {
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("用户名或密码错误"),
        "locked": _("账号已锁定，请于 {time} 后再试"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self._style_widgets()

    def get_invalid_login_error(self):
        until = getattr(self.request, "login_locked_until", None) if self.request is not None else None
        if until is not None:
            return forms.ValidationError(
                self.error_messages["locked"].format(time=timezone.localtime(until).strftime("%H:%M")),
                code="locked")
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class ResetPasswordForm(BootstrapFormMixin, PasswordResetForm):
    """Reset mail for active accounts with this address; demo accounts only while demo mode is on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("电子邮箱")
        self._style_widgets()

    def get_users(self, email):
        for user in super().get_users(email):
            if user.is_demo and not settings.TECHMARKET_DEMO:
                continue
            yield user


class NewPasswordForm(BootstrapFormMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self._style_widgets()


class ChangePasswordForm(BootstrapFormMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self._style_widgets()


class ProfileForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于找回密码和接收通知"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)


class APITokenForm(StyledForm):
    name = forms.CharField(label=_("用途"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：省级系统数据同步")}))
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=3650,
                              initial=settings.TECHMARKET_API_TOKEN_DAYS)


class RegistrationForm(StyledForm):
    kind = forms.ChoiceField(label=_("用户类型"), choices=RegistrationRequest.Kind.choices, widget=forms.RadioSelect)
    organization_name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40,
                                  help_text=_("18 位，见营业执照或法人证书"))
    organization_kind = forms.ChoiceField(label=_("单位类型"), choices=())
    region = forms.CharField(label=_("所在区域"), max_length=64,
                             help_text=_("填写区划代码或名称，如 410105 或 金水区；重名时请填写 6 位代码"))
    authorization_letter = forms.FileField(
        label=_("授权书"), required=False,
        help_text=_("单位已在平台登记时必须上传：加盖单位公章的授权书，PDF、JPG 或 PNG，不超过 {mb} MB").format(
            mb=settings.TECHMARKET_UPLOAD_MAX_MB),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("审核结果将发送到此邮箱"))
    username = forms.CharField(label=_("用户名"), max_length=150,
                               help_text=_("字母、数字和 @ . + - _，登录时使用"))
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput(render_value=False),
                               help_text=_("至少 10 位，不能全为数字，不能与用户名相近"))
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, **kwargs):
        from techmarket.directory.choices import OrganizationKind

        super().__init__(*args, **kwargs)
        self.fields["organization_kind"].choices = [("", "——")] + [
            (k, label) for k, label in OrganizationKind.choices if k != OrganizationKind.GOVERNMENT]
        self._style_widgets()

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        keys = ["kind", "username", "name", "email", "phone", "password", "organization_name", "credit_code",
                "organization_kind", "region"]
        return {k: data[k] for k in keys} | {"authorization_letter": data.get("authorization_letter")}


class RegistrationActionForm(StyledForm):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    reason_code = forms.ChoiceField(label=_("不通过原因"), required=False, choices=())

    def __init__(self, *args, reason_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = [("", _("请选择原因"))] + list(reason_choices)
        self._style_widgets()


class RegistrationFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态"))] + RegistrationStatus.choices)
    q = forms.CharField(label=_("关键词"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("单位、信用代码、姓名或用户名")}))


class UserFilterForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("用户名、姓名或单位")}))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("", _("全部")), ("active", _("正常")), ("inactive", _("已停用")), ("locked", _("已锁定"))])
