"""Every write of the accounts app: roles, API tokens, profiles, user management, self-registration.

Services take keyword-only arguments and an explicit actor (``by``), check permissions through
permissions.py, refuse bad input with an ApplicationError naming the field (Chinese), audit with
core.audit and send e-mail and notifications only after the transaction commits.
"""
from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition

from . import permissions
from .models import APIToken, RegistrationRequest, RegistrationStatus, User
from .roles import ADMIN_SITE_ROLES, ROLE_PERMISSIONS, Role
from .uploads import authorization_letter_problem, letter_storage_name
from .workflows import REJECT_REASON_CONTEXT

logger = logging.getLogger(__name__)

API_TOKEN_MAX_DAYS = 3650
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def _site_url(path: str) -> str:
    return settings.TECHMARKET_SITE_URL.rstrip("/") + path


def _send_mail_on_commit(*, to: str, subject: str, template: str, context: dict) -> None:
    """Plain-text mail through Django's mail framework, after commit; a mail failure never undoes the change."""
    if not to:
        return
    body = render_to_string(template, context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)


# Roles --------------------------------------------------------------------------------------------

@dataclass
class RolesSyncReport:
    created_groups: list[str] = field(default_factory=list)
    added: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    staff_granted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created_groups or self.added or self.removed or self.staff_granted)

    def lines(self) -> list[str]:
        out = [f"新建角色组：{name}" for name in self.created_groups]
        out += [f"{group} 增加权限：{', '.join(perms)}" for group, perms in self.added.items()]
        out += [f"{group} 移除权限：{', '.join(perms)}" for group, perms in self.removed.items()]
        out += [f"授予后台登录（is_staff）：{name}" for name in self.staff_granted]
        out += [f"跳过（应用未安装）：{name}" for name in self.skipped]
        return out


def _installed_label(label: str) -> bool:
    try:
        django_apps.get_app_config(label)
    except LookupError:
        return False
    return True


