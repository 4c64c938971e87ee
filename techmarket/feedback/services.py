"""Coded reasons: validation for the workflow engine and the bureau's edits.

``reason_code_require`` is called by ``core.workflows.transition`` whenever a
Transition has a ``reason_context``. The reads (``reason_codes_for``,
``reason_label``, ``reason_statistics``) live in selectors.py and are re-exported
here so other apps need one import.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange

from .models import ReasonCode, ReasonContext
from .selectors import (  # noqa: F401  (re-exported)
    reason_code_is_used,
    reason_codes_for,
    reason_display,
    reason_label,
    reason_statistics,
)

__all__ = [
    "reason_code_require", "reason_codes_for", "reason_label", "reason_display", "reason_statistics",
    "reason_code_create", "reason_code_update", "reason_code_delete", "reason_code_is_used",
]


def reason_code_require(*, context: str, code: str | None) -> ReasonCode:
    """The active ReasonCode ``code`` of ``context``; a Chinese 422 on reason_code otherwise."""
    code = (code or "").strip()
    if not code:
        raise ApplicationError(_("请选择原因"), field="reason_code", code="required")
    reason = ReasonCode.objects.select_related("context").filter(context_id=context, code=code).first()
    if reason is None:
        raise ApplicationError(_("原因代码“{code}”不适用于此操作").format(code=code), field="reason_code",
                               code="invalid_choice")
    if not reason.is_active:
        raise ApplicationError(_("原因“{label}”已停用，请选择其他原因").format(label=reason.label),
                               field="reason_code", code="inactive")
    return reason


def _clean(reason: ReasonCode) -> None:
    try:
        reason.full_clean()
    except ValidationError as exc:
        raise ApplicationError.from_django(exc) from exc


@transaction.atomic
def reason_code_create(*, context: str, code: str, label: str, by, description: str = "",
                       sort_order: int = 0, is_active: bool = True) -> ReasonCode:
    if not ReasonContext.objects.filter(slug=context).exists():
        raise ApplicationError(_("原因场景“{c}”不存在").format(c=context), field="context", code="invalid_choice")
    reason = ReasonCode(context_id=context, code=(code or "").strip(), label=(label or "").strip(),
                        description=description, sort_order=sort_order, is_active=is_active)
    _clean(reason)
    reason.save()
    record_change(obj=reason, action=ObjectChange.Action.CREATE, by=by)
    return reason


_UNSET = object()


@transaction.atomic
def reason_code_update(*, reason_code: ReasonCode, by, code=_UNSET, label=_UNSET, description=_UNSET,
                       is_active=_UNSET, sort_order=_UNSET) -> ReasonCode:
    """Edit a code. Once used, its code (the value stored in histories) cannot change."""
    reason = ReasonCode.objects.select_for_update().get(pk=reason_code.pk)
    before = snapshot(reason)
    if code is not _UNSET and code != reason.code:
        if reason_code_is_used(reason):
            raise ApplicationError(_("该原因已被使用，代码不能修改；如不再适用请停用"), field="code",
                                   code="in_use")
        reason.code = (code or "").strip()
    for name, value in (("label", label), ("description", description), ("is_active", is_active),
                        ("sort_order", sort_order)):
        if value is not _UNSET:
            setattr(reason, name, value.strip() if isinstance(value, str) and name == "label" else value)
    _clean(reason)
    reason.save()
    after = snapshot(reason)
    if after != before:
        record_change(obj=reason, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return reason


@transaction.atomic
def reason_code_delete(*, reason_code: ReasonCode, by) -> None:
    """Delete an unused code; a used one must be deactivated instead."""
    if reason_code_is_used(reason_code):
        raise ApplicationError(_("该原因已被使用，不能删除，请改为停用"), code="in_use")
    before = snapshot(reason_code)
    record_change(obj=reason_code, action=ObjectChange.Action.DELETE, by=by, before=before, after=None)
    reason_code.delete()
