"""Writes shared by achievements and demands: review, publication, freshness (B1), attachments.

Each app's services.py wraps these in ``<entity>_<verb>`` functions and adds its own field rules.
Every status change goes through ``core.workflows.transition``; every content change is audited.
"""
from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.actors import SYSTEM
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.uploads import clean_filename, upload_problem
from techmarket.core.workflows import transition

from .choices import ATTACHMENT_EXTENSIONS, MAX_ATTACHMENTS_PER_RECORD
from .records import add_months, is_owner
from .selectors import market_setting_current

TOPIC = "market"
PUBLISHED = "published"
MAX_KEYWORDS = 10
KEYWORD_MAX_LENGTH = 20


# --- small helpers ----------------------------------------------------------------------------------

def entity_label(record) -> str:
    return str(record._meta.verbose_name)


def owners_of(record) -> list:
    return list(get_user_model().objects.filter(organization_id=record.owner_organization_id, is_active=True))


def notify_owners(record, *, title: str, body: str = "") -> None:
    """Tell the owning organization's users, after the transaction commits."""
    recipients = owners_of(record)
    if not recipients:
        return
    link = record.get_manage_url()  # the owners' managed page: status, review reason, renewal

    def send() -> None:
        from techmarket.notifications.services import notify

        notify(recipients=recipients, topic=TOPIC, title=title, body=body, link=link, about=record)

    transaction.on_commit(send)