def _resolve_role_permissions(*, using: str) -> tuple[dict[str, dict[str, Permission]], list[str]]:
    """ROLE_PERMISSIONS as Permission rows per role; unknown names of installed apps are a configuration error."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    skipped: list[str] = []
    for role, names in ROLE_PERMISSIONS.items():
        pairs = []
        for name in names:
            app_label, _sep, codename = name.partition(".")
            if not app_label or not codename:
                raise ImproperlyConfigured(f"ROLE_PERMISSIONS[{role!r}]: {name!r} is not 'app_label.codename'")
            if not _installed_label(app_label):
                skipped.append(name)
                continue
            pairs.append((app_label, codename))
        wanted[str(role)] = pairs
    labels = {label for pairs in wanted.values() for label, _c in pairs}
    rows = Permission.objects.using(using).filter(content_type__app_label__in=labels).select_related("content_type")
    by_name = {(p.content_type.app_label, p.codename): p for p in rows}
    resolved: dict[str, dict[str, Permission]] = {}
    for role, pairs in wanted.items():
        unknown = [f"{a}.{c}" for a, c in pairs if (a, c) not in by_name]
        if unknown:
            raise ImproperlyConfigured(
                f"ROLE_PERMISSIONS[{role!r}] names permissions that do not exist: {', '.join(unknown)}")
        resolved[role] = {f"{a}.{c}": by_name[(a, c)] for a, c in pairs}
    return resolved, sorted(set(skipped))


def roles_sync(*, commit: bool = True, using: str = DEFAULT_DB_ALIAS) -> RolesSyncReport:
    """One auth Group per Role, holding exactly the permissions of roles.ROLE_PERMISSIONS.

    Bureau administrators get ``is_staff`` (the Django admin, limited by their permissions).
    With ``commit=False`` nothing is written; the report says what would change.
    """
    report = RolesSyncReport()
    resolved, report.skipped = _resolve_role_permissions(using=using)
    with transaction.atomic(using=using):
        for role in Role:
            perms = resolved.get(role.value, {})
            group = Group.objects.using(using).filter(name=role.value).first()
            if group is None:
                report.created_groups.append(role.value)
                current: dict[str, int] = {}
                if commit:
                    group = Group.objects.using(using).create(name=role.value)
            else:
                current = {f"{app}.{code}": pk for pk, app, code in group.permissions.values_list(
                    "pk", "content_type__app_label", "codename")}
            added = sorted(set(perms) - set(current))
            removed = sorted(set(current) - set(perms))
            if added:
                report.added[role.value] = added
            if removed:
                report.removed[role.value] = removed
            if commit and (added or removed):
                group.permissions.set(list(perms.values()))
        staff_candidates = User.objects.using(using).filter(
            groups__name__in=[r.value for r in ADMIN_SITE_ROLES], is_staff=False).distinct()
        report.staff_granted = sorted(staff_candidates.values_list("username", flat=True))
        if commit and report.staff_granted:
            User.objects.using(using).filter(username__in=report.staff_granted).update(is_staff=True)
    return report


def _clean_roles(roles) -> list[str]:
    values = []
    for role in roles:
        value = str(role)
        if value not in Role.values:
            raise ApplicationError(_("未知角色“{r}”").format(r=value), field="roles", code="invalid_choice")
        if value not in values:
            values.append(value)
    return values


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str], by=None) -> None:
    """Set the user's roles (auth Groups named by Role values).

    Gaining the bureau-administrator role grants the Django admin (``is_staff``); losing it takes the
    admin away again unless the user is a superuser. District officers work in /manage/ only.
    """
    values = _clean_roles(roles)
    before = snapshot(user) if user.pk else None
    had_admin_site = bool(set(user.role_names) & {r.value for r in ADMIN_SITE_ROLES})
    groups = [Group.objects.get_or_create(name=r)[0] for r in values]
    user.groups.set(groups)
    user._role_names = None
    has_admin_site = bool(set(values) & {r.value for r in ADMIN_SITE_ROLES})
    staff = user.is_staff
    if has_admin_site:
        staff = True
    elif had_admin_site and not user.is_superuser:
        staff = False
    if staff != user.is_staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    if by is not None:
        record_change(obj=user, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="设置角色")


# API tokens ---------------------------------------------------------------------------------------

@transaction.atomic
def api_token_create(*, user: User, name: str = "", days: int | None = None, by=None) -> tuple[APIToken, str]:
    """Create a token; the raw value is returned once and never stored (only its SHA-256)."""
    if by is not None and not (by.pk == user.pk or by.is_superuser):
        raise PermissionDenied(_("只能为自己创建 API 令牌"))
    name = (name or "").strip()
    if len(name) > APIToken._meta.get_field("name").max_length:
        raise ApplicationError(_("用途最多 100 个字"), field="name", code="too_long")
    if days is None:
        days = settings.TECHMARKET_API_TOKEN_DAYS
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ApplicationError(_("有效天数应为整数"), field="days", code="invalid") from None
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ApplicationError(_("有效天数应在 1 到 {n} 之间").format(n=API_TOKEN_MAX_DAYS), field="days",
                               code="out_of_range")
    raw = APIToken.generate_raw()
    token = APIToken.objects.create(
        user=user, name=name, prefix=raw[:10], key_hash=APIToken.hash(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record_change(obj=token, action=ObjectChange.Action.CREATE, by=by or user, comment="创建 API 令牌")
    return token, raw


def api_token_authenticate(*, raw: str) -> User | None:
    """The user behind a valid token; None for unknown, expired or revoked tokens and unusable accounts."""
    if not raw:
        return None
    token = APIToken.objects.select_related("user").filter(key_hash=APIToken.hash(raw)).first()
    if token is None or not token.is_valid:
        return None
    user = token.user
    if not user.is_active or user.is_locked() or (user.is_demo and not settings.TECHMARKET_DEMO):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


@transaction.atomic
def api_token_revoke(*, token: APIToken, by=None) -> APIToken:
    """Revoke a token (idempotent). ``by`` is checked when given: owners and superusers only."""
    if by is not None and not permissions.can_revoke_api_token(by, token):
        raise PermissionDenied(_("只能吊销自己的 API 令牌"))
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_change(obj=token, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="吊销 API 令牌")
    return token


# Own profile --------------------------------------------------------------------------------------

def _clean_phone(value: str, *, required: bool, field_name: str = "phone") -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ApplicationError(_("请填写手机号"), field=field_name, code="required")
        return ""
    if not PHONE_RE.match(value):
        raise ApplicationError(_("手机号格式不正确"), field=field_name, code="invalid")
    return value


def _clean_email(value: str, *, required: bool, field_name: str = "email") -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ApplicationError(_("请填写电子邮箱"), field=field_name, code="required")
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ApplicationError(_("电子邮箱格式不正确"), field=field_name, code="invalid") from None
    return value


def _clean_text(value, *, field_name: str, label: str, max_length: int, required: bool = True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ApplicationError(_("请填写{label}").format(label=label), field=field_name, code="required")
    if len(value) > max_length:
        raise ApplicationError(_("{label}最多 {n} 个字").format(label=label, n=max_length), field=field_name,
                               code="too_long")
    return value


def _run_checks(checks: dict) -> tuple[dict, list[ErrorItem]]:
    """Run each zero-argument check; the values that passed and every field error."""
    out, errors = {}, []
    for key, check in checks.items():
        try:
            out[key] = check()
        except ApplicationError as exc:
            errors.extend(exc.errors)
    return out, errors


def _gather(checks: dict) -> dict:
    """Run every check, then raise one ApplicationError listing all field errors (a form shows them all)."""
    out, errors = _run_checks(checks)
    if errors:
        raise ApplicationError(errors=errors)
    return out


@transaction.atomic
def user_profile_update(*, user: User, by, name: str, email: str, phone: str) -> User:
    """A user edits their own name, e-mail and phone."""
    if by is None or not permissions.is_authenticated(by) or (by.pk != user.pk and not by.is_superuser):
        raise PermissionDenied(_("只能修改自己的账号信息"))
    values = _gather({
        "name": lambda: _clean_text(name, field_name="name", label=_("姓名"), max_length=64),
        "email": lambda: _clean_email(email, required=True),
        "phone": lambda: _clean_phone(phone, required=False),
    })
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user)
    for key, value in values.items():
        setattr(user, key, value)
    user.save(update_fields=list(values))
    record_change(obj=user, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="修改个人信息")
    return user


# Users managed by staff ---------------------------------------------------------------------------

def _check_manage(user: User, by) -> None:
    if not permissions.user_in_staff_scope(by, user):
        # Out of scope reads like "does not exist" (SPEC §3): callers turn this into 404.
        raise User.DoesNotExist
    if not permissions.can_manage_user(by, user):
        raise PermissionDenied(_("无权管理该账号"))


@transaction.atomic
def user_set_active(*, user: User, by, active: bool) -> User:
    """Activate or deactivate an account of the staff member's region (audited)."""
    user = (User.objects.select_for_update(of=("self",))  # lock the user row only (outer joins cannot be locked)
            .select_related("organization__region", "region").get(pk=user.pk))
    _check_manage(user, by)
    if user.is_active == bool(active):
        return user
    before = snapshot(user)
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    record_change(obj=user, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  comment="启用账号" if active else "停用账号")
    return user


