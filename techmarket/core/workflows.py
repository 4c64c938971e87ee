"""The one table-driven workflow engine (STYLE §3).

A model with a workflow declares ``status`` (TextChoices) and
``TRANSITIONS = {"action": Transition(...)}``. ``transition()`` is the only
code that writes ``.status``; ``available_actions()`` drives buttons and the
API's ``available_actions`` field. Permission names map to policy functions
(``register_policy``), so each decision is written once, in a permissions.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction as db_transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import StatusChange

Policy = Callable[[object, object], bool]
POLICIES: dict[str, Policy] = {}


def register_policy(name: str):
    """Register ``func(user, obj) -> bool`` as the decision for permission ``name``."""
    def decorator(func: Policy) -> Policy:
        POLICIES[name] = func
        return func
    return decorator


def policy_allows(user, permission: str, obj) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    policy = POLICIES.get(permission)
    if policy is not None:
        return bool(policy(user, obj))
    return user.has_perm(permission)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    permission: str
    label: str
    # When set, the action needs a reason code of this context (SPEC B2).
    reason_context: str | None = None
    comment_required: bool = False
    style: str = "primary"
    extra: dict = field(default_factory=dict)

    def __init__(self, sources, target, permission, label, reason_context=None, comment_required=False,
                 style="primary", extra=None):
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "reason_context", reason_context)
        object.__setattr__(self, "comment_required", comment_required)
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "extra", extra or {})


def _status_label(obj, value) -> str:
    field = obj._meta.get_field("status")
    return str(dict(field.flatchoices).get(value, value))


@db_transaction.atomic
def transition(obj, *, action: str, by, comment: str = "", reason_code: str | None = None):
    """Move ``obj`` along ``action``; refuses a wrong state or a missing permission loudly."""
    model = type(obj)
    spec: Transition | None = model.TRANSITIONS.get(action)
    if spec is None:
        raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
    obj = model.objects.select_for_update().get(pk=obj.pk)
    if obj.status not in spec.sources:
        raise ApplicationError(
            _("当前状态“{s}”不允许“{a}”操作").format(s=_status_label(obj, obj.status), a=spec.label),
            code="invalid_state")
    if not policy_allows(by, spec.permission, obj):
        raise PermissionDenied(_("无权执行“{a}”操作").format(a=spec.label))
    comment = (comment or "").strip()
    if spec.comment_required and not comment:
        raise ApplicationError(_("请填写意见"), field="comment", code="required")
    if spec.reason_context:
        from techmarket.feedback.services import reason_code_require

        reason_code_require(context=spec.reason_context, code=reason_code)
    old = obj.status
    obj.status = spec.target
    update_fields = ["status"]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk), action=action, action_label=spec.label,
        from_status=old, to_status=spec.target, actor=by if getattr(by, "pk", None) else None,
        comment=comment, reason_code=reason_code or "",
    )
    return obj


def available_actions(obj, user) -> list[str]:
    return [name for name, spec in type(obj).TRANSITIONS.items()
            if obj.status in spec.sources and policy_allows(user, spec.permission, obj)]


def action_choices(obj, user) -> list[tuple[str, Transition]]:
    """Actions with their specs, for rendering buttons."""
    return [(name, type(obj).TRANSITIONS[name]) for name in available_actions(obj, user)]


def status_history(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return StatusChange.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
