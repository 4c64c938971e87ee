"""Every write of 揭榜挂帅 up to the close of applications (SPEC §2 J1–J2): collection rounds, the demand pool,
challenges (raised, reviewed, published and pushed), the agreement and the confidential tier (B3), applications.

The panel, the award, the contract, milestones and acceptance are in review.py and delivery.py (``challenge_act``
hands those actions over when it is given what they need). Every status change goes through
``core.workflows.transition``; every other write is audited with ``core.audit.record_change``.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.achievements import lifecycle
from techmarket.core.actors import SYSTEM
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.money import fen_to_yuan, wan_yuan_display, yuan_to_fen
from techmarket.core.workflows import policy_allows, transition
from techmarket.deals.selectors import organization_users
from techmarket.deals.services import notify_after_commit
from techmarket.notifications.topics import register_topic

from .choices import (
    APPLICANT_KINDS,
    REASON_REJECT,
    ApplicationStatus,
    ChallengeStatus,
    ConsortiumRole,
    IpTerms,
    RoundStatus,
)
from .models import (
    AgreementAcceptance,
    ApplicationAttachment,
    Challenge,
    ChallengeApplication,
    ChallengeAttachment,
    CollectionRound,
    ConsortiumMember,
    PlannedMilestone,
    PoolEntry,
    ReviewCriterion,
    TeamMember,
)
from .permissions import (
    apply_refusal,
    can_create_challenge,
    can_create_round,
    can_edit_application,
    can_edit_challenge,
    can_manage_round,
    can_see_confidential,
    can_submit_to_pool,
    deadline_passed,
    is_applicant,
    is_setter,
)

__all__ = [
    "round_create", "round_update", "round_act", "rounds_close_due",
    "pool_entry_submit", "pool_entry_act",
    "challenge_create", "challenge_update", "challenge_act", "challenge_attachment_add",
    "challenge_attachment_delete", "agreement_accept", "confidential_view", "challenges_close_due",
    "application_create", "application_update", "application_act", "application_attachment_add",
]

TOPIC = "challenges"
register_topic(TOPIC, gettext_lazy("揭榜挂帅"), default_email=True,
               description=gettext_lazy("榜单的审核与发榜、揭榜申请、专家评审、开榜、实施与验收"))

# The review's default weighted criteria (the setter or the bureau may change them before scoring starts).
DEFAULT_CRITERIA = (("技术方案可行性", 30), ("研发团队能力", 25), ("指标承诺", 20), ("报价合理性", 15), ("进度安排", 10))
DEFAULT_AGREEMENT = gettext_lazy(
    "揭榜单位承诺：\n"
    "一、所提交的申请材料真实、准确、完整，联合单位已同意共同揭榜；\n"
    "二、对通过本平台获知的榜单保密信息及保密附件承担保密义务，仅用于本榜单的揭榜与实施，未经发榜企业书面同意，"
    "不向任何第三方披露，也不用于其他目的；对保密信息的每次查看均被记录；\n"
    "三、揭榜单位及联合单位不存在生效的科研诚信失信记录；\n"
    "四、中榜后按榜单的技术指标、实施周期和知识产权约定与发榜企业签订技术合同并组织实施，接受节点确认和验收。")
UNAWARDED_NO_APPLICATION = "无单位揭榜"

MAX_INDICATORS = 20
MAX_CRITERIA = 10
MAX_DURATION_MONTHS = 120
MAX_MEMBERS = 10
MAX_TEAM = 50
MAX_MILESTONES = 24

CHALLENGE_FIELDS = ("title", "keywords", "tech_field", "problem_statement", "indicators", "budget_min", "budget_max",
                    "application_deadline", "duration_months", "ip_terms", "ip_terms_note", "eligible_region",
                    "eligible_kinds", "eligible_qualifications", "eligibility_note", "agreement_text",
                    "confidential_detail", "criteria")
APPLICATION_FIELDS = ("technical_plan", "price", "duration_months", "contact", "members", "team", "milestones")
ROUND_FIELDS = ("title", "description", "opens_on", "deadline")


# --- small helpers ----------------------------------------------------------------------------------------


def _at(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _unknown(data: dict, allowed) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApplicationError(_("不能修改字段：{f}").format(f="、".join(unknown)), field=unknown[0], code="not_editable")


def _text(value, *, field: str, label: str, max_length: int | None = None, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")
    if max_length is not None and len(text) > max_length:
        raise ApplicationError(_("{label}最多 {n} 个字").format(label=label, n=max_length), field=field,
                               code="max_length")
    return text


def _positive_int(value, *, field: str, label: str, maximum: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("{label}应为整数").format(label=label), field=field, code="invalid") from None
    if not 1 <= number <= maximum:
        raise ApplicationError(_("{label}应在 1–{n} 之间").format(label=label, n=maximum), field=field,
                               code="out_of_range")
    return number


def _positive_fen(value, *, field: str, label: str) -> int:
    if value is None or value == "":
        raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")
    fen = yuan_to_fen(value, field=field)
    if fen <= 0:
        raise ApplicationError(_("{label}应大于 0").format(label=label), field=field, code="not_positive")
    return fen


def _future(value, *, field: str, label: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ApplicationError(_("请填写有效的{label}").format(label=label), field=field, code="invalid")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise ApplicationError(_("{label}应晚于当前时间").format(label=label), field=field, code="in_past")
    return value


def _rows(value, *, field: str, label: str, maximum: int) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or not all(isinstance(row, dict) for row in value):
        raise ApplicationError(_("{label}格式无效").format(label=label), field=field, code="invalid")
    if len(value) > maximum:
        raise ApplicationError(_("{label}最多 {n} 项").format(label=label, n=maximum), field=field, code="too_many")
    return list(value)


def _users(*organization_ids) -> list:
    return organization_users(*organization_ids)


def _guard(obj, action: str, by) -> None:
    """The workflow engine's checks (known action, source state, permission) before a service's own checks, so
    callers get the same error whatever else is wrong; ``transition`` checks again under the row lock."""
    spec = type(obj).TRANSITIONS.get(action)
    if spec is None:
        raise ApplicationError(_("未知操作“{a}”").format(a=action), field="action", code="unknown_action")
    if obj.status not in spec.sources:
        raise ApplicationError(_("当前状态“{s}”不允许“{a}”操作").format(s=obj.get_status_display(), a=spec.label),
                               code="invalid_state")
    if not policy_allows(by, spec.permission, obj):
        raise PermissionDenied(_("无权执行“{a}”操作").format(a=spec.label))


def _reason_body(context: str, reason_code: str | None, comment: str) -> str:
    from techmarket.feedback.selectors import reason_label

    body = _("原因：{reason}。").format(reason=reason_label(context, reason_code)) if reason_code else ""
    if comment.strip():
        body += _("意见：{comment}").format(comment=comment.strip())
    return body


# --- collection rounds (定期征集) --------------------------------------------------------------------------


def _apply_round(round_: CollectionRound, data: dict) -> None:
    _unknown(data, ROUND_FIELDS)
    if "title" in data:
        round_.title = _text(data["title"], field="title", label=_("征集名称"), max_length=200, required=True)
    if "description" in data:
        round_.description = _text(data["description"], field="description", label=_("征集说明"))
    if "opens_on" in data:
        if not isinstance(data["opens_on"], datetime.date):
            raise ApplicationError(_("请填写有效的开始日期"), field="opens_on", code="invalid")
        round_.opens_on = data["opens_on"]
    if "deadline" in data:
        round_.deadline = _future(data["deadline"], field="deadline", label=_("截止时间"))
    if round_.opens_on and round_.deadline and timezone.localdate(round_.deadline) < round_.opens_on:
        raise ApplicationError(_("截止时间不能早于开始日期"), field="deadline", code="invalid_range")


@transaction.atomic
def round_create(*, by, city, data: dict) -> CollectionRound:
    """A draft collection round of ``city`` (the bureau opens it with ``round_act(action="open")``)."""
    from techmarket.regions.models import Region

    if not can_create_round(by, city):
        raise PermissionDenied(_("只有本市科技局管理员可以发起需求征集"))
    if city.level != Region.Level.CITY:
        raise ApplicationError(_("需求征集按城市发起，请选择市级区域"), field="city", code="invalid_choice")
    round_ = CollectionRound(city=city, created_by=by)
    _apply_round(round_, data)
    lifecycle.full_clean(round_)
    round_.save()
    record_change(obj=round_, action=ObjectChange.Action.CREATE, by=by)
    return round_


@transaction.atomic
def round_update(*, round_: CollectionRound, by, data: dict) -> CollectionRound:
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if not can_manage_round(by, round_):
        raise PermissionDenied(_("只有本市科技局管理员可以修改需求征集"))
    if round_.status == RoundStatus.CLOSED:
        raise ApplicationError(_("已截止的征集不能修改"), code="invalid_state")
    before = snapshot(round_)
    _apply_round(round_, data)
    lifecycle.full_clean(round_)
    round_.save()
    after = snapshot(round_)
    if after != before:
        record_change(obj=round_, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return round_


@transaction.atomic
def round_act(*, round_: CollectionRound, action: str, by, comment: str = "",
              reason_code: str | None = None) -> CollectionRound:
    """open (the deadline must lie ahead) / close (the bureau, or the scheduler at the deadline)."""
    _guard(round_, action, by)
    if action == "open" and round_.deadline <= timezone.now():
        raise ApplicationError(_("截止时间已过，请先修改截止时间"), field="deadline", code="in_past")
    return transition(round_, action=action, by=by, comment=comment, reason_code=reason_code)


def rounds_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close every open round whose deadline has come (the scheduler's job)."""
    due = CollectionRound.objects.filter(status=RoundStatus.OPEN, deadline__lte=now or timezone.now())
    closed = 0
    for round_ in due.order_by("deadline", "pk"):
        round_act(round_=round_, action="close", by=SYSTEM, comment=_("征集截止"))
        closed += 1
    return closed


