"""Every write of the notifications app.

* ``notify`` creates in-app notifications, honouring each recipient's subscription;
* the inbox services mark notifications read and record click-throughs;
* ``subscription_set`` and the signed one-click unsubscribe change subscriptions;
* ``digest_send_daily`` sends at most one e-mail digest per recipient per day.
"""
from __future__ import annotations

import datetime
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.errors import ApplicationError

from .models import DigestLog, Notification, Subscription
from .permissions import can_view_notification
from .selectors import email_topics_for
from .topics import UnknownTopic, get_topic, is_registered, topic_label

logger = logging.getLogger(__name__)

#: Sent after the transaction that created notifications commits, with
#: ``notifications`` (the created rows) and ``topic``. Receivers add channels
#: (SMS, instant push) without touching the caller's transaction.
notifications_created = Signal()

UNSUBSCRIBE_SALT = "techmarket.notifications.unsubscribe"
DIGEST_MAX_ITEMS = 50
_TITLE_MAX = Notification._meta.get_field("title").max_length
_LINK_MAX = Notification._meta.get_field("link").max_length


def _clean_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    parts = urlsplit(link)
    site_path = link.startswith("/") and not link.startswith("//") and not parts.scheme
    web_url = parts.scheme in ("http", "https") and bool(parts.netloc)
    if not (site_path or web_url):
        raise ValueError(f"notification link must be a site path or an http(s) URL: {link!r}")
    if len(link) > _LINK_MAX:
        raise ValueError(f"notification link longer than {_LINK_MAX} characters")
    return link


def _shorten(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preferences_for(user_ids: list[int], topic: str) -> dict[int, tuple[bool, bool]]:
    t = get_topic(topic)
    prefs = {uid: (t.default_in_app, t.default_email) for uid in user_ids}
    for uid, in_app, email in Subscription.objects.filter(user_id__in=user_ids, topic=topic).values_list(
            "user_id", "in_app", "email"):
        prefs[uid] = (in_app, email)
    return prefs


def _send_created_signal(notifications: list[Notification], topic: str) -> None:
    for receiver, result in notifications_created.send_robust(
            sender=Notification, notifications=notifications, topic=topic):
        if isinstance(result, Exception):
            logger.error("notifications_created receiver %r failed", receiver, exc_info=result)


def notify(*, recipients, topic: str, title: str, body: str = "", link: str = "",
           about=None) -> list[Notification]:
    """Notify users about something. Returns the notifications created.

    A recipient who switched the topic off both in the inbox and by e-mail gets
    nothing; one who switched only the inbox off gets a row used for the digest.
    Inactive users and duplicates are skipped. Runs inside the caller's
    transaction; ``notifications_created`` is sent after it commits.
    """
    if not is_registered(topic):
        raise UnknownTopic(topic)
    title = _shorten(title, _TITLE_MAX)
    if not title:
        raise ValueError("a notification needs a title")
    link = _clean_link(link)
    if recipients is None:
        recipients = []
    elif isinstance(recipients, get_user_model()):
        recipients = [recipients]
    users, seen = [], set()
    for user in recipients:
        if user is None or user.pk is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    content_type, object_id = None, ""
    if about is not None:
        if about.pk is None:
            raise ValueError("'about' must be a saved record")
        content_type, object_id = ContentType.objects.get_for_model(type(about)), str(about.pk)

    with transaction.atomic():
        prefs = _preferences_for([u.pk for u in users], topic)
        rows = []
        for user in users:
            in_app, email = prefs[user.pk]
            if not (in_app or email):
                continue
            rows.append(Notification(recipient=user, topic=topic, title=title, body=body or "", link=link,
                                     content_type=content_type, object_id=object_id, in_app=in_app))
        created = Notification.objects.bulk_create(rows)
        if created:
            transaction.on_commit(lambda: _send_created_signal(created, topic), robust=True)
    return created


def _check_recipient(notification: Notification, by) -> None:
    if by is None or not can_view_notification(by, notification):
        raise PermissionDenied(_("只能处理发给自己的消息"))


def notification_mark_read(*, notification: Notification, by) -> Notification:
    _check_recipient(notification, by)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread inbox notification of ``user`` read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_open(*, notification: Notification, by) -> str:
    """Record the first click-through (and reading) and return where to go."""
    _check_recipient(notification, by)
    now = timezone.now()
    changed = []
    if notification.opened_at is None:
        notification.opened_at = now
        changed.append("opened_at")
    if notification.read_at is None:
        notification.read_at = now
        changed.append("read_at")
    if changed:
        Notification.objects.filter(pk=notification.pk).update(
            **{field: getattr(notification, field) for field in changed})
    return notification.link or reverse("notifications:inbox")


def subscription_set(*, user, topic: str, in_app: bool, email: bool) -> Subscription:
    if not is_registered(topic):
        raise ApplicationError(_("未知的消息主题：{topic}").format(topic=topic), field="topic",
                               code="unknown_topic")
    subscription, _created = Subscription.objects.update_or_create(
        user=user, topic=topic, defaults={"in_app": bool(in_app), "email": bool(email)})
    return subscription


# --- one-click unsubscribe ---------------------------------------------------------------------

def unsubscribe_token(user, topic: str) -> str:
    """A signed, non-expiring token that turns off e-mail for one topic of one user."""
    get_topic(topic)
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user.pk, "t": topic})