@transaction.atomic
def user_unlock(*, user: User, by) -> User:
    """Lift a login lockout before it runs out (audited)."""
    user = (User.objects.select_for_update(of=("self",))  # lock the user row only (outer joins cannot be locked)
            .select_related("organization__region", "region").get(pk=user.pk))
    _check_manage(user, by)
    if user.locked_until is None and not user.failed_logins:
        return user
    before = {"locked_until": user.locked_until.isoformat() if user.locked_until else None,
              "failed_logins": user.failed_logins}
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    record_change(obj=user, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after={"locked_until": None, "failed_logins": 0}, comment="解除登录锁定")
    return user


# Self-registration --------------------------------------------------------------------------------

ROLE_BY_KIND = {
    RegistrationRequest.Kind.ENTERPRISE: Role.ENTERPRISE,
    RegistrationRequest.Kind.INSTITUTION: Role.INSTITUTION,
}


def _clean_username(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("请填写用户名"), field="username", code="required")
    if len(value) > 150:
        raise ApplicationError(_("用户名最多 150 个字符"), field="username", code="too_long")
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError:
        raise ApplicationError(_("用户名只能包含字母、数字和 @ . + - _ 字符"), field="username",
                               code="invalid") from None
    if User.objects.filter(username__iexact=value).exists():
        raise ApplicationError(_("该用户名已被使用"), field="username", code="taken")
    if RegistrationRequest.objects.filter(username__iexact=value, status=RegistrationStatus.SUBMITTED).exists():
        raise ApplicationError(_("该用户名已有待审核的注册申请"), field="username", code="pending")
    return value


def _clean_password(password: str, *, username: str, email: str, name: str) -> str:
    if not password:
        raise ApplicationError(_("请填写密码"), field="password", code="required")
    try:
        validate_password(password, user=User(username=username, email=email, name=name))
    except ValidationError as exc:
        raise ApplicationError(errors=[ErrorItem("password", "weak_password", str(m)) for m in exc.messages]) \
            from None
    return make_password(password)


