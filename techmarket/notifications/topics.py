"""The topic registry: every kind of notification the platform sends.

A topic is code, not data: the code that calls ``notify(topic=...)`` decides
what the topic means. Apps register their own topics in ``AppConfig.ready()``::

    from techmarket.notifications.topics import register_topic
    register_topic("matching", _("精准推送"), default_email=True,
                   description=_("与您的成果、需求或专长匹配的新需求和榜单"))

A user's ``Subscription`` row overrides the defaults; no row means the defaults
(in-app always on, e-mail as ``default_email`` says).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class UnknownTopic(LookupError):
    """``notify`` or a subscription named a topic nobody registered."""


@dataclass(frozen=True)
class Topic:
    code: str
    label: str
    default_email: bool = True
    description: str = ""
    default_in_app: bool = True


_REGISTRY: dict[str, Topic] = {}


def register_topic(code: str, label, default_email: bool = True, description="") -> Topic:
    """Declare a topic. Registering the same code twice with the same values is harmless."""
    if not _CODE_RE.match(code):
        raise ValueError(f"topic code must be a lowercase slug of at most 64 characters: {code!r}")
    topic = Topic(code=code, label=label, default_email=default_email, description=description)
    existing = _REGISTRY.get(code)
    if existing is not None and (str(existing.label), existing.default_email, str(existing.description)) != (
            str(label), default_email, str(description)):
        raise ValueError(f"topic {code!r} is already registered with different values")
    _REGISTRY[code] = topic
    return topic


def get_topic(code: str) -> Topic:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownTopic(code) from None


def is_registered(code: str) -> bool:
    return code in _REGISTRY


def all_topics() -> list[Topic]:
    """Topics in registration order (the order of the settings form)."""
    return list(_REGISTRY.values())


def topic_label(code: str) -> str:
    topic = _REGISTRY.get(code)
    return str(topic.label) if topic else code


# Topics the foundation needs; later apps add theirs.
register_topic("account", _("账号与注册"), default_email=True,
               description=_("注册申请的审核结果、角色变更、API 令牌等账号事项"))
register_topic("registry", _("资源库变更"), default_email=True,
               description=_("您维护或关注的单位、人才、平台等资源库记录的审核与变更"))
register_topic("announcement", _("通知公告"), default_email=True,
               description=_("科技主管部门发布的通知、公告和公示"))
register_topic("disclosure", _("保密信息披露"), default_email=True,
               description=_("保密信息的查阅申请、批准及披露记录"))