def unsubscribe_token_read(token: str):
    """Check a token; returns ``(user, topic)`` or raises ApplicationError."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        user_id, topic = data["u"], data["t"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ApplicationError(_("退订链接无效或已被篡改"), field="token", code="invalid_token") from None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not is_registered(topic):
        raise ApplicationError(_("退订链接已失效"), field="token", code="invalid_token")
    return user, topic


def unsubscribe_by_token(token: str) -> Subscription:
    """Turn off e-mail for the token's topic; in-app notifications stay as they were."""
    user, topic = unsubscribe_token_read(token)
    with transaction.atomic():
        current = Subscription.objects.select_for_update().filter(user=user, topic=topic).first()
        in_app = current.in_app if current is not None else get_topic(topic).default_in_app
        return subscription_set(user=user, topic=topic, in_app=in_app, email=False)


# --- daily digest ------------------------------------------------------------------------------

def _absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.TECHMARKET_SITE_URL.rstrip("/") + path


def _day_end(day: datetime.date) -> datetime.datetime:
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start, timezone.get_default_timezone())


def _digest_message(user, items: list[Notification], total: int) -> EmailMultiAlternatives:
    topics = []
    for code in dict.fromkeys(n.topic for n in items):
        topics.append({
            "code": code, "label": topic_label(code),
            "unsubscribe_url": _absolute(reverse("notifications:unsubscribe",
                                                 args=[unsubscribe_token(user, code)])),
        })
    context = {
        "user": user,
        "count": total,
        "items": [{"notification": n, "topic_label": topic_label(n.topic),
                   "url": _absolute(n.get_open_url())} for n in items],
        "more": total - len(items),
        "topics": topics,
        "inbox_url": _absolute(reverse("notifications:inbox")),
        "settings_url": _absolute(reverse("notifications:settings")),
        "site_url": settings.TECHMARKET_SITE_URL,
    }
    subject = _("科技大市场 每日消息摘要（{n} 条）").format(n=total)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


def digest_send_daily(*, day: datetime.date | None = None) -> list[DigestLog]:
    """Send each recipient one e-mail with their notifications not yet e-mailed.

    Candidates: active users with an e-mail address and unread, un-e-mailed
    notifications created up to the end of ``day`` (default: today in
    Asia/Shanghai) in topics whose e-mail subscription is on now. The
    ``DigestLog`` row for (user, day) is written in the same transaction as the
    notifications are marked e-mailed, and its unique constraint makes a second
    run on the same day (or a concurrent one) skip that user. A failed send
    rolls the user's transaction back, so the next run retries.
    """
    day = day or timezone.localdate()
    cutoff = _day_end(day)
    pending = Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True, created_at__lt=cutoff)
    users = (get_user_model().objects.filter(is_active=True, pk__in=pending.values("recipient_id"))
             .exclude(email="").exclude(notification_digests__date=day).order_by("pk"))
    if not settings.TECHMARKET_DEMO:
        users = users.filter(is_demo=False)
    sent: list[DigestLog] = []
    for user in users:
        topics = email_topics_for(user=user)
        if not topics:
            continue
        mine = pending.filter(recipient=user, topic__in=topics).order_by("created_at", "pk")
        try:
            with transaction.atomic():
                ids = list(mine.values_list("pk", flat=True))
                if not ids:
                    continue
                try:
                    with transaction.atomic():
                        log = DigestLog.objects.create(user=user, date=day, count=len(ids))
                except IntegrityError:
                    continue  # another run already sent this user's digest for the day
                items = list(Notification.objects.filter(pk__in=ids).order_by("created_at", "pk")[:DIGEST_MAX_ITEMS])
                _digest_message(user, items, len(ids)).send(fail_silently=False)
                Notification.objects.filter(pk__in=ids).update(emailed_at=log.sent_at)
        except Exception:
            logger.exception("daily digest for user %s on %s failed", user.pk, day)
            continue
        sent.append(log)
    return sent