def clean_text_list(value, *, field: str, max_items: int, max_length: int, label: str) -> list[str]:
    """A list of short strings from a list or a 、，,;； separated string; duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in ("，", "、", "；", ";"):
            value = value.replace(sep, ",")
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise ApplicationError(_("{label}应为列表").format(label=label), field=field, code="invalid")
    items: list[str] = []
    for raw in value:
        item = " ".join(str(raw or "").split())
        if not item or item in items:
            continue
        if len(item) > max_length:
            raise ApplicationError(_("{label}“{item}”过长（最多 {n} 个字）").format(
                label=label, item=item[:30], n=max_length), field=field, code="max_length")
        items.append(item)
    if len(items) > max_items:
        raise ApplicationError(_("{label}最多 {n} 个").format(label=label, n=max_items), field=field,
                               code="too_many")
    return items


def clean_keywords(value) -> list[str]:
    return clean_text_list(value, field="keywords", max_items=MAX_KEYWORDS, max_length=KEYWORD_MAX_LENGTH,
                           label=_("关键词"))


def full_clean(record, *, exclude=()) -> None:
    try:
        record.full_clean(exclude=["created_by", "owner_organization", *exclude])
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from exc


def audit_snapshot(record) -> dict:
    data = snapshot(record)
    data["confidential_detail"] = _("（已填写）") if record.confidential_detail.strip() else ""
    return data


def check_term(term, *, scheme: str, field: str, label: str) -> None:
    if term is not None and (term.scheme.code != scheme or not term.is_active):
        raise ApplicationError(_("{label}不是有效的选项").format(label=label), field=field, code="invalid_choice")


def check_publish_at(value) -> None:
    if value is not None and value <= timezone.now():
        raise ApplicationError(_("计划发布时间应晚于当前时间；立即发布请留空"), field="publish_at",
                               code="in_past")


# --- review and publication ---------------------------------------------------------------------------

def _set_published_dates(record, *, now: datetime.datetime) -> None:
    months = market_setting_current().publication_months
    record.published_at = record.published_at or now
    record.expires_at = add_months(now, months)
    record.last_confirmed_at = now
    record.reminder_sent_for = None
    record.save(update_fields=["published_at", "expires_at", "last_confirmed_at", "reminder_sent_for",
                               "updated_at"])


@transaction.atomic
def record_publish(*, record, by, comment: str = ""):
    """scheduled → published; starts the freshness period (B1)."""
    record = transition(record, action="publish", by=by, comment=comment)
    _set_published_dates(record, now=timezone.now())
    from techmarket.matching.push import push_on_publish  # matching imports achievements

    push_on_publish(record)  # a published demand goes to its best-matched experts after commit (X3)
    notify_owners(record, title=_("{entity}“{title}”已发布").format(entity=entity_label(record), title=record.title),
                  body=_("有效期至 {date}，到期前将提醒您确认续期。").format(
                      date=timezone.localtime(record.expires_at).strftime("%Y-%m-%d")))
    return record


@transaction.atomic
def record_approve(*, record, by, comment: str = ""):
    """submitted → scheduled, and published at once unless the owner chose a later date."""
    record = transition(record, action="approve", by=by, comment=comment)
    if record.publish_at is None or record.publish_at <= timezone.now():
        return record_publish(record=record, by=by)
    notify_owners(record, title=_("{entity}“{title}”已审核通过").format(entity=entity_label(record),
                                                                         title=record.title),
                  body=_("将于 {at} 发布。").format(
                      at=timezone.localtime(record.publish_at).strftime("%Y-%m-%d %H:%M")))
    return record


@transaction.atomic
def record_review_refuse(*, record, action: str, by, comment: str = "", reason_code: str | None = None):
    """``return`` or ``reject`` with a coded reason (B2); the owners are told the reason."""
    from techmarket.feedback.services import reason_label

    spec = type(record).TRANSITIONS[action]
    record = transition(record, action=action, by=by, comment=comment, reason_code=reason_code)
    reason = reason_label(spec.reason_context, reason_code)
    body = _("原因：{reason}。").format(reason=reason)
    if comment.strip():
        body += _("审核意见：{comment}").format(comment=comment.strip())
    notify_owners(record, title=_("{entity}“{title}”{outcome}").format(
        entity=entity_label(record), title=record.title, outcome=spec.label), body=body)
    return record


def record_act(*, record, action: str, by, comment: str = "", reason_code: str | None = None):
    """Dispatch a workflow action by name (API and pages); services add entity-specific ones."""
    if action == "approve":
        return record_approve(record=record, by=by, comment=comment)
    if action == "publish":
        return record_publish(record=record, by=by, comment=comment)
    if action in ("return", "reject"):
        return record_review_refuse(record=record, action=action, by=by, comment=comment, reason_code=reason_code)
    if action == "renew":
        return record_renew(record=record, by=by)
    return transition(record, action=action, by=by, comment=comment, reason_code=reason_code)


# --- freshness (B1) -----------------------------------------------------------------------------------

@transaction.atomic
def record_renew(*, record, by):
    """The owner confirms the record is still current: another full period from now."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if not is_owner(by, record):
        raise PermissionDenied(_("只有所属单位可以确认续期"))
    if record.status not in (PUBLISHED, "expired"):
        raise ApplicationError(_("只有已发布或已过期的记录可以续期"), code="invalid_state")
    before = {"expires_at": record.expires_at and record.expires_at.isoformat(),
              "last_confirmed_at": record.last_confirmed_at and record.last_confirmed_at.isoformat()}
    if record.status == "expired":
        record = transition(record, action="renew", by=by)
    now = timezone.now()
    record.expires_at = add_months(now, market_setting_current().publication_months)
    record.last_confirmed_at = now
    record.reminder_sent_for = None
    record.save(update_fields=["expires_at", "last_confirmed_at", "reminder_sent_for", "updated_at"])
    record_change(obj=record, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after={"expires_at": record.expires_at.isoformat(),
                         "last_confirmed_at": record.last_confirmed_at.isoformat()}, comment="确认续期")
    return record


def records_publish_due(*, model) -> list:
    """Publish every scheduled record whose date has come (the scheduler's job)."""
    done = []
    due = model.objects.filter(status="scheduled", publish_at__lte=timezone.now()).order_by("publish_at", "pk")
    for record in due:
        done.append(record_publish(record=record, by=SYSTEM))
    return done


