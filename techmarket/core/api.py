"""API conventions shared by every router (SPEC §3 "API conventions").

* auth: ``Authorization: Bearer TOKEN`` or the session (with CSRF on writes);
* errors: ``{"errors": [{"field", "code", "message"}]}`` with 401/403/404/422;
* lists: ``{"count", "page", "page_size", "items"}``, ``page_size`` default 20, max 100;
* money: a string in yuan with two decimals; datetimes ISO 8601 in +08:00.
"""
from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.utils import check_csrf

from .errors import ApplicationError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class _Anonymous(AnonymousUser):
    """Truthy stand-in so ninja lets anonymous callers reach public endpoints."""

    def __bool__(self) -> bool:
        return True


class ApiAuth:
    """Bearer token first, then the session. ``optional`` endpoints admit anonymous callers."""

    def __init__(self, *, optional: bool = False):
        self.optional = optional

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            from techmarket.accounts.services import api_token_authenticate

            scheme, _sep, raw = header.partition(" ")
            user = api_token_authenticate(raw=raw.strip()) if scheme.lower() == "bearer" and raw else None
            if user is None:
                raise AuthenticationError(401, _("令牌无效、已过期或已被吊销"))
            request.user = user
            return user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise HttpError(403, _("CSRF 校验失败"))
            return user
        if self.optional:
            return _Anonymous()
        return None


def caller(request):
    """The authenticated user behind a request, or AnonymousUser."""
    user = getattr(request, "auth", None)
    if isinstance(user, _Anonymous) or user is None:
        return AnonymousUser()
    return user


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"errors": [{"field": field, "code": code, "message": str(message)}]}


def _loc_field(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or None


_PYDANTIC_MESSAGES = {
    "missing": "此字段为必填项",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "decimal_parsing": "应为数字",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "bool_parsing": "应为 true 或 false",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "string_type": "应为字符串",
    "list_type": "应为列表",
    "greater_than_equal": "取值过小",
    "less_than_equal": "取值过大",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体格式不正确",
    "dict_type": "请求体格式不正确",
}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return api.create_response(request, {"errors": exc.as_list()}, status=422)

    @api.exception_handler(ValidationError)
    def django_validation_error(request, exc: ValidationError):
        return api.create_response(request, {"errors": ApplicationError.from_django(exc).as_list()}, status=422)

    @api.exception_handler(NinjaValidationError)
    def schema_validation_error(request, exc: NinjaValidationError):
        items = []
        for err in exc.errors:
            kind = err.get("type", "invalid")
            message = _PYDANTIC_MESSAGES.get(kind) or (err.get("msg") or "输入无效")
            if kind == "value_error" and err.get("ctx", {}).get("error"):
                message = str(err["ctx"]["error"])
            items.append({"field": _loc_field(err.get("loc", ())), "code": kind, "message": message})
        return api.create_response(request, {"errors": items}, status=422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        msg = exc.message if isinstance(getattr(exc, "message", None), str) and exc.message != "Unauthorized" \
            else _("需要登录或有效的 API 令牌")
        return api.create_response(request, error_body("not_authenticated", msg), status=401)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return api.create_response(request, error_body("permission_denied", str(exc) or _("无权执行此操作")), status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", _("记录不存在")), status=404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return api.create_response(request, error_body("not_found", _("记录不存在")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
                 429: "throttled"}
        return api.create_response(request, error_body(codes.get(exc.status_code, "error"), str(exc)),
                                   status=exc.status_code)


def paginate(request, queryset, serialize, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
    """The list envelope. ``serialize`` turns one row into a dict for this caller."""
    if page < 1:
        raise ApplicationError(_("页码应为正整数"), field="page", code="invalid_page")
    if page_size < 1:
        raise ApplicationError(_("每页条数应为正整数"), field="page_size", code="invalid_page_size")
    page_size = min(page_size, MAX_PAGE_SIZE)
    count = queryset.count()
    start = (page - 1) * page_size
    rows = list(queryset[start:start + page_size])
    return {"count": count, "page": page, "page_size": page_size, "items": [serialize(row) for row in rows]}


def iso(value) -> str | None:
    """ISO 8601 in Asia/Shanghai (+08:00) for datetimes; YYYY-MM-DD for dates."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


class ActionIn(Schema):
    """Body of every ``POST …/{id}/actions/{action}`` (SPEC §3)."""

    comment: str = ""
    reason_code: str | None = None


def workflow_fields(obj, user) -> dict:
    """``status``, ``status_display`` and ``available_actions`` (with labels) for the caller."""
    from .workflows import available_actions

    actions = available_actions(obj, user)
    spec = type(obj).TRANSITIONS
    return {
        "status": obj.status,
        "status_display": obj.get_status_display(),
        "available_actions": actions,
        "actions": [{"name": a, "label": str(spec[a].label), "reason_context": spec[a].reason_context,
                     "comment_required": spec[a].comment_required} for a in actions],
    }
