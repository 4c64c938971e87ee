"""Pages of the 成果库: the public list and detail, and the owners' and reviewers' managed view.

Everything is in pages.py (shared with the 需求库); this module names what achievements use.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import permissions, selectors, services
from .api import _url as attachment_url
from .forms import AchievementFilterForm, AchievementForm
from .models import Achievement
from .pages import MarketKind
from .representations import achievement_out

KIND = MarketKind(
    ns="achievements", noun=_("成果"), registry=_("成果库"), icon="lightbulb", model=Achievement,
    filter_form=AchievementFilterForm, edit_form=AchievementForm,
    select_list=selectors.achievement_list,
    select_get=selectors.achievement_get_for_user,
    represent=achievement_out,
    attachment_url=attachment_url,
    create=services.achievement_create,
    update=lambda *, record, by, data: services.achievement_update(achievement=record, by=by, data=data),
    act=lambda *, record, **kw: services.achievement_act(achievement=record, **kw),
    renew=lambda *, record, by: services.achievement_renew(achievement=record, by=by),
    attachment_add=lambda *, record, **kw: services.achievement_attachment_add(achievement=record, **kw),
    attachment_delete=services.achievement_attachment_delete,
    can_create=permissions.can_create_achievement,
    can_manage=permissions.can_manage_achievement,
    can_edit=permissions.can_edit_achievement,
    can_manage_attachments=permissions.can_manage_attachments,
    create_hint=_("高校院所和企业用户可发布本单位的科技成果，经所在区域科技管理部门审核后公开。"),
)