def _clean_kind(value) -> str:
    value = str(value or "").strip()
    if value not in RegistrationRequest.Kind.values:
        raise ApplicationError(_("请选择用户类型（企业用户或高校院所用户）"), field="kind", code="invalid_choice")
    return value


def _clean_credit_code(value) -> str:
    from techmarket.directory.credit_code import credit_code_problem, normalize

    code = normalize(value)
    if not code:
        raise ApplicationError(_("请填写统一社会信用代码"), field="credit_code", code="required")
    problem = credit_code_problem(code)
    if problem:
        raise ApplicationError(_("统一社会信用代码无效：{p}").format(p=problem), field="credit_code",
                               code="invalid_credit_code")
    return code


def _clean_organization_kind(value) -> str:
    from techmarket.directory.choices import OrganizationKind

    value = str(value or "").strip()
    for key, label in OrganizationKind.choices:
        if value in (key, str(label)):
            value = key
            break
    else:
        raise ApplicationError(_("请选择单位类型"), field="organization_kind", code="invalid_choice")
    if value == OrganizationKind.GOVERNMENT:
        raise ApplicationError(_("政府部门的账号由科技管理部门开设，不能自助注册"), field="organization_kind",
                               code="not_allowed")
    return value


def _clean_region(value):
    from techmarket.regions.models import Region
    from techmarket.regions.selectors import region_resolve

    if isinstance(value, Region):
        return value
    text = str(value or "").strip()
    if not text:
        raise ApplicationError(_("请填写所在区域"), field="region", code="required")
    return region_resolve(text, field="region")


