"""Every write of 对接活动 (SPEC M9): create and edit events, the publication workflow, registration with
capacity checked under a row lock, and cancelling one's own registration."""
from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_region_staff, region_in_staff_scope
from techmarket.achievements.lifecycle import full_clean
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition
from techmarket.regions.models import Region
from techmarket.regions.selectors import region_get

from .choices import EventKind, EventStatus, RegistrationStatus
from .models import MAX_ATTENDEES_PER_REGISTRATION, Event, EventRegistration
from .permissions import can_create_event, event_edit_refusal, is_agency_user

__all__ = ["event_create", "event_update", "event_act", "event_register", "event_registration_cancel",
           "registered_count", "EDITABLE_FIELDS"]

EDITABLE_FIELDS = ("title", "kind", "summary", "description", "starts_at", "ends_at", "venue", "region",
                   "capacity", "registration_deadline", "achievements")
TEXT_FIELDS = {"title": (_("活动名称"), 200, True), "summary": (_("活动简介"), 500, False),
               "description": (_("活动详情"), 20000, False), "venue": (_("活动地点"), 200, True)}
DATETIME_FIELDS = {"starts_at": _("开始时间"), "ends_at": _("结束时间"), "registration_deadline": _("报名截止时间")}
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_ACHIEVEMENTS = 30


def registered_count(event: Event) -> int:
    """Places taken: the attendees of active registrations."""
    return event.registrations.filter(status=RegistrationStatus.REGISTERED).aggregate(
        n=Sum("attendee_count"))["n"] or 0


# --- field rules ------------------------------------------------------------------------------------------

def _text(value, *, field: str) -> str:
    label, max_length, required = TEXT_FIELDS[field]
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")
    if len(text) > max_length:
        raise ApplicationError(_("{label}不能超过 {n} 个字").format(label=label, n=max_length), field=field,
                               code="too_long")
    return text


def _datetime(value, *, field: str) -> datetime.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime.datetime):
        parsed = parse_datetime(str(value).strip()) if isinstance(value, str) else None
        if parsed is None:
            raise ApplicationError(_("{label}格式应为 ISO 8601，如 2025-06-01T09:00:00+08:00").format(
                label=DATETIME_FIELDS[field]), field=field, code="invalid_datetime")
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # Asia/Shanghai
    return value


