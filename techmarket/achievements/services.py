"""Every write of achievements (科技成果, SPEC §2 M1): create, edit, the review workflow, freshness,
attachments and the end of availability after a deal."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_to_fen
from techmarket.core.workflows import transition

from . import lifecycle
from .choices import AchievementStatus, TransferMode
from .models import Achievement, AchievementAttachment
from .permissions import can_create_achievement, can_edit_achievement, can_manage_attachments
from .records import is_owner

__all__ = [
    "achievement_create", "achievement_update", "achievement_submit", "achievement_approve",
    "achievement_act", "achievement_renew", "achievement_mark_transferred", "achievement_attachment_add",
    "achievement_attachment_delete", "achievements_publish_due", "achievements_freshness_run",
]

EDITABLE_FIELDS = ("title", "abstract", "keywords", "tech_field", "discipline", "trl", "patent_numbers",
                   "ip_type", "co_owners", "contact", "transfer_modes", "price", "price_min", "price_max",
                   "negotiable", "region", "confidential_detail", "publish_at")
PRICE_KEYS = ("price", "price_min", "price_max", "negotiable")
MAX_PATENTS = 50


def _money(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    fen = yuan_to_fen(value, field=field)
    if fen < 0:
        raise ApplicationError(_("金额不能为负数"), field=field, code="negative")
    return fen


def clean_achievement_price(*, price_fen, price_min_fen, price_max_fen, negotiable: bool) -> None:
    """A fixed price, or a range (both ends), or 面议 alone; never both a price and a range."""
    has_range = price_min_fen is not None or price_max_fen is not None
    if price_fen is not None and has_range:
        raise ApplicationError(_("固定价格与价格区间只能填写一种"), field="price", code="price_conflict")
    if has_range and (price_min_fen is None or price_max_fen is None):
        field = "price_max" if price_max_fen is None else "price_min"
        raise ApplicationError(_("价格区间需同时填写下限和上限"), field=field, code="required")
    if has_range and price_min_fen > price_max_fen:
        raise ApplicationError(_("价格下限不能高于价格上限"), field="price_min", code="invalid_range")
    if price_fen is None and not has_range and not negotiable:
        raise ApplicationError(_("请填写价格或价格区间，或选择“面议”"), field="price", code="required")


def _transfer_modes(value) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",")]
    if not isinstance(value, (list, tuple)):
        raise ApplicationError(_("转化方式应为列表"), field="transfer_modes", code="invalid")
    modes = []
    for raw in value:
        mode = str(raw or "").strip()
        if not mode:
            continue
        if mode not in TransferMode.values:
            raise ApplicationError(_("转化方式“{m}”无效，可选：{allowed}").format(
                m=mode, allowed="、".join(f"{v}（{label}）" for v, label in TransferMode.choices)),
                field="transfer_modes", code="invalid_choice")
        if mode not in modes:
            modes.append(mode)
    if not modes:
        raise ApplicationError(_("请至少选择一种转化方式"), field="transfer_modes", code="required")
    return modes


def _apply(achievement: Achievement, data: dict, *, by) -> list | None:
    """Copy ``data`` onto the instance with every field rule; returns the co-owners to set (or None)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(sorted(unknown))), field=sorted(unknown)[0],
                               code="not_editable")
    for name in ("title", "abstract", "confidential_detail"):
        if name in data:
            setattr(achievement, name, (data[name] or "").strip())
    if "keywords" in data:
        achievement.keywords = lifecycle.clean_keywords(data["keywords"])
        achievement.keywords_text = " ".join(achievement.keywords)
    if "patent_numbers" in data:
        achievement.patent_numbers = lifecycle.clean_text_list(
            data["patent_numbers"], field="patent_numbers", max_items=MAX_PATENTS, max_length=40, label=_("专利号"))
    if "transfer_modes" in data:
        achievement.transfer_modes = _transfer_modes(data["transfer_modes"])
    for name, scheme, label in (("tech_field", "hitech_domains", _("技术领域")),
                                ("discipline", "gbt13745", _("学科")), ("ip_type", "ip_type", _("知识产权类型"))):
        if name in data:
            lifecycle.check_term(data[name], scheme=scheme, field=name, label=label)
            setattr(achievement, name, data[name])
    if "trl" in data:
        achievement.trl = data["trl"]
    if "contact" in data:
        contact = data["contact"]
        if contact is not None and contact.organization_id != achievement.owner_organization_id:
            raise ApplicationError(_("联系人应为本单位人员"), field="contact", code="invalid_choice")
        achievement.contact = contact
    if "region" in data:
        achievement.region = data["region"] or achievement.owner_organization.region
    if "publish_at" in data:
        lifecycle.check_publish_at(data["publish_at"])
        achievement.publish_at = data["publish_at"]
    if any(key in data for key in PRICE_KEYS):
        if "price" in data:
            achievement.price_fen = _money(data["price"], "price")
        if "price_min" in data:
            achievement.price_min_fen = _money(data["price_min"], "price_min")
        if "price_max" in data:
            achievement.price_max_fen = _money(data["price_max"], "price_max")
        if "negotiable" in data:
            achievement.negotiable = bool(data["negotiable"])
    clean_achievement_price(price_fen=achievement.price_fen, price_min_fen=achievement.price_min_fen,
                            price_max_fen=achievement.price_max_fen, negotiable=achievement.negotiable)
    if not achievement.transfer_modes:
        raise ApplicationError(_("请至少选择一种转化方式"), field="transfer_modes", code="required")
    co_owners = None
    if "co_owners" in data:
        co_owners = list(dict.fromkeys(data["co_owners"] or []))
        if any(org.pk == achievement.owner_organization_id for org in co_owners):
            raise ApplicationError(_("共有单位不能包含所属单位本身"), field="co_owners", code="invalid_choice")
    return co_owners