# --- the demand pool (技术需求项目库) -----------------------------------------------------------------------


@transaction.atomic
def pool_entry_submit(*, demand, by, round_: CollectionRound | None = None, note: str = "") -> PoolEntry:
    """The enterprise proposes its published demand for the pool, in an open round or all year (常年征集)."""
    from techmarket.demands.models import Demand

    demand = Demand.objects.select_for_update().select_related("region").get(pk=demand.pk)
    if not can_submit_to_pool(by, demand):
        raise PermissionDenied(_("只有需求所属企业可以申报入库"))
    if demand.status != "published":
        raise ApplicationError(_("只有已发布的技术需求可以申报入库"), field="demand", code="invalid_state")
    if PoolEntry.objects.filter(demand=demand).exists():
        raise ApplicationError(_("该需求已申报入库"), field="demand", code="duplicate")
    if round_ is not None:
        round_ = CollectionRound.objects.select_for_update().select_related("city").get(pk=round_.pk)
        if round_.status != RoundStatus.OPEN:
            raise ApplicationError(_("征集“{t}”当前不在征集期").format(t=round_.title), field="round",
                                   code="invalid_state")
        if timezone.now() >= round_.deadline:
            raise ApplicationError(_("征集“{t}”已于 {at} 截止").format(t=round_.title, at=_at(round_.deadline)),
                                   field="round", code="deadline_passed")
        if not demand.region.path.startswith(round_.city.path):
            raise ApplicationError(_("该需求不属于{city}，不能申报本批次").format(city=round_.city.name),
                                   field="round", code="invalid_choice")
    entry = PoolEntry(demand=demand, round=round_, submitted_by=by,
                      note=_text(note, field="note", label=_("申报说明"), max_length=2000))
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ApplicationError(_("该需求已申报入库"), field="demand", code="duplicate") from None
    record_change(obj=entry, action=ObjectChange.Action.CREATE, by=by)
    return entry


