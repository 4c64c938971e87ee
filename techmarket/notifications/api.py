"""Notifications API: the caller's own inbox and subscriptions only (others' rows are 404)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router, Schema

from techmarket.core.api import caller, iso, paginate
from techmarket.core.errors import ApplicationError, ErrorItem

from . import services
from .selectors import notification_get_for_user, notification_list_for, subscription_preferences
from .topics import is_registered

router = Router(tags=["notifications"])


def _notification(n) -> dict:
    about = None
    if n.content_type_id:
        about = {"type": f"{n.content_type.app_label}.{n.content_type.model}", "id": n.object_id}
    return {
        "id": n.pk,
        "topic": n.topic,
        "topic_display": n.topic_label,
        "title": n.title,
        "body": n.body,
        "link": n.link,
        "open_url": n.get_open_url(),
        "about": about,
        "created_at": iso(n.created_at),
        "read_at": iso(n.read_at),
        "opened_at": iso(n.opened_at),
        "is_read": n.read_at is not None,
    }


def _preferences(user) -> dict:
    items = [{"topic": p.code, "topic_display": str(p.topic.label), "description": str(p.topic.description),
              "in_app": p.in_app, "email": p.email} for p in subscription_preferences(user=user)]
    return {"count": len(items), "page": 1, "page_size": len(items), "items": items}


@router.get("/notifications", summary="我的消息列表（未读在前）")
def notification_list(request, unread: bool | None = None, page: int = 1, page_size: int = 20):
    qs = notification_list_for(user=caller(request), unread=unread).select_related("content_type")
    return paginate(request, qs, _notification, page=page, page_size=page_size)


@router.post("/notifications/{notification_id}/read", summary="标记一条消息为已读")
def notification_read(request, notification_id: int):
    user = caller(request)
    notification = notification_get_for_user(user=user, pk=notification_id)
    return _notification(services.notification_mark_read(notification=notification, by=user))


class SubscriptionIn(Schema):
    topic: str
    in_app: bool
    email: bool


class SubscriptionsIn(Schema):
    items: list[SubscriptionIn]


@router.get("/notification-subscriptions", summary="我的各主题订阅设置")
def subscription_list(request):
    return _preferences(caller(request))


@router.put("/notification-subscriptions", summary="修改订阅设置（只改列出的主题）")
def subscription_update(request, payload: SubscriptionsIn):
    user = caller(request)
    unknown = [i for i, item in enumerate(payload.items) if not is_registered(item.topic)]
    if unknown:
        raise ApplicationError(errors=[
            ErrorItem(f"items.{i}.topic", "unknown_topic",
                      _("未知的消息主题：{topic}").format(topic=payload.items[i].topic)) for i in unknown])
    with transaction.atomic():
        for item in payload.items:
            services.subscription_set(user=user, topic=item.topic, in_app=item.in_app, email=item.email)
    return _preferences(user)