@transaction.atomic
def registration_submit(*, kind: str, username: str, name: str, email: str, phone: str, password: str,
                        organization_name: str, credit_code: str, organization_kind: str, region,
                        authorization_letter=None) -> RegistrationRequest:
    """An anonymous visitor applies for an enterprise or institution account, pending review.

    ``region`` is a Region, a code or a name. When the credit code names an organization already on
    the platform, an authorisation letter (授权书) is required and the organization's active users
    are told about the application once it is saved.
    """
    from techmarket.directory.models import Organization

    values, errors = _run_checks({
        "kind": lambda: _clean_kind(kind),
        "username": lambda: _clean_username(username),
        "name": lambda: _clean_text(name, field_name="name", label=_("姓名"), max_length=64),
        "email": lambda: _clean_email(email, required=True),
        "phone": lambda: _clean_phone(phone, required=True),
        "organization_name": lambda: _clean_text(organization_name, field_name="organization_name",
                                                 label=_("单位名称"), max_length=200),
        "credit_code": lambda: _clean_credit_code(credit_code),
        "organization_kind": lambda: _clean_organization_kind(organization_kind),
        "region": lambda: _clean_region(region),
    })
    try:
        values["password_hash"] = _clean_password(password, username=(username or "").strip(),
                                                  email=(email or "").strip(), name=(name or "").strip())
    except ApplicationError as exc:
        errors.extend(exc.errors)

    existing = None
    if "credit_code" in values:
        existing = Organization.objects.select_related("region").filter(credit_code=values["credit_code"]).first()
    if existing is not None:
        if not authorization_letter:
            errors.append(ErrorItem("authorization_letter", "required", _(
                "统一社会信用代码 {code} 对应的单位“{org}”已在平台登记，请上传该单位出具的授权书").format(
                code=existing.credit_code, org=existing.name)))
        # The registered organization's region and kind are authoritative (and decide who reviews).
        errors = [e for e in errors if e.field not in ("region", "organization_kind")]
        values["region"] = existing.region
        values["organization_kind"] = existing.kind
    elif "credit_code" in values and RegistrationRequest.objects.filter(
            credit_code=values["credit_code"], status=RegistrationStatus.SUBMITTED,
            existing_organization__isnull=True).exists():
        errors.append(ErrorItem("credit_code", "pending", _(
            "该统一社会信用代码已有待审核的注册申请，请等待审核结果；通过后可凭授权书申请本单位的其他账号")))
    if authorization_letter:
        problem = authorization_letter_problem(authorization_letter)
        if problem:
            errors.append(ErrorItem("authorization_letter", "invalid_file", problem))
    if errors:
        raise ApplicationError(errors=errors)

    registration = RegistrationRequest(existing_organization=existing, **values)
    if authorization_letter:
        registration.authorization_letter.save(letter_storage_name(authorization_letter.name),
                                               authorization_letter, save=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        if registration.authorization_letter:
            registration.authorization_letter.delete(save=False)
        raise ApplicationError(_("该用户名已有待审核的注册申请"), field="username", code="pending") from None
    record_change(obj=registration, action=ObjectChange.Action.CREATE, by=None, comment="提交注册申请",
                  after=snapshot(registration) | {"authorization_letter": registration.authorization_letter.name or ""})
    transaction.on_commit(lambda: _registration_submitted_notices(registration.pk), robust=True)
    return registration


def _registration_submitted_notices(pk: int) -> None:
    from techmarket.notifications.services import notify

    from .selectors import registration_reviewers

    registration = RegistrationRequest.objects.select_related("region", "existing_organization").get(pk=pk)
    org = registration.existing_organization
    if org is not None:
        notify(recipients=list(org.users.filter(is_active=True)), topic="account",
               title=_("有人申请以本单位名义注册账号"),
               body=_("{name}（用户名 {username}）提交了“{org}”的{kind}注册申请，并上传了授权书，"
                      "待科技管理部门审核。如本单位未出具授权书，请尽快联系科技管理部门。").format(
                   name=registration.name, username=registration.username, org=org.name,
                   kind=registration.get_kind_display()),
               link="", about=registration)
    notify(recipients=registration_reviewers(registration), topic="account",
           title=_("新的注册申请待审核：{org}").format(org=registration.organization_name),
           body=_("{name} 申请注册{kind}，单位：{org}（{code}），区域：{region}。").format(
               name=registration.name, kind=registration.get_kind_display(), org=registration.organization_name,
               code=registration.credit_code, region=registration.region.full_name),
           link=reverse("accounts:manage_registration_detail", kwargs={"pk": registration.pk}),
           about=registration)


@transaction.atomic
def registration_approve(*, request: RegistrationRequest, by, comment: str = "") -> RegistrationRequest:
    """Approve: create the organization when new, then the user with the applicant's password and role."""
    from techmarket.directory.models import Organization
    from techmarket.directory.services import organization_create

    registration = transition(request, action="approve", by=by, comment=comment)
    registration = RegistrationRequest.objects.select_related("region", "existing_organization").get(
        pk=registration.pk)
    if User.objects.filter(username__iexact=registration.username).exists():
        raise ApplicationError(_("用户名“{u}”已被其他账号占用，请以“重复注册”为由不予通过").format(
            u=registration.username), field="username", code="taken")
    org = registration.existing_organization
    if org is None:
        if Organization.objects.filter(credit_code=registration.credit_code).exists():
            raise ApplicationError(_("统一社会信用代码 {code} 已有单位登记，本申请未附授权书，请不予通过").format(
                code=registration.credit_code), field="credit_code", code="taken")
        org = organization_create(by=by, check_permission=False, data={
            "name": registration.organization_name, "credit_code": registration.credit_code,
            "kind": registration.organization_kind, "region": registration.region.code,
        }, contacts=[{"name": registration.name, "phone": registration.phone, "email": registration.email}])
    user = User(username=registration.username, name=registration.name, email=registration.email,
                phone=registration.phone, organization=org, region=org.region, password=registration.password_hash)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from None
    user.save()
    user_set_roles(user=user, roles=[ROLE_BY_KIND[registration.kind]])
    record_change(obj=user, action=ObjectChange.Action.CREATE, by=by,
                  comment="注册申请 #{pk} 审核通过".format(pk=registration.pk))
    registration.user = user
    registration.save(update_fields=["user", "updated_at"])
    _send_mail_on_commit(
        to=registration.email, subject=_("【科技大市场】您的注册申请已通过"),
        template="accounts/email/registration_approved.txt",
        context={"registration": registration, "organization": org, "comment": (comment or "").strip(),
                 "login_url": _site_url(reverse("accounts:login"))})
    return registration


@transaction.atomic
def registration_reject(*, request: RegistrationRequest, by, reason_code: str, comment: str = "") \
        -> RegistrationRequest:
    """Reject with a coded reason (context ``account_registration_reject``); the applicant gets it by e-mail."""
    from techmarket.feedback.services import reason_label

    registration = transition(request, action="reject", by=by, comment=comment, reason_code=reason_code)
    _send_mail_on_commit(
        to=registration.email, subject=_("【科技大市场】您的注册申请未通过"),
        template="accounts/email/registration_rejected.txt",
        context={"registration": registration, "reason": reason_label(REJECT_REASON_CONTEXT, reason_code),
                 "comment": (comment or "").strip(),
                 "register_url": _site_url(reverse("accounts:register"))})
    return registration
