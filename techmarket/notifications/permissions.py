"""Who may act on a notification: only its recipient."""
from __future__ import annotations


def can_view_notification(user, notification) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and notification.recipient_id == user.pk
