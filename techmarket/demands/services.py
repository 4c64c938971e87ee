"""Every write of technology demands (技术需求, SPEC §2 M2)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.achievements import lifecycle
from techmarket.achievements.records import is_owner
from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_to_fen
from techmarket.core.workflows import transition

from .choices import DemandStatus
from .models import Demand, DemandAttachment
from .permissions import can_create_demand, can_edit_demand, can_manage_attachments

__all__ = ["demand_create", "demand_update", "demand_submit", "demand_approve", "demand_act", "demand_renew",
           "demand_attachment_add", "demand_attachment_delete", "demands_publish_due", "demands_freshness_run"]

EDITABLE_FIELDS = ("title", "description", "keywords", "tech_field", "budget_min", "budget_max", "deadline",
                   "region", "contact", "confidential_detail", "publish_at")


def _money(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    fen = yuan_to_fen(value, field=field)
    if fen < 0:
        raise ApplicationError(_("金额不能为负数"), field=field, code="negative")
    return fen


def _apply(demand: Demand, data: dict) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(sorted(unknown))), field=sorted(unknown)[0],
                               code="not_editable")
    for name in ("title", "description", "confidential_detail"):
        if name in data:
            setattr(demand, name, (data[name] or "").strip())
    if "keywords" in data:
        demand.keywords = lifecycle.clean_keywords(data["keywords"])
        demand.keywords_text = " ".join(demand.keywords)
    if "tech_field" in data:
        lifecycle.check_term(data["tech_field"], scheme="hitech_domains", field="tech_field", label=_("技术领域"))
        demand.tech_field = data["tech_field"]
    if "contact" in data:
        contact = data["contact"]
        if contact is not None and contact.organization_id != demand.owner_organization_id:
            raise ApplicationError(_("联系人应为本单位人员"), field="contact", code="invalid_choice")
        demand.contact = contact
    if "region" in data:
        demand.region = data["region"] or demand.owner_organization.region
    if "publish_at" in data:
        lifecycle.check_publish_at(data["publish_at"])
        demand.publish_at = data["publish_at"]
    if "deadline" in data:
        deadline = data["deadline"]
        if deadline is not None and deadline < timezone.localdate():
            raise ApplicationError(_("截止日期不能早于今天"), field="deadline", code="in_past")
        demand.deadline = deadline
    if "budget_min" in data:
        demand.budget_min_fen = _money(data["budget_min"], "budget_min")
    if "budget_max" in data:
        demand.budget_max_fen = _money(data["budget_max"], "budget_max")
    if (demand.budget_min_fen is not None and demand.budget_max_fen is not None
            and demand.budget_min_fen > demand.budget_max_fen):
        raise ApplicationError(_("预算下限不能高于预算上限"), field="budget_min", code="invalid_range")


@transaction.atomic
def demand_create(*, by, data: dict) -> Demand:
    """A draft demand of the caller's enterprise; ``region`` defaults to the enterprise's."""
    if not can_create_demand(by):
        raise PermissionDenied(_("只有企业用户可以发布技术需求"))
    organization = by.organization
    demand = Demand(owner_organization=organization, created_by=by, region=organization.region)
    data = dict(data)
    data.setdefault("region", None)
    _apply(demand, data)
    lifecycle.full_clean(demand)
    demand.save()
    record_change(obj=demand, action=ObjectChange.Action.CREATE, by=by, after=lifecycle.audit_snapshot(demand))
    return demand


@transaction.atomic
def demand_update(*, demand: Demand, by, data: dict) -> Demand:
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if not can_edit_demand(by, demand):
        if is_owner(by, demand):
            raise PermissionDenied(_("只有草稿或退回修改状态的需求可以修改（当前：{s}）").format(
                s=demand.get_status_display()))
        raise PermissionDenied(_("只有所属单位可以修改技术需求"))
    before = lifecycle.audit_snapshot(demand)
    _apply(demand, data)
    lifecycle.full_clean(demand)
    demand.save()
    after = lifecycle.audit_snapshot(demand)
    if after != before:
        record_change(obj=demand, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return demand


def demand_submit(*, demand: Demand, by, comment: str = "") -> Demand:
    action = "resubmit" if demand.status == DemandStatus.RETURNED else "submit"
    return transition(demand, action=action, by=by, comment=comment)


def demand_approve(*, demand: Demand, by, comment: str = "") -> Demand:
    return lifecycle.record_approve(record=demand, by=by, comment=comment)


def demand_act(*, demand: Demand, action: str, by, comment: str = "", reason_code: str | None = None) -> Demand:
    """Any workflow action by name (API ``POST /demands/{id}/actions/{action}``)."""
    return lifecycle.record_act(record=demand, action=action, by=by, comment=comment, reason_code=reason_code)


def demand_renew(*, demand: Demand, by) -> Demand:
    return lifecycle.record_renew(record=demand, by=by)


def demand_attachment_add(*, demand: Demand, upload, by, is_confidential: bool = False) -> DemandAttachment:
    return lifecycle.attachment_add(record=demand, attachment_model=DemandAttachment, upload=upload, by=by,
                                    is_confidential=is_confidential, may=can_manage_attachments(by, demand))


def demand_attachment_delete(*, attachment: DemandAttachment, by) -> None:
    lifecycle.attachment_delete(attachment=attachment, by=by, may=can_manage_attachments(by, attachment.record))


def demands_publish_due() -> list[Demand]:
    return lifecycle.records_publish_due(model=Demand)


def demands_freshness_run() -> dict:
    return lifecycle.records_freshness_run(model=Demand)