@transaction.atomic
def pool_entry_act(*, entry: PoolEntry, action: str, by, comment: str = "",
                   reason_code: str | None = None) -> PoolEntry:
    """pre_approve (district) → admit (city 入库); return / resubmit; reject with a coded reason. ``raise`` is the
    system's, when the entry's challenge is published."""
    _guard(entry, action, by)
    spec = PoolEntry.TRANSITIONS[action]
    entry = transition(entry, action=action, by=by, comment=comment, reason_code=reason_code)
    if action in ("admit", "return", "reject"):
        demand = entry.demand
        body = _reason_body(REASON_REJECT, reason_code, comment) if action != "admit" else comment.strip()
        notify_after_commit(
            recipients=_users(demand.owner_organization_id), topic=TOPIC,
            title=_("需求“{t}”项目库申报：{outcome}").format(t=demand.title, outcome=spec.label), body=body,
            link=demand.get_manage_url(), about=entry)
    return entry


def _pool_entry_raise(challenge: Challenge) -> None:
    entry = challenge.pool_entry or PoolEntry.objects.filter(demand_id=challenge.demand_id).first()
    if entry is None:
        return
    if challenge.pool_entry_id != entry.pk:
        challenge.pool_entry = entry
        challenge.save(update_fields=["pool_entry", "updated_at"])
    if entry.status in PoolEntry.TRANSITIONS["raise"].sources:
        transition(entry, action="raise", by=SYSTEM, comment=_("榜单“{t}”已发榜").format(t=challenge.title))


# --- challenges: the data ------------------------------------------------------------------------------------


def clean_indicators(value) -> list[dict]:
    """[{name, target, unit}]: name and target required."""
    rows = []
    for index, row in enumerate(_rows(value, field="indicators", label=_("技术指标"), maximum=MAX_INDICATORS), 1):
        name = _text(row.get("name"), field="indicators", label=_("第{n}项指标名称").format(n=index), max_length=100,
                     required=True)
        target = _text(row.get("target"), field="indicators", label=_("指标“{name}”的目标值").format(name=name),
                       max_length=100, required=True)
        unit = _text(row.get("unit"), field="indicators", label=_("指标“{name}”的单位").format(name=name),
                     max_length=20)
        rows.append({"name": name, "target": target, "unit": unit})
    return rows


def clean_criteria(value) -> list[tuple[str, int]]:
    """[{name, weight}] → [(name, weight)]: distinct names, weights 1–100 summing to 100."""
    rows = _rows(value, field="criteria", label=_("评审指标"), maximum=MAX_CRITERIA)
    if not rows:
        raise ApplicationError(_("请至少设置一项评审指标"), field="criteria", code="required")
    out: list[tuple[str, int]] = []
    for index, row in enumerate(rows, 1):
        name = _text(row.get("name"), field="criteria", label=_("第{n}项评审指标名称").format(n=index),
                     max_length=100, required=True)
        if name in (n for n, _w in out):
            raise ApplicationError(_("评审指标“{name}”重复").format(name=name), field="criteria", code="duplicate")
        weight = _positive_int(row.get("weight"), field="criteria", label=_("“{name}”的权重").format(name=name),
                               maximum=100)
        out.append((name, weight))
    total = sum(w for _n, w in out)
    if total != 100:
        raise ApplicationError(_("评审指标权重之和应为 100（当前 {n}）").format(n=total), field="criteria",
                               code="weights_sum")
    return out


def _criteria_replace(challenge: Challenge, rows: list[tuple[str, int]]) -> None:
    challenge.criteria.all().delete()
    ReviewCriterion.objects.bulk_create([ReviewCriterion(challenge=challenge, name=name, weight=weight,
                                                         sort_order=index)
                                         for index, (name, weight) in enumerate(rows, 1)])