def _region(value) -> Region:
    if isinstance(value, Region):
        return value
    code = str(value or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise ApplicationError(_("所在区域应为 6 位行政区划代码，如 410105"), field="region", code="invalid_region")
    try:
        return region_get(code)
    except Region.DoesNotExist:
        raise ApplicationError(_("所在区域“{c}”不是有效的行政区划代码").format(c=code), field="region",
                               code="invalid_region") from None


def _capacity(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or str(number) != str(value).strip():
        raise ApplicationError(_("名额应为正整数，不限名额请留空"), field="capacity", code="invalid")
    return number


def _achievements(values) -> list:
    from techmarket.achievements.models import Achievement

    values = list(values or [])
    if len(values) > MAX_ACHIEVEMENTS:
        raise ApplicationError(_("展示成果最多 {n} 项").format(n=MAX_ACHIEVEMENTS), field="achievements",
                               code="too_many")
    ids = [v.pk if isinstance(v, Achievement) else v for v in values]
    try:
        ids = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise ApplicationError(_("展示成果应为成果编号列表"), field="achievements", code="invalid") from None
    found = {a.pk: a for a in Achievement.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ApplicationError(_("展示成果不存在：{ids}").format(ids="、".join(missing)), field="achievements",
                               code="invalid_choice")
    unpublished = [found[i] for i in ids if not found[i].is_public]
    if unpublished:
        raise ApplicationError(_("成果“{t}”未发布，不能参加活动展示").format(t=unpublished[0].title),
                               field="achievements", code="not_published")
    return [found[i] for i in ids]


def _apply(event: Event, data: dict, *, by, now: datetime.datetime) -> list | None:
    """Copy ``data`` onto ``event`` with every rule (all bad fields named at once); returns the showcased
    achievements to set (None: unchanged)."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(unknown)), field=unknown[0],
                               code="not_editable")
    errors: list[ErrorItem] = []

    def take(func, *args, **kwargs):
        try:
            return True, func(*args, **kwargs)
        except ApplicationError as exc:
            errors.extend(exc.errors)
            return False, None

    for name in TEXT_FIELDS:
        if name in data:
            ok, value = take(_text, data[name], field=name)
            if ok:
                setattr(event, name, value)
    if "kind" in data:
        if data["kind"] in EventKind.values:
            event.kind = data["kind"]
        else:
            errors.append(ErrorItem("kind", "invalid_choice", _("活动类型无效，可选：{k}").format(
                k="、".join(f"{v}（{label}）" for v, label in EventKind.choices))))
    old_start = event.starts_at
    for name in DATETIME_FIELDS:
        if name in data:
            ok, value = take(_datetime, data[name], field=name)
            if ok:
                setattr(event, name, value)
    if "region" in data:
        ok, region = take(_region, data["region"])
        if ok:
            if is_region_staff(by) and not is_agency_user(by) and not region_in_staff_scope(by, region):
                errors.append(ErrorItem("region", "out_of_scope", _("所在区域“{n}”不在您的管辖范围内").format(
                    n=region.full_name)))
            else:
                event.region = region
    if "capacity" in data:
        ok, value = take(_capacity, data["capacity"])
        if ok:
            event.capacity = value
    achievements = None
    if "achievements" in data:
        ok, value = take(_achievements, data["achievements"])
        if ok:
            achievements = value
    for name, label in (("starts_at", _("开始时间")), ("ends_at", _("结束时间"))):
        if getattr(event, name) is None and not any(e.field == name for e in errors):
            errors.append(ErrorItem(name, "required", _("请填写{label}").format(label=label)))
    if errors:
        raise ApplicationError(errors=errors)
    if event.starts_at != old_start and event.starts_at <= now:
        errors.append(ErrorItem("starts_at", "in_past", _("开始时间应晚于当前时间")))
    if event.ends_at <= event.starts_at:
        errors.append(ErrorItem("ends_at", "invalid_range", _("结束时间应晚于开始时间")))
    if event.registration_deadline is not None and event.registration_deadline > event.starts_at:
        errors.append(ErrorItem("registration_deadline", "invalid_range", _("报名截止时间不能晚于活动开始时间")))
    if event.pk and event.capacity is not None:
        taken = registered_count(event)
        if event.capacity < taken:
            errors.append(ErrorItem("capacity", "below_registered", _("名额不能少于已报名人数（{n} 人）").format(
                n=taken)))
    if errors:
        raise ApplicationError(errors=errors)
    return achievements


def audit_snapshot(event: Event) -> dict:
    return snapshot(event)


# --- events ----------------------------------------------------------------------------------------------

def _event_create(*, by, data: dict, now: datetime.datetime) -> Event:
    if not can_create_event(by):
        raise PermissionDenied(_("只有科技管理部门和技术转移机构可以组织对接活动"))
    staff = is_region_staff(by) and not is_agency_user(by)
    event = Event(created_by=by, organizer_organization=None if staff else by.organization)
    data = dict(data)
    for name in ("title", "kind", "venue", "starts_at", "ends_at"):
        data.setdefault(name, None if name.endswith("_at") else "")
    if not data.get("region"):
        default = by.region if staff else by.organization.region
        if default is None:
            raise ApplicationError(_("请选择所在区域"), field="region", code="required")
        data["region"] = default
    achievements = _apply(event, data, by=by, now=now)
    full_clean(event, exclude=["organizer_organization", "region"])
    event.save()
    if achievements:
        event.achievements.set(achievements)
    record_change(obj=event, action=ObjectChange.Action.CREATE, by=by, after=audit_snapshot(event))
    return event


@transaction.atomic
def event_create(*, by, data: dict) -> Event:
    """A draft event. Staff organise it as the bureau (no organizer organization) in their region; an
    agency's users organise it for their organization (staff in scope publish it once submitted)."""
    return _event_create(by=by, data=data, now=timezone.now())


@transaction.atomic
def event_update(*, event: Event, by, data: dict) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    refusal = event_edit_refusal(by, event)
    if refusal:
        raise PermissionDenied(refusal)
    before = audit_snapshot(event)
    achievements = _apply(event, dict(data), by=by, now=timezone.now())
    full_clean(event, exclude=["organizer_organization", "region"])
    event.save()
    if achievements is not None:
        event.achievements.set(achievements)
    after = audit_snapshot(event)
    if {k: v for k, v in after.items() if k != "updated_at"} != {k: v for k, v in before.items() if k != "updated_at"}:
        record_change(obj=event, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return event


@transaction.atomic
def event_act(*, event: Event, action: str, by, comment: str = "", reason_code: str | None = None) -> Event:
    """Any workflow action by name (API ``POST /events/{id}/actions/{action}``), with its side effects:
    publishing stamps ``published_at`` and tells the organizer; cancelling tells every registrant."""
    if action == "publish" and event.ends_at <= timezone.now():
        raise ApplicationError(_("活动已结束，不能发布"), code="event_finished")
    event = transition(event, action=action, by=by, comment=comment, reason_code=reason_code)
    if action == "publish":
        event.published_at = timezone.now()
        event.save(update_fields=["published_at", "updated_at"])
        _notify_organizer(event, title=_("活动已发布：{t}").format(t=event.title))
    elif action == "return":
        _notify_organizer(event, title=_("活动被退回修改：{t}").format(t=event.title), body=comment)
    elif action == "cancel":
        _notify_registrants(event, comment=comment)
    return event


def _notify_organizer(event: Event, *, title: str, body: str = "") -> None:
    from techmarket.notifications.services import notify

    if event.organizer_organization_id is None:
        return
    users = get_user_model().objects.filter(organization_id=event.organizer_organization_id, is_active=True)
    notify(recipients=list(users), topic="events", title=title, body=body, link=event.get_manage_url(), about=event)


def _notify_registrants(event: Event, *, comment: str) -> None:
    from techmarket.notifications.services import notify

    users = get_user_model().objects.filter(
        event_registrations__event=event, event_registrations__status=RegistrationStatus.REGISTERED).distinct()
    notify(recipients=list(users), topic="events", title=_("活动已取消：{t}").format(t=event.title),
           body=_("取消原因：{c}").format(c=comment), link=event.get_absolute_url(), about=event)


# --- registration -----------------------------------------------------------------------------------------

def _registration_fields(data: dict, *, by) -> dict:
    errors: list[ErrorItem] = []
    name = str(data.get("attendee_name") or getattr(by, "name", "") or "").strip()
    if not name:
        errors.append(ErrorItem("attendee_name", "required", _("请填写参会人姓名")))
    elif len(name) > 64:
        errors.append(ErrorItem("attendee_name", "too_long", _("参会人姓名不能超过 64 个字")))
    phone = re.sub(r"\s", "", str(data.get("phone") or ""))
    if not phone:
        errors.append(ErrorItem("phone", "required", _("请填写联系电话")))
    elif not PHONE_RE.match(phone):
        errors.append(ErrorItem("phone", "invalid_phone", _("联系电话应为 11 位手机号或带区号的固定电话")))
    raw_count = data.get("attendee_count", 1)
    try:
        count = int(raw_count if raw_count not in (None, "") else 1)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_ATTENDEES_PER_REGISTRATION:
        errors.append(ErrorItem("attendee_count", "invalid", _("参会人数应在 1–{n} 人之间").format(
            n=MAX_ATTENDEES_PER_REGISTRATION)))
    note = str(data.get("note") or "").strip()
    if len(note) > 500:
        errors.append(ErrorItem("note", "too_long", _("备注不能超过 500 个字")))
    if errors:
        raise ApplicationError(errors=errors)
    return {"attendee_name": name, "phone": phone, "attendee_count": count, "note": note}


def _register(*, event: Event, by, data: dict, now: datetime.datetime) -> EventRegistration:
    if not getattr(by, "is_authenticated", False) or getattr(by, "pk", None) is None:
        raise PermissionDenied(_("请先登录后报名"))
    # The row lock on the event serialises registrations, so the capacity check below sees every place
    # already taken (PostgreSQL: SELECT … FOR UPDATE; SQLite writes one transaction at a time).
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.PUBLISHED:
        raise ApplicationError(_("活动未发布或已取消，不能报名"), code="not_open")
    if now >= event.starts_at:
        raise ApplicationError(_("活动已开始，报名已结束"), code="event_started")
    if event.registration_deadline is not None and now > event.registration_deadline:
        raise ApplicationError(_("报名已于 {d} 截止").format(
            d=timezone.localtime(event.registration_deadline).strftime("%Y-%m-%d %H:%M")), code="registration_closed")
    fields = _registration_fields(data, by=by)
    if event.registrations.filter(user_id=by.pk, status=RegistrationStatus.REGISTERED).exists():
        raise ApplicationError(_("您已报名该活动"), code="already_registered")
    if event.capacity is not None:
        left = event.capacity - registered_count(event)
        if fields["attendee_count"] > left:
            message = (_("名额已满") if left <= 0 else
                       _("名额不足：仅剩 {n} 个名额").format(n=left))
            raise ApplicationError(message, field="attendee_count", code="capacity_full")
    try:
        with transaction.atomic():
            registration = EventRegistration.objects.create(event=event, user=by, organization=by.organization,
                                                            **fields)
    except IntegrityError:
        raise ApplicationError(_("您已报名该活动"), code="already_registered") from None
    record_change(obj=registration, action=ObjectChange.Action.CREATE, by=by)
    return registration


@transaction.atomic
def event_register(*, event: Event, by, data: dict) -> EventRegistration:
    """A logged-in user registers for a published event before its deadline and before it starts; the
    places asked for must be free (capacity counts attendees). One active registration per user."""
    return _register(event=event, by=by, data=data, now=timezone.now())


@transaction.atomic
def event_registration_cancel(*, event: Event, by) -> EventRegistration:
    """Cancel the caller's own registration (before the event starts); the places become free again."""
    registration = (EventRegistration.objects.select_for_update()
                    .filter(event=event, user_id=getattr(by, "pk", None), status=RegistrationStatus.REGISTERED)
                    .first())
    if registration is None:
        raise ApplicationError(_("您没有报名该活动"), code="not_registered")
    if event.starts_at <= timezone.now():
        raise ApplicationError(_("活动已开始，不能取消报名"), code="event_started")
    before = snapshot(registration)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    record_change(obj=registration, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  comment=_("取消报名"))
    return registration
