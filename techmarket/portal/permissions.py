"""Who may manage the portal's articles and who may enter the back office."""
from __future__ import annotations

from techmarket.accounts.permissions import (
    is_authenticated,
    is_bureau_admin,
    is_region_staff,
    region_in_staff_scope,
)
from techmarket.core.workflows import register_policy

from .workflows import PUBLISH_PERMISSION


def can_enter_back_office(user) -> bool:
    """The /manage/ dashboard: bureau administrators, district officers and superusers."""
    return is_authenticated(user) and (user.is_superuser or is_region_staff(user))


def can_use_django_admin(user) -> bool:
    return is_authenticated(user) and (user.is_superuser or is_bureau_admin(user))


def can_manage_articles(user) -> bool:
    """Article management is the city bureau's: bureau administrators and superusers."""
    return is_bureau_admin(user)


def can_manage_city_articles(user, city) -> bool:
    return is_bureau_admin(user) and region_in_staff_scope(user, city.region)


def can_manage_article(user, article) -> bool:
    return can_manage_city_articles(user, article.city)


@register_policy(PUBLISH_PERMISSION)
def can_publish_article(user, article) -> bool:
    return can_manage_article(user, article)


def can_download_attachment(user, attachment) -> bool:
    """Attachments of published articles (of an active city) are public; others only for the managers."""
    article = attachment.article
    return (article.is_published and article.city.is_active) or can_manage_article(user, article)