def _choices_list(value, *, allowed, field: str, label: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    items: list[str] = []
    for item in value:
        item = str(item).strip()
        if item not in allowed:
            raise ApplicationError(_("{label}取值无效：{v}").format(label=label, v=item), field=field,
                                   code="invalid_choice")
        if item not in items:
            items.append(item)
    return items


def _apply_challenge(challenge: Challenge, data: dict) -> None:
    from techmarket.directory.choices import QualificationKind
    from techmarket.regions.models import Region

    _unknown(data, CHALLENGE_FIELDS)
    if "title" in data:
        challenge.title = _text(data["title"], field="title", label=_("榜单名称"), max_length=200, required=True)
    if "keywords" in data:
        challenge.keywords = lifecycle.clean_keywords(data["keywords"])
    if "tech_field" in data:
        lifecycle.check_term(data["tech_field"], scheme="hitech_domains", field="tech_field", label=_("技术领域"))
        challenge.tech_field = data["tech_field"]
    if "problem_statement" in data:
        challenge.problem_statement = _text(data["problem_statement"], field="problem_statement",
                                            label=_("需求描述"), required=True)
    if "indicators" in data:
        challenge.indicators = clean_indicators(data["indicators"])
    if "budget_min" in data:
        challenge.budget_min_fen = _positive_fen(data["budget_min"], field="budget_min", label=_("合同金额下限"))
    if "budget_max" in data:
        challenge.budget_max_fen = _positive_fen(data["budget_max"], field="budget_max", label=_("合同金额上限"))
    if (challenge.budget_min_fen is not None and challenge.budget_max_fen is not None
            and challenge.budget_min_fen > challenge.budget_max_fen):
        raise ApplicationError(_("合同金额下限不能高于上限"), field="budget_min", code="invalid_range")
    if "application_deadline" in data:
        challenge.application_deadline = _future(data["application_deadline"], field="application_deadline",
                                                 label=_("揭榜截止时间"))
    if "duration_months" in data:
        challenge.duration_months = _positive_int(data["duration_months"], field="duration_months",
                                                  label=_("实施周期（月）"), maximum=MAX_DURATION_MONTHS)
    if "ip_terms" in data:
        if data["ip_terms"] not in IpTerms.values:
            raise ApplicationError(_("请选择知识产权归属"), field="ip_terms", code="invalid_choice")
        challenge.ip_terms = data["ip_terms"]
    for name, label in (("ip_terms_note", _("知识产权约定说明")), ("eligibility_note", _("其他条件")),
                        ("confidential_detail", _("保密信息"))):
        if name in data:
            setattr(challenge, name, _text(data[name], field=name, label=label))
    if "eligible_region" in data:
        region = data["eligible_region"]
        if region is not None and not isinstance(region, Region):
            raise ApplicationError(_("揭榜方所在区域无效"), field="eligible_region", code="invalid_choice")
        challenge.eligible_region = region
    if "eligible_kinds" in data:
        challenge.eligible_kinds = _choices_list(data["eligible_kinds"], allowed=APPLICANT_KINDS,
                                                 field="eligible_kinds", label=_("揭榜单位类型"))
    if "eligible_qualifications" in data:
        challenge.eligible_qualifications = _choices_list(
            data["eligible_qualifications"], allowed=QualificationKind.values, field="eligible_qualifications",
            label=_("资质要求"))
    if "agreement_text" in data or not challenge.agreement_text:
        text = _text(data.get("agreement_text"), field="agreement_text", label=_("揭榜协议"))
        challenge.agreement_text = text or str(DEFAULT_AGREEMENT)


def _challenge_snapshot(challenge: Challenge) -> dict:
    data = snapshot(challenge)
    data["confidential_detail"] = _("（已填写）") if challenge.confidential_detail.strip() else ""
    data["criteria"] = [f"{c.name} {c.weight}" for c in challenge.criteria.all()]
    return data


def _demand_defaults(demand) -> dict:
    """What a challenge takes from its demand unless told otherwise (企业出题)."""
    defaults = {"title": demand.title, "keywords": list(demand.keywords or []),
                "problem_statement": demand.description, "tech_field": demand.tech_field}
    low = demand.budget_min_fen if demand.budget_min_fen is not None else demand.budget_max_fen
    high = demand.budget_max_fen if demand.budget_max_fen is not None else demand.budget_min_fen
    if low is not None:
        defaults["budget_min"], defaults["budget_max"] = fen_to_yuan(low), fen_to_yuan(high)
    return defaults


def _check_required(challenge: Challenge) -> None:
    for name, label in (("application_deadline", _("揭榜截止时间")), ("duration_months", _("实施周期（月）")),
                        ("budget_min_fen", _("合同金额下限")), ("budget_max_fen", _("合同金额上限"))):
        if getattr(challenge, name) is None:
            field = name.removesuffix("_fen")
            raise ApplicationError(_("请填写{label}").format(label=label), field=field, code="required")


@transaction.atomic
def challenge_create(*, by, demand, data: dict) -> Challenge:
    """A draft challenge raised from the enterprise's published demand; linked to the demand's pool entry."""
    from techmarket.demands.models import Demand

    demand = Demand.objects.select_related("region", "tech_field").get(pk=demand.pk)
    if not can_create_challenge(by, demand):
        if is_setter(by, demand):
            raise ApplicationError(_("只有已发布的技术需求可以提出揭榜挂帅榜单"), field="demand", code="invalid_state")
        raise PermissionDenied(_("只有需求所属企业可以提出揭榜挂帅榜单"))
    data = {**_demand_defaults(demand), **data}
    criteria = clean_criteria(data.pop("criteria", None) or [{"name": n, "weight": w} for n, w in DEFAULT_CRITERIA])
    challenge = Challenge(demand=demand, owner_organization_id=demand.owner_organization_id, region=demand.region,
                          created_by=by, pool_entry=PoolEntry.objects.filter(demand=demand).first())
    _apply_challenge(challenge, data)
    _check_required(challenge)
    lifecycle.full_clean(challenge, exclude=["pool_entry", "winner", "contract"])
    challenge.save()
    _criteria_replace(challenge, criteria)
    record_change(obj=challenge, action=ObjectChange.Action.CREATE, by=by, after=_challenge_snapshot(challenge))
    return challenge


@transaction.atomic
def challenge_update(*, challenge: Challenge, by, data: dict) -> Challenge:
    """Change a draft or returned challenge (the setter)."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if not can_edit_challenge(by, challenge):
        if is_setter(by, challenge):
            raise PermissionDenied(_("只有草稿或退回修改状态的榜单可以修改（当前：{s}）").format(
                s=challenge.get_status_display()))
        raise PermissionDenied(_("只有发榜企业可以修改榜单"))
    before = _challenge_snapshot(challenge)
    data = dict(data)
    criteria = clean_criteria(data.pop("criteria")) if "criteria" in data else None
    _apply_challenge(challenge, data)
    lifecycle.full_clean(challenge, exclude=["pool_entry", "winner", "contract"])
    challenge.save()
    if criteria is not None:
        _criteria_replace(challenge, criteria)
    after = _challenge_snapshot(challenge)
    if after != before:
        record_change(obj=challenge, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return challenge


def _check_publishable(challenge: Challenge) -> None:
    """What a challenge needs before it is submitted and again before it is published."""
    if not challenge.indicators:
        raise ApplicationError(_("请至少填写一项技术指标"), field="indicators", code="required")
    if challenge.application_deadline <= timezone.now():
        raise ApplicationError(_("揭榜截止时间（{at}）已过，请修改").format(at=_at(challenge.application_deadline)),
                               field="application_deadline", code="in_past")
    if sum(c.weight for c in challenge.criteria.all()) != 100:
        raise ApplicationError(_("评审指标权重之和应为 100"), field="criteria", code="weights_sum")


# --- challenges: the workflow --------------------------------------------------------------------------------

# Actions whose data lives in review.py / delivery.py: what ``challenge_act`` cannot supply by itself.
NEEDS_DATA = {
    "award": gettext_lazy("开榜需要选择中榜申请，请使用开榜操作"),
    "start": gettext_lazy("开始实施需要填写合同签订日期"),
    "organise_acceptance": gettext_lazy("组织验收需要填写验收日期"),
    "extend": gettext_lazy("延期验收需要填写延期后的完成日期"),
}
ACCEPTANCE_OUTCOMES = {"pass": "passed", "fail": "failed"}


def _notify_setter(challenge: Challenge, *, title: str, body: str = "") -> None:
    notify_after_commit(recipients=_users(challenge.owner_organization_id), topic=TOPIC, title=title, body=body,
                        link=challenge.get_manage_url(), about=challenge)


def _applicant_org_ids(challenge: Challenge, *, statuses=None) -> list[int]:
    members = ConsortiumMember.objects.filter(challenge=challenge)
    if statuses is not None:
        members = members.filter(application__status__in=statuses)
    return sorted(set(members.values_list("organization_id", flat=True)))


def _publish(challenge: Challenge, *, by, comment: str) -> Challenge:
    _check_publishable(challenge)
    challenge = transition(challenge, action="publish", by=by, comment=comment)
    challenge.published_at = timezone.now()
    challenge.save(update_fields=["published_at", "updated_at"])
    _pool_entry_raise(challenge)
    from techmarket.matching.push import push_on_publish  # matching reads this app's models

    push_on_publish(challenge)  # to the best-matched experts and institutions after commit (X3)
    _notify_setter(challenge, title=_("榜单“{t}”已发榜").format(t=challenge.title),
                   body=_("揭榜截止时间：{at}。已向匹配的专家和单位精准推送。").format(
                       at=_at(challenge.application_deadline)))
    return challenge


def _close_applications(challenge: Challenge, *, by, comment: str) -> Challenge:
    challenge = transition(challenge, action="close_applications", by=by, comment=comment)
    submitted = challenge.applications.filter(status=ApplicationStatus.SUBMITTED).count()
    if submitted == 0:
        challenge = transition(challenge, action="unaward", by=by, comment=UNAWARDED_NO_APPLICATION)
        challenge.closed_at = timezone.now()
        challenge.save(update_fields=["closed_at", "updated_at"])
        _notify_setter(challenge, title=_("榜单“{t}”流榜").format(t=challenge.title),
                       body=_("截至揭榜截止时间，无单位揭榜。"))
        return challenge
    _notify_setter(challenge, title=_("榜单“{t}”揭榜已截止").format(t=challenge.title),
                   body=_("共收到 {n} 份揭榜申请，进入专家评审。").format(n=submitted))
    return challenge


def _end(challenge: Challenge, *, action: str, by, comment: str) -> Challenge:
    """unaward (流榜) / withdraw (撤榜): the setter and the applying units are told."""
    spec = Challenge.TRANSITIONS[action]
    org_ids = set(_applicant_org_ids(challenge, statuses=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED]))
    if action == "withdraw":  # units that accepted the agreement may be writing their application
        org_ids |= set(challenge.acceptances.values_list("organization_id", flat=True))
    challenge = transition(challenge, action=action, by=by, comment=comment)
    challenge.closed_at = timezone.now()
    challenge.save(update_fields=["closed_at", "updated_at"])
    title = _("榜单“{t}”{outcome}").format(t=challenge.title, outcome=spec.label)
    body = _("说明：{c}").format(c=comment.strip()) if comment.strip() else ""
    _notify_setter(challenge, title=title, body=body)
    notify_after_commit(recipients=_users(*org_ids), topic=TOPIC, title=title, body=body,
                        link=challenge.get_absolute_url(), about=challenge)
    return challenge


def _delegate(challenge: Challenge, *, action: str, by, comment: str) -> Challenge:
    """Actions with data of their own (review.py / delivery.py), when ``comment`` is all that is needed."""
    if action in ACCEPTANCE_OUTCOMES and comment.strip():
        from .delivery import acceptance_decide

        return acceptance_decide(challenge=challenge, by=by, outcome=ACCEPTANCE_OUTCOMES[action],
                                 conclusion=comment.strip())
    message = NEEDS_DATA.get(action) or _("请填写验收意见")
    raise ApplicationError(str(message), field="comment" if action in ACCEPTANCE_OUTCOMES else None,
                           code="needs_data")


@transaction.atomic
def challenge_act(*, challenge: Challenge, action: str, by, comment: str = "",
                  reason_code: str | None = None) -> Challenge:
    """Every challenge action by name (pages and ``POST /challenges/{id}/actions/{action}``)."""
    comment = comment or ""
    if action == "close_applications" and challenge.status == ChallengeStatus.PUBLISHED \
            and not deadline_passed(challenge):
        raise ApplicationError(_("揭榜截止时间（{at}）未到").format(at=_at(challenge.application_deadline)),
                               code="too_early")
    _guard(challenge, action, by)
    if action in ("submit", "resubmit"):
        _check_publishable(challenge)
        return transition(challenge, action=action, by=by, comment=comment)
    if action == "publish":
        return _publish(challenge, by=by, comment=comment)
    if action == "close_applications":
        return _close_applications(challenge, by=by, comment=comment)
    if action in ("unaward", "withdraw"):
        return _end(challenge, action=action, by=by, comment=comment)
    if action in ("return", "reject"):
        spec = Challenge.TRANSITIONS[action]
        challenge = transition(challenge, action=action, by=by, comment=comment, reason_code=reason_code)
        _notify_setter(challenge, title=_("榜单“{t}”{outcome}").format(t=challenge.title, outcome=spec.label),
                       body=_reason_body(REASON_REJECT, reason_code, comment))
        return challenge
    if action in NEEDS_DATA or action in ACCEPTANCE_OUTCOMES:
        return _delegate(challenge, action=action, by=by, comment=comment)
    return transition(challenge, action=action, by=by, comment=comment, reason_code=reason_code)


def challenges_close_due(*, now: datetime.datetime | None = None) -> int:
    """Close applications of every published challenge whose deadline has come (the scheduler's job);
    a challenge nobody applied to goes on to 流榜."""
    due = Challenge.objects.filter(status=ChallengeStatus.PUBLISHED, application_deadline__lte=now or timezone.now())
    closed = 0
    for challenge in due.order_by("application_deadline", "pk"):
        challenge_act(challenge=challenge, action="close_applications", by=SYSTEM)
        closed += 1
    return closed


# --- attachments, the agreement and the confidential tier (B3) ----------------------------------------------


def challenge_attachment_add(*, challenge: Challenge, upload, by, is_confidential: bool = False) -> ChallengeAttachment:
    return lifecycle.attachment_add(record=challenge, attachment_model=ChallengeAttachment, upload=upload, by=by,
                                    is_confidential=is_confidential, may=can_edit_challenge(by, challenge))


def challenge_attachment_delete(*, attachment: ChallengeAttachment, by) -> None:
    lifecycle.attachment_delete(attachment=attachment, by=by, may=can_edit_challenge(by, attachment.record))


def _require_unit_user(by) -> None:
    if not getattr(by, "is_authenticated", False) or getattr(by, "pk", None) is None or not by.organization_id:
        raise PermissionDenied(_("请使用单位账号登录后揭榜"))


@transaction.atomic
def agreement_accept(*, challenge: Challenge, by) -> AgreementAcceptance:
    """The user's unit accepts the challenge agreement (揭榜协议): the first step of applying and the key to the
    confidential tier. Accepting again returns the first acceptance."""
    _require_unit_user(by)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    existing = AgreementAcceptance.objects.filter(challenge=challenge, organization_id=by.organization_id).first()
    if existing is not None:
        return existing
    # A unit already named as a consortium member accepts too (its own application is not "another one").
    membership = ConsortiumMember.objects.filter(challenge=challenge, organization_id=by.organization_id).first()
    refusal = apply_refusal(by, challenge, application=membership.application if membership else None)
    if refusal:
        raise ApplicationError(refusal, code="not_eligible")
    acceptance = AgreementAcceptance.objects.create(challenge=challenge, organization_id=by.organization_id, user=by,
                                                    agreement_text=challenge.agreement_text)
    record_change(obj=acceptance, action=ObjectChange.Action.CREATE, by=by,
                  after={"challenge": challenge.pk, "organization": by.organization_id, "user": by.pk})
    return acceptance


def confidential_view(*, challenge: Challenge, by, ip: str | None = None) -> dict:
    """The confidential detail and attachments, for those who may see them; every view is logged (B3)."""
    from techmarket.disclosure.services import disclosure_log_access

    if not can_see_confidential(by, challenge):
        raise PermissionDenied(_("接受揭榜协议后方可查看榜单保密信息"))
    disclosure_log_access(user=by, record=challenge, ip=ip, what=_("榜单保密信息及保密附件"))
    return {"detail": challenge.confidential_detail,
            "attachments": list(challenge.attachments.filter(is_confidential=True))}


# --- applications (揭榜) ----------------------------------------------------------------------------------------


def _clean_members(value, *, challenge: Challenge, by, application=None) -> list[tuple]:
    from techmarket.directory.models import Organization

    out: list[tuple] = []
    seen = {by.organization_id}
    for row in _rows(value, field="members", label=_("联合单位"), maximum=MAX_MEMBERS):
        organization = row.get("organization")
        if not isinstance(organization, Organization):
            raise ApplicationError(_("请选择联合单位"), field="members", code="required")
        if organization.pk in seen:
            raise ApplicationError(_("联合单位“{u}”重复").format(u=organization.name), field="members",
                                   code="duplicate")
        seen.add(organization.pk)
        refusal = apply_refusal(by, challenge, organization, application=application)
        if refusal:
            raise ApplicationError(refusal, field="members", code="not_eligible")
        out.append((organization, _text(row.get("responsibility"), field="members", label=_("分工"),
                                        max_length=200)))
    return out


def _clean_team(value, *, unit_ids: set[int]) -> list[tuple]:
    from techmarket.directory.models import Person

    out: list[tuple] = []
    for row in _rows(value, field="team", label=_("团队成员"), maximum=MAX_TEAM):
        person = row.get("person")
        if not isinstance(person, Person):
            raise ApplicationError(_("请从人才库选择团队成员"), field="team", code="required")
        if person.organization_id not in unit_ids:
            raise ApplicationError(_("“{p}”不是揭榜单位或联合单位的人员").format(p=person.name), field="team",
                                   code="invalid_choice")
        if person.pk in (p.pk for p, _r, _l in out):
            raise ApplicationError(_("团队成员“{p}”重复").format(p=person.name), field="team", code="duplicate")
        out.append((person, _text(row.get("role"), field="team", label=_("承担工作"), max_length=100),
                    bool(row.get("is_leader"))))
    if sum(1 for _p, _r, leader in out if leader) > 1:
        raise ApplicationError(_("项目负责人只能有一位"), field="team", code="too_many_leaders")
    return out


def _clean_milestones(value, *, duration: int) -> list[tuple]:
    out: list[tuple] = []
    for index, row in enumerate(_rows(value, field="milestones", label=_("计划节点"), maximum=MAX_MILESTONES), 1):
        title = _text(row.get("title"), field="milestones", label=_("第{n}个节点名称").format(n=index),
                      max_length=200, required=True)
        month = _positive_int(row.get("month"), field="milestones", label=_("节点“{t}”的完成月份").format(t=title),
                              maximum=duration)
        out.append((title, _text(row.get("deliverable"), field="milestones", label=_("交付成果")), month))
    return out


def _apply_application(application: ChallengeApplication, data: dict, *, challenge: Challenge, by) -> dict:
    """Set the application's own fields from ``data``; returns the cleaned related rows to write."""
    from techmarket.directory.models import Person

    _unknown(data, APPLICATION_FIELDS)
    if "technical_plan" in data:
        application.technical_plan = _text(data["technical_plan"], field="technical_plan", label=_("技术方案"),
                                           required=True)
    if "price" in data:
        application.price_fen = _positive_fen(data["price"], field="price", label=_("报价"))
    if "duration_months" in data:
        application.duration_months = _positive_int(
            data["duration_months"], field="duration_months", label=_("实施周期（月）"),
            maximum=challenge.duration_months)
    if "contact" in data:
        contact = data["contact"]
        if contact is not None and (not isinstance(contact, Person)
                                    or contact.organization_id != application.organization_id):
            raise ApplicationError(_("联系人应为揭榜单位人员"), field="contact", code="invalid_choice")
        application.contact = contact
    for name, label in (("technical_plan", _("技术方案")), ("price_fen", _("报价")),
                        ("duration_months", _("实施周期（月）"))):
        if getattr(application, name) in (None, ""):
            raise ApplicationError(_("请填写{label}").format(label=label), field=name.removesuffix("_fen"),
                                   code="required")
    _check_price(application, challenge)
    related: dict = {}
    if "members" in data:
        related["members"] = _clean_members(data["members"], challenge=challenge, by=by,
                                            application=application if application.pk else None)
        unit_ids = {application.organization_id, *(org.pk for org, _r in related["members"])}
    else:
        unit_ids = set(application.members.values_list("organization_id", flat=True)) if application.pk else set()
        unit_ids.add(application.organization_id)
    if "team" in data:
        related["team"] = _clean_team(data["team"], unit_ids=unit_ids)
    if "milestones" in data:
        related["milestones"] = _clean_milestones(data["milestones"], duration=application.duration_months)
    return related


def _check_price(application: ChallengeApplication, challenge: Challenge) -> None:
    if application.price_fen is not None and application.price_fen > challenge.budget_max_fen:
        raise ApplicationError(_("报价不能高于榜单合同金额上限（{max}）").format(
            max=wan_yuan_display(challenge.budget_max_fen)), field="price", code="over_budget")


def _write_related(application: ChallengeApplication, related: dict) -> None:
    if "members" in related:
        application.members.filter(role=ConsortiumRole.MEMBER).delete()
        try:
            with transaction.atomic():
                ConsortiumMember.objects.bulk_create([
                    ConsortiumMember(application=application, challenge_id=application.challenge_id,
                                     organization=org, role=ConsortiumRole.MEMBER, responsibility=responsibility)
                    for org, responsibility in related["members"]])
        except IntegrityError:
            raise ApplicationError(_("联合单位已参与本榜单的其他揭榜申请"), field="members", code="duplicate") from None
    if "team" in related:
        application.team.all().delete()
        TeamMember.objects.bulk_create([TeamMember(application=application, person=person, role=role,
                                                   is_leader=leader) for person, role, leader in related["team"]])
    if "milestones" in related:
        application.planned_milestones.all().delete()
        PlannedMilestone.objects.bulk_create([
            PlannedMilestone(application=application, title=title, deliverable=deliverable, month=month)
            for title, deliverable, month in related["milestones"]])


def _application_snapshot(application: ChallengeApplication) -> dict:
    data = snapshot(application)
    data["members"] = [f"{m.organization_id}:{m.role}:{m.responsibility}" for m in application.members.all()]
    data["team"] = [f"{t.person_id}:{t.role}:{int(t.is_leader)}" for t in application.team.all()]
    data["milestones"] = [f"{m.month}:{m.title}" for m in application.planned_milestones.all()]
    return data


@transaction.atomic
def application_create(*, challenge: Challenge, by, data: dict) -> ChallengeApplication:
    """A draft application of the user's unit (the lead), alone or with consortium members. One application per
    unit per challenge, lead or member: decided under a lock on the challenge."""
    _require_unit_user(by)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if not AgreementAcceptance.objects.filter(challenge=challenge, organization_id=by.organization_id).exists():
        raise ApplicationError(_("请先接受揭榜协议"), field="agreement", code="agreement_required")
    refusal = apply_refusal(by, challenge)
    if refusal:
        raise ApplicationError(refusal, code="not_eligible")
    application = ChallengeApplication(challenge=challenge, organization_id=by.organization_id, created_by=by)
    related = _apply_application(application, dict(data), challenge=challenge, by=by)
    lifecycle.full_clean(application, exclude=["challenge", "organization"])
    try:
        with transaction.atomic():
            application.save()
            ConsortiumMember.objects.create(application=application, challenge=challenge,
                                            organization_id=by.organization_id, role=ConsortiumRole.LEAD)
    except IntegrityError:
        raise ApplicationError(_("本单位已参与本榜单的揭榜申请"), code="duplicate") from None
    _write_related(application, related)
    record_change(obj=application, action=ObjectChange.Action.CREATE, by=by, after=_application_snapshot(application))
    return application


@transaction.atomic
def application_update(*, application: ChallengeApplication, by, data: dict) -> ChallengeApplication:
    """Change a draft application (users of the lead unit, while applications are open)."""
    challenge = Challenge.objects.select_for_update().get(pk=application.challenge_id)
    application = ChallengeApplication.objects.select_for_update().get(pk=application.pk)
    if not can_edit_application(by, application):
        if is_applicant(by, application):
            raise PermissionDenied(_("只有草稿状态的揭榜申请可以修改（当前：{s}）").format(
                s=application.get_status_display()))
        raise PermissionDenied(_("只有揭榜单位可以修改揭榜申请"))
    _check_open(challenge)
    before = _application_snapshot(application)
    related = _apply_application(application, dict(data), challenge=challenge, by=by)
    lifecycle.full_clean(application, exclude=["challenge", "organization"])
    application.save()
    _write_related(application, related)
    after = _application_snapshot(application)
    if after != before:
        record_change(obj=application, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return application


def _check_open(challenge: Challenge) -> None:
    if challenge.status != ChallengeStatus.PUBLISHED:
        raise ApplicationError(_("榜单当前不在揭榜期（{s}）").format(s=challenge.get_status_display()),
                               code="invalid_state")
    if deadline_passed(challenge):
        raise ApplicationError(_("揭榜已于 {at} 截止").format(at=_at(challenge.application_deadline)),
                               code="deadline_passed")


def _check_submittable(application: ChallengeApplication, *, by) -> None:
    """Everything again at submission: eligibility and integrity of every unit, price, team, milestones."""
    challenge = application.challenge
    for member in application.members.select_related("organization", "organization__region"):
        refusal = apply_refusal(by, challenge, member.organization, application=application)
        if refusal:
            field = None if member.role == ConsortiumRole.LEAD else "members"
            raise ApplicationError(refusal, field=field, code="not_eligible")
    _check_price(application, challenge)
    team = list(application.team.all())
    if not team:
        raise ApplicationError(_("请至少填写一名团队成员"), field="team", code="required")
    if sum(1 for t in team if t.is_leader) != 1:
        raise ApplicationError(_("请指定一位项目负责人"), field="team", code="leader_required")
    milestones = list(application.planned_milestones.all())
    if not milestones:
        raise ApplicationError(_("请至少填写一个计划节点"), field="milestones", code="required")
    late = [m.title for m in milestones if m.month > application.duration_months]
    if late:
        raise ApplicationError(_("节点“{t}”的完成月份超出实施周期").format(t=late[0]), field="milestones",
                               code="out_of_range")


@transaction.atomic
def application_act(*, application: ChallengeApplication, action: str, by, comment: str = "",
                    reason_code: str | None = None) -> ChallengeApplication:
    """submit (揭榜) / withdraw, by the lead unit before the deadline; mark_ineligible (形式审查, the city) with a
    coded reason the applicant sees. The award's actions are ``review.challenge_award``'s."""
    from .choices import REASON_NOT_AWARDED

    comment = comment or ""
    challenge = Challenge.objects.select_for_update().get(pk=application.challenge_id)
    application.challenge = challenge
    if action in ("submit", "withdraw") and is_applicant(by, application):
        _check_open(challenge)
    _guard(application, action, by)
    if action == "submit":
        _check_submittable(application, by=by)
        application = transition(application, action=action, by=by, comment=comment)
        application.submitted_at = timezone.now()
        application.save(update_fields=["submitted_at", "updated_at"])
        _notify_setter(challenge, title=_("榜单“{t}”收到一份揭榜申请").format(t=challenge.title),
                       body=_("揭榜截止后可查看全部申请。"))
        return application
    if action == "mark_ineligible":
        application = transition(application, action=action, by=by, comment=comment, reason_code=reason_code)
        application.feedback_code, application.feedback = reason_code or "", comment.strip()
        application.save(update_fields=["feedback_code", "feedback", "updated_at"])
        notify_after_commit(
            recipients=_users(application.organization_id), topic=TOPIC,
            title=_("揭榜申请“{t}”形式审查未通过").format(t=challenge.title),
            body=_reason_body(REASON_NOT_AWARDED, reason_code, comment), link=application.get_absolute_url(),
            about=application)
        return application
    if action in ("award", "not_award"):
        raise ApplicationError(_("请在榜单的开榜操作中确定中榜申请"), code="needs_data")
    return transition(application, action=action, by=by, comment=comment, reason_code=reason_code)


def application_attachment_add(*, application: ChallengeApplication, upload, by) -> ApplicationAttachment:
    return lifecycle.attachment_add(record=application, attachment_model=ApplicationAttachment, upload=upload, by=by,
                                    may=can_edit_application(by, application))