def records_send_reminders(*, model) -> list:
    """Remind owners ``renewal_reminder_days`` before expiry, once per record per expiry period."""
    now = timezone.now()
    days = market_setting_current().renewal_reminder_days
    candidates = model.objects.filter(status=PUBLISHED, expires_at__gt=now,
                                      expires_at__lte=now + datetime.timedelta(days=days))
    reminded = []
    for record in candidates:
        if record.reminder_sent_for == record.expires_at:
            continue
        with transaction.atomic():
            updated = model.objects.filter(pk=record.pk, expires_at=record.expires_at).exclude(
                reminder_sent_for=record.expires_at).update(reminder_sent_for=record.expires_at)
            if not updated:
                continue
            notify_owners(record, title=_("{entity}“{title}”即将到期").format(
                entity=entity_label(record), title=record.title),
                body=_("将于 {date} 到期并从公开列表下架。如信息仍然有效，请点击“确认续期”。").format(
                    date=timezone.localtime(record.expires_at).strftime("%Y-%m-%d")))
        reminded.append(record)
    return reminded


def records_expire_due(*, model) -> list:
    """Move published records past their expiry to ``expired`` (they already left public lists)."""
    expired = []
    for record in model.objects.filter(status=PUBLISHED, expires_at__lte=timezone.now()).order_by("pk"):
        with transaction.atomic():
            record = transition(record, action="expire", by=SYSTEM)
            notify_owners(record, title=_("{entity}“{title}”已到期下架").format(
                entity=entity_label(record), title=record.title),
                body=_("确认信息仍然有效后可一键续期，重新公开。"))
        expired.append(record)
    return expired


def records_freshness_run(*, model) -> dict:
    return {"reminded": len(records_send_reminders(model=model)), "expired": len(records_expire_due(model=model))}


# --- attachments ----------------------------------------------------------------------------------------

def clean_uploads(uploads, *, existing: int = 0, field: str = "file") -> list:
    uploads = [u for u in (uploads or []) if u is not None]
    errors = [ErrorItem(field, "invalid_attachment", problem)
              for problem in (upload_problem(u, allowed=ATTACHMENT_EXTENSIONS) for u in uploads) if problem]
    if existing + len(uploads) > MAX_ATTACHMENTS_PER_RECORD:
        errors.append(ErrorItem(field, "too_many_attachments", _("每条记录最多 {n} 个附件").format(
            n=MAX_ATTACHMENTS_PER_RECORD)))
    if errors:
        raise ApplicationError(errors=errors)
    return uploads


@transaction.atomic
def attachment_add(*, record, attachment_model, upload, by, is_confidential: bool = False, may: bool):
    """Store one checked upload under MEDIA_ROOT with a random name; audited on the record."""
    if not may:
        raise PermissionDenied(_("只有所属单位可以在草稿或退回修改状态下管理附件"))
    clean_uploads([upload], existing=record.attachments.count())
    row = attachment_model(record=record, original_name=clean_filename(upload.name), size=upload.size,
                           is_confidential=bool(is_confidential), uploaded_by=by)
    upload.seek(0)
    row.file.save(row.original_name, upload, save=False)
    name = row.file.name
    try:
        row.save()
    except Exception:
        default_storage.delete(name)
        raise
    record_change(obj=record, action=ObjectChange.Action.UPDATE, by=by, before={"attachment": None},
                  after={"attachment": row.original_name, "is_confidential": row.is_confidential},
                  comment="上传附件")
    return row


@transaction.atomic
def attachment_delete(*, attachment, by, may: bool) -> None:
    if not may:
        raise PermissionDenied(_("只有所属单位可以在草稿或退回修改状态下管理附件"))
    name, record = attachment.file.name, attachment.record
    original = attachment.original_name
    attachment.delete()
    record_change(obj=record, action=ObjectChange.Action.UPDATE, by=by, before={"attachment": original},
                  after={"attachment": None}, comment="删除附件")
    transaction.on_commit(lambda: default_storage.delete(name))
