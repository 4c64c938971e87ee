"""Every write of confidential disclosure (SPEC §2 B3).

request → owner approval (terms attached) → requester accepts the terms → every
view of the detail is logged. Status changes go through core.workflows.transition;
parties are notified after commit through notifications.services.notify.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition

from . import protocols
from .choices import OPEN_STATUSES
from .models import DisclosureAccess, DisclosureRequest, DisclosureTerms
from .permissions import active_grant_for, can_request_disclosure, can_view_confidential
from .selectors import disclosure_terms_current

MESSAGE_MAX_LENGTH = 2000
WHAT_MAX_LENGTH = 200


# --- notifications ------------------------------------------------------------------------------

def disclosure_notify(*, recipients, title: str, body: str, request: DisclosureRequest) -> None:
    """Send an in-app notice about ``request`` once the transaction commits."""
    recipients = [u for u in recipients if u is not None]
    if not recipients:
        return
    link = reverse("disclosure:detail", args=[request.pk])

    def send() -> None:
        from techmarket.notifications.services import notify

        notify(recipients=recipients, topic="disclosure", title=title, body=body, link=link, about=request)

    transaction.on_commit(send)


def _owners(record) -> list:
    ids = protocols.owner_user_ids(record) if record is not None else set()
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _who(request: DisclosureRequest) -> str:
    return str(request.requester_organization or request.requester)


# --- the record a request points at -------------------------------------------------------------

def disclosure_record_resolve(*, record_type: str, record_id) -> object:
    """The disclosable record named like ``"directory.organization"`` + id; 422 for a bad type, 404 if missing."""
    app_label, _sep, model_name = (record_type or "").strip().lower().partition(".")
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        model = None
    if not protocols.is_disclosable(model):
        raise ApplicationError(_("该类型的记录不提供保密信息：{t}").format(t=record_type), field="record_type",
                               code="invalid_choice")
    try:
        record = model._default_manager.filter(pk=record_id).first()
    except (ValueError, TypeError, ValidationError):
        record = None
    if record is None or not protocols.open_to_requests(record):
        raise Http404
    return record


# --- services -----------------------------------------------------------------------------------

def _duplicate_error() -> ApplicationError:
    return ApplicationError(_("已有该记录尚未结束的查看申请，请勿重复申请"), code="duplicate")


@transaction.atomic
def disclosure_request(*, record, by, message: str = "") -> DisclosureRequest:
    """Ask the record's owners for its confidential detail."""
    if not can_request_disclosure(by, record):
        if getattr(by, "is_authenticated", False) and protocols.is_owner(by, record):
            raise ApplicationError(_("不能申请查看本单位自己的保密信息"), code="own_record")
        raise PermissionDenied(_("请先登录"))
    if not protocols.is_disclosable(type(record)) or not protocols.open_to_requests(record):
        raise ApplicationError(_("该记录不提供保密信息"), code="not_disclosable")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(_("申请说明不能超过 {n} 个字").format(n=MESSAGE_MAX_LENGTH), field="message",
                               code="max_length")
    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    open_requests = DisclosureRequest.objects.filter(content_type=ct, object_id=str(record.pk),
                                                     status__in=OPEN_STATUSES)
    if by.organization_id:
        open_requests = open_requests.filter(requester_organization_id=by.organization_id)
    else:
        open_requests = open_requests.filter(requester=by, requester_organization__isnull=True)
    if open_requests.exists():
        raise _duplicate_error()
    request = DisclosureRequest(content_type=ct, object_id=str(record.pk), record_repr=protocols.record_title(record),
                                requester=by, requester_organization_id=by.organization_id, message=message)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise _duplicate_error() from None
    record_change(obj=request, action=ObjectChange.Action.CREATE, by=by)
    disclosure_notify(
        recipients=_owners(record), request=request,
        title=_("收到保密信息查看申请"),
        body=_("{who} 申请查看“{record}”的保密信息。{message}").format(
            who=_who(request), record=request.record_repr, message=message))
    return request


@transaction.atomic
def disclosure_approve(*, request: DisclosureRequest, by, comment: str = "") -> DisclosureRequest:
    """Owner approves; the current terms are attached for the requester to accept."""
    terms = disclosure_terms_current()
    if terms is None:
        raise ApplicationError(_("尚未设置现行保密协议，暂不能批准，请联系管理员"), code="no_terms")
    request = transition(request, action="approve", by=by, comment=comment)
    request.terms = terms
    request.save(update_fields=["terms", "updated_at"])
    disclosure_notify(
        recipients=[request.requester], request=request,
        title=_("保密信息查看申请已批准"),
        body=_("您对“{record}”的查看申请已获批准，请阅读并签署《{terms}》后查看保密信息。").format(
            record=request.record_repr, terms=terms.title))
    return request


@transaction.atomic
def disclosure_reject(*, request: DisclosureRequest, by, reason_code: str | None,
                      comment: str = "") -> DisclosureRequest:
    """Owner refuses with a coded reason (context ``disclosure_reject``)."""
    from techmarket.feedback.services import reason_label

    request = transition(request, action="reject", by=by, comment=comment, reason_code=reason_code)
    reason = reason_label("disclosure_reject", reason_code)
    body = _("您对“{record}”的查看申请未获批准，原因：{reason}。").format(record=request.record_repr, reason=reason)
    if comment:
        body += _("说明：{comment}").format(comment=comment.strip())
    disclosure_notify(recipients=[request.requester], request=request, title=_("保密信息查看申请未获批准"),
                      body=body)
    return request


