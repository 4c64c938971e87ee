"""Pages of the 需求库: the public list and detail, and the owners' and reviewers' managed view.

Everything is in techmarket.achievements.pages (shared with the 成果库); this module names what
demands use.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.achievements.forms import DemandFilterForm, DemandForm
from techmarket.achievements.pages import MarketKind

from . import permissions, selectors, services
from .api import _url as attachment_url
from .models import Demand
from .representations import demand_out

KIND = MarketKind(
    ns="demands", noun=_("需求"), registry=_("需求库"), icon="clipboard-check", model=Demand,
    filter_form=DemandFilterForm, edit_form=DemandForm,
    select_list=selectors.demand_list,
    select_get=selectors.demand_get_for_user,
    represent=demand_out,
    attachment_url=attachment_url,
    create=services.demand_create,
    update=lambda *, record, by, data: services.demand_update(demand=record, by=by, data=data),
    act=lambda *, record, **kw: services.demand_act(demand=record, **kw),
    renew=lambda *, record, by: services.demand_renew(demand=record, by=by),
    attachment_add=lambda *, record, **kw: services.demand_attachment_add(demand=record, **kw),
    attachment_delete=services.demand_attachment_delete,
    can_create=permissions.can_create_demand,
    can_manage=permissions.can_manage_demand,
    can_edit=permissions.can_edit_demand,
    can_manage_attachments=permissions.can_manage_attachments,
    create_hint=_("企业用户可发布本企业的技术需求，经所在区域科技管理部门审核后公开，供高校院所和服务机构对接。"),
)
