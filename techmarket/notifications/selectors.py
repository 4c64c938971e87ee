"""Reads of notifications and subscriptions for one user."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from .models import Notification, Subscription
from .topics import Topic, all_topics, get_topic


def notification_list_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's inbox: unread first, then newest first. Only the user's own rows."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user, in_app=True)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.annotate(
        is_unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()),
    ).order_by("-is_unread", "-created_at", "-pk")


def notification_get_for_user(*, user, pk) -> Notification:
    """One notification of the user's; 404 when it is missing or someone else's."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Notification.objects.get(pk=pk, recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def notifications_about(obj) -> QuerySet[Notification]:
    """Who was notified about a record, and who opened it (for the record's owner;
    the caller checks that the viewer may manage ``obj``)."""
    ct = ContentType.objects.get_for_model(type(obj))
    return (Notification.objects.filter(content_type=ct, object_id=str(obj.pk))
            .select_related("recipient").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class Preference:
    topic: Topic
    in_app: bool
    email: bool
    customised: bool

    @property
    def code(self) -> str:
        return self.topic.code


def subscription_preferences(*, user) -> list[Preference]:
    """The effective choice for every registered topic (a saved row, else the topic's defaults)."""
    saved = {s.topic: s for s in Subscription.objects.filter(user=user)} if user.pk else {}
    prefs = []
    for topic in all_topics():
        row = saved.get(topic.code)
        if row is None:
            prefs.append(Preference(topic, topic.default_in_app, topic.default_email, False))
        else:
            prefs.append(Preference(topic, row.in_app, row.email, True))
    return prefs


def subscription_preference(*, user, topic: str) -> Preference:
    t = get_topic(topic)
    row = Subscription.objects.filter(user=user, topic=topic).first()
    if row is None:
        return Preference(t, t.default_in_app, t.default_email, False)
    return Preference(t, row.in_app, row.email, True)


def email_topics_for(*, user) -> set[str]:
    """Codes of the topics the user currently wants in the e-mail digest."""
    return {p.code for p in subscription_preferences(user=user) if p.email}