@transaction.atomic
def disclosure_accept_terms(*, request: DisclosureRequest, by, ip: str | None = None,
                            comment: str = "") -> DisclosureRequest:
    """The requester accepts the attached terms; the request becomes active."""
    request = transition(request, action="accept_terms", by=by, comment=comment)
    if request.terms_id is None:
        raise ApplicationError(_("该申请未附保密协议，无法签署"), code="no_terms")
    request.accepted_at = timezone.now()
    request.accepted_ip = ip or None
    request.save(update_fields=["accepted_at", "accepted_ip", "updated_at"])
    disclosure_notify(
        recipients=_owners(request.record), request=request,
        title=_("对方已签署保密协议"),
        body=_("{who} 已签署《{terms}》，可以查看“{record}”的保密信息。").format(
            who=_who(request), terms=request.terms.title, record=request.record_repr))
    return request


@transaction.atomic
def disclosure_revoke(*, request: DisclosureRequest, by, comment: str = "") -> DisclosureRequest:
    """Owner ends an approved or active disclosure; later views are refused."""
    request = transition(request, action="revoke", by=by, comment=comment)
    body = _("您对“{record}”的保密信息查看授权已被撤销。").format(record=request.record_repr)
    if comment:
        body += _("说明：{comment}").format(comment=comment.strip())
    disclosure_notify(recipients=[request.requester], request=request, title=_("保密信息查看授权已撤销"),
                      body=body)
    return request


@transaction.atomic
def disclosure_withdraw(*, request: DisclosureRequest, by, comment: str = "") -> DisclosureRequest:
    """The requester withdraws a pending or approved-but-unsigned request."""
    request = transition(request, action="withdraw", by=by, comment=comment)
    disclosure_notify(
        recipients=_owners(request.record), request=request, title=_("保密信息查看申请已撤回"),
        body=_("{who} 撤回了查看“{record}”保密信息的申请。").format(who=_who(request), record=request.record_repr))
    return request


def disclosure_action(*, request: DisclosureRequest, action: str, by, comment: str = "",
                      reason_code: str | None = None, ip: str | None = None) -> DisclosureRequest:
    """Dispatch a workflow action by name (API and pages)."""
    if action == "approve":
        return disclosure_approve(request=request, by=by, comment=comment)
    if action == "reject":
        return disclosure_reject(request=request, by=by, reason_code=reason_code, comment=comment)
    if action == "accept_terms":
        return disclosure_accept_terms(request=request, by=by, ip=ip, comment=comment)
    if action == "revoke":
        return disclosure_revoke(request=request, by=by, comment=comment)
    if action == "withdraw":
        return disclosure_withdraw(request=request, by=by, comment=comment)
    raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")


def disclosure_can_view(*, user, record) -> bool:
    """Owner, superuser or bureau administrator in scope, or a member of an organization with an active request."""
    return can_view_confidential(user, record)


@transaction.atomic
def disclosure_log_access(*, user, record, ip: str | None = None, what: str = "") -> DisclosureAccess:
    """Record one view of ``record``'s confidential detail; refuses callers who may not see it.

    Call it whenever the detail is shown (page, API, export), with ``what`` naming
    the part shown (e.g. "技术方案全文").
    """
    if not can_view_confidential(user, record):
        raise PermissionDenied(_("经所有者批准并签署保密协议后方可查看保密信息"))
    grant = None if protocols.is_owner(user, record) else active_grant_for(user, record)
    return DisclosureAccess.objects.create(
        request=grant,
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=str(record.pk), user=user, organization_id=user.organization_id,
        ip=ip or None, what=(what or "")[:WHAT_MAX_LENGTH])


@transaction.atomic
def disclosure_terms_publish(*, title: str, version: str, body: str, by) -> DisclosureTerms:
    """Add a new version of the confidentiality agreement and make it the current one."""
    terms = DisclosureTerms(title=(title or "").strip(), version=(version or "").strip(), body=body or "",
                            is_current=True)
    try:
        terms.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from exc
    DisclosureTerms.objects.filter(is_current=True).update(is_current=False)
    terms.save()
    record_change(obj=terms, action=ObjectChange.Action.CREATE, by=by)
    return terms


@transaction.atomic
def disclosure_terms_make_current(*, terms: DisclosureTerms, by) -> DisclosureTerms:
    """Make an existing version the one attached to future approvals."""
    terms = DisclosureTerms.objects.select_for_update().get(pk=terms.pk)
    DisclosureTerms.objects.filter(is_current=True).exclude(pk=terms.pk).update(is_current=False)
    if not terms.is_current:
        terms.is_current = True
        terms.save(update_fields=["is_current", "updated_at"])
        record_change(obj=terms, action=ObjectChange.Action.UPDATE, by=by, before={"is_current": False},
                      after={"is_current": True})
    return terms