@transaction.atomic
def achievement_create(*, by, data: dict) -> Achievement:
    """A draft achievement of the caller's organization; ``region`` defaults to the organization's."""
    if not can_create_achievement(by):
        raise PermissionDenied(_("只有高校院所或企业用户可以发布科技成果"))
    organization = by.organization
    achievement = Achievement(owner_organization=organization, created_by=by, region=organization.region)
    data = dict(data)
    data.setdefault("region", None)
    co_owners = _apply(achievement, data, by=by)
    lifecycle.full_clean(achievement)
    achievement.save()
    if co_owners:
        achievement.co_owners.set(co_owners)
    record_change(obj=achievement, action=ObjectChange.Action.CREATE, by=by,
                  after=lifecycle.audit_snapshot(achievement))
    return achievement


@transaction.atomic
def achievement_update(*, achievement: Achievement, by, data: dict) -> Achievement:
    """Owners edit drafts and returned achievements; everything else is refused with 403."""
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if not can_edit_achievement(by, achievement):
        if is_owner(by, achievement):
            raise PermissionDenied(_("只有草稿或退回修改状态的成果可以修改（当前：{s}）").format(
                s=achievement.get_status_display()))
        raise PermissionDenied(_("只有所属单位可以修改科技成果"))
    before = lifecycle.audit_snapshot(achievement)
    co_owners = _apply(achievement, data, by=by)
    lifecycle.full_clean(achievement)
    achievement.save()
    if co_owners is not None:
        achievement.co_owners.set(co_owners)
    after = lifecycle.audit_snapshot(achievement)
    if after != before:
        record_change(obj=achievement, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return achievement


def achievement_submit(*, achievement: Achievement, by, comment: str = "") -> Achievement:
    """draft → submitted (``resubmit`` from returned)."""
    action = "resubmit" if achievement.status == AchievementStatus.RETURNED else "submit"
    return transition(achievement, action=action, by=by, comment=comment)


def achievement_approve(*, achievement: Achievement, by, comment: str = "") -> Achievement:
    """Reviewer approves: published now, or ``scheduled`` until the owner's publish_at."""
    return lifecycle.record_approve(record=achievement, by=by, comment=comment)


def achievement_act(*, achievement: Achievement, action: str, by, comment: str = "",
                    reason_code: str | None = None) -> Achievement:
    """Any workflow action by name (API ``POST /achievements/{id}/actions/{action}``)."""
    if action == "mark_traded":
        return achievement_mark_transferred(achievement=achievement, by=by, exclusive=True, comment=comment)
    return lifecycle.record_act(record=achievement, action=action, by=by, comment=comment, reason_code=reason_code)


def achievement_renew(*, achievement: Achievement, by) -> Achievement:
    """One click: expires_at = now + the publication period, last_confirmed_at = now (B1)."""
    return lifecycle.record_renew(record=achievement, by=by)


@transaction.atomic
def achievement_mark_transferred(*, achievement: Achievement, by, exclusive: bool,
                                 comment: str = "") -> Achievement:
    """A deal on this achievement closed.

    A transfer (转让) or an exclusive licence (``exclusive=True``) ends its availability: status
    ``traded``. A non-exclusive licence leaves it published and only counts the licence.
    """
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if exclusive:
        return transition(achievement, action="mark_traded", by=by,
                          comment=comment or _("转让或独占许可成交"))
    from techmarket.core.workflows import policy_allows

    from .workflows import TRADE

    if achievement.status != AchievementStatus.PUBLISHED:
        raise ApplicationError(_("当前状态“{s}”不能登记许可成交").format(s=achievement.get_status_display()),
                               code="invalid_state")
    if not policy_allows(by, TRADE, achievement):
        raise PermissionDenied(_("无权登记该成果的成交"))
    before = {"licence_count": achievement.licence_count}
    achievement.licence_count += 1
    achievement.save(update_fields=["licence_count", "updated_at"])
    record_change(obj=achievement, action=ObjectChange.Action.UPDATE, by=by, before=before,
                  after={"licence_count": achievement.licence_count}, comment="普通许可成交")
    return achievement


def achievement_attachment_add(*, achievement: Achievement, upload, by,
                               is_confidential: bool = False) -> AchievementAttachment:
    """Size and type (by content) checked; stored under MEDIA_ROOT, never served directly."""
    return lifecycle.attachment_add(record=achievement, attachment_model=AchievementAttachment, upload=upload, by=by,
                                    is_confidential=is_confidential, may=can_manage_attachments(by, achievement))


def achievement_attachment_delete(*, attachment: AchievementAttachment, by) -> None:
    lifecycle.attachment_delete(attachment=attachment, by=by, may=can_manage_attachments(by, attachment.record))


def achievements_publish_due() -> list[Achievement]:
    """Scheduler: publish approved achievements whose chosen date has come."""
    return lifecycle.records_publish_due(model=Achievement)


def achievements_freshness_run() -> dict:
    """Scheduler: renewal reminders (once per expiry period) and expiry (B1)."""
    return lifecycle.records_freshness_run(model=Achievement)

