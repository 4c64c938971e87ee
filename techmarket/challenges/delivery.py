"""Delivery of an awarded 揭榜挂帅 project (SPEC §2 J2): the start once the contract is signed, milestones
reported by the winner with evidence and confirmed by the setter, and acceptance (验收) organised and decided
by the city bureau with the panel's opinions — passed, failed, or extended back to implementation.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.achievements.lifecycle import attachment_add
from techmarket.achievements.records import add_months
from techmarket.contracts.services import contract_record_signing
from techmarket.core.audit import record_change, snapshot
from techmarket.core.dates import date_clean
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import policy_allows, transition
from techmarket.deals.selectors import organization_users
from techmarket.deals.services import notify_after_commit

from .choices import AcceptanceOutcome, ChallengeStatus, MilestoneStatus
from .models import AcceptanceOpinion, AcceptanceReview, Challenge, Milestone, MilestoneEvidence
from .permissions import is_city_admin, is_setter
from .review import NOTIFICATION_TOPIC, conflict_reason, panel_users
from .review_permissions import is_panel_member, is_winner, unconfirmed_milestones

__all__ = ["challenge_start", "milestone_act", "milestone_evidence_add", "acceptance_organise",
           "acceptance_opinion_save", "acceptance_decide", "current_acceptance"]

REPORT_MAX = 5000
OPINION_MAX = 5000
# outcome → the challenge action it takes
DECISIONS = {AcceptanceOutcome.PASSED: "pass", AcceptanceOutcome.FAILED: "fail",
             AcceptanceOutcome.EXTENDED: "extend"}


def _lock(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


def _parties(challenge: Challenge) -> list:
    winner_org = challenge.winner.organization_id if challenge.winner_id else None
    return organization_users(challenge.owner_organization_id, winner_org)


def _required_date(value, *, field: str, label) -> datetime.date:
    day = date_clean(value, field=field, label=label)
    if day is None:
        raise ApplicationError(_("请填写{l}").format(l=label), field=field, code="required")
    return day


# --- start ---------------------------------------------------------------------------------------------------

@transaction.atomic
def challenge_start(*, challenge: Challenge, by, signed_on) -> Challenge:
    """The setter records the signing of the contract: the project starts on ``signed_on``, is due the
    winner's duration later, and each milestone is due its planned month after signing."""
    challenge = _lock(challenge)
    if not is_setter(by, challenge):
        raise PermissionDenied(_("只有发榜企业可以确认合同签订、开始实施"))
    if challenge.status != ChallengeStatus.AWARDED:
        raise ApplicationError(_("当前状态“{s}”不能开始实施").format(s=challenge.get_status_display()),
                               code="invalid_state")
    if challenge.contract_id is None:
        raise ApplicationError(_("尚未生成技术合同，不能开始实施"), code="no_contract")
    signed = _required_date(signed_on, field="signed_on", label=_("合同签订日期"))
    awarded = timezone.localtime(challenge.awarded_at).date() if challenge.awarded_at else None
    if awarded is not None and signed < awarded:
        raise ApplicationError(_("合同签订日期不能早于开榜日期 {d}").format(d=awarded.isoformat()), field="signed_on",
                               code="invalid_date")
    if signed > timezone.localdate():
        raise ApplicationError(_("合同签订日期不能晚于今天"), field="signed_on", code="invalid_date")
    before = snapshot(challenge)
    challenge = transition(challenge, action="start", by=by, comment=_("合同签订日期 {d}").format(d=signed))
    winner = challenge.winner
    challenge.started_on = signed
    challenge.due_on = add_months(signed, winner.duration_months)
    challenge.save(update_fields=["started_on", "due_on", "updated_at"])
    planned = list(winner.planned_milestones.order_by("month", "pk"))
    milestones = list(challenge.milestones.order_by("sort_order", "pk"))
    for milestone in milestones:
        if milestone.sort_order < len(planned):
            milestone.due_on = add_months(signed, planned[milestone.sort_order].month)
    Milestone.objects.bulk_update(milestones, ["due_on"])
    contract_record_signing(contract=challenge.contract, signed_on=signed, by=by)
    record_change(obj=challenge, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="开始实施")
    notify_after_commit(recipients=_parties(challenge), topic=NOTIFICATION_TOPIC,
                        title=_("揭榜项目“{t}”开始实施").format(t=challenge.title),
                        body=_("计划完成日期 {d}；请按实施节点提交完成情况和佐证材料。").format(d=challenge.due_on),
                        link=challenge.get_manage_url(), about=challenge)
    return challenge


# --- milestones --------------------------------------------------------------------------------------------

@transaction.atomic
def milestone_act(*, milestone: Milestone, action: str, by, comment: str = "", report: str = "") -> Milestone:
    """submit (the winner: a report and at least one evidence file), confirm or return (the setter)."""
    milestone = Milestone.objects.select_for_update().select_related("challenge").get(pk=milestone.pk)
    challenge = milestone.challenge
    report = (report or "").strip()
    spec = Milestone.TRANSITIONS.get(action)
    if spec is not None and milestone.status in spec.sources and policy_allows(by, spec.permission, milestone):
        # the inputs are checked once the state and the caller are right (transition refuses the rest)
        if action == "submit":
            if not report:
                raise ApplicationError(_("请填写完成情况"), field="report", code="required")
            if len(report) > REPORT_MAX:
                raise ApplicationError(_("完成情况最多 {n} 字").format(n=REPORT_MAX), field="report",
                                       code="too_long")
            if not milestone.attachments.exists():
                raise ApplicationError(_("请先上传佐证材料"), field="file", code="required")
        elif report:
            raise ApplicationError(_("只有提交完成情况时填写完成情况"), field="report", code="not_applicable")
    milestone = transition(milestone, action=action, by=by, comment=comment)
    now = timezone.now()
    if action == "submit":
        milestone.report, milestone.submitted_at, milestone.confirmed_at = report, now, None
        milestone.save(update_fields=["report", "submitted_at", "confirmed_at", "updated_at"])
        recipients = organization_users(challenge.owner_organization_id)
        title = _("揭榜项目“{t}”的节点“{m}”待确认").format(t=challenge.title, m=milestone.title)
    elif action == "confirm":
        milestone.confirmed_at = now
        milestone.save(update_fields=["confirmed_at", "updated_at"])
        recipients = organization_users(challenge.winner.organization_id)
        title = _("揭榜项目“{t}”的节点“{m}”已确认完成").format(t=challenge.title, m=milestone.title)
    else:
        recipients = organization_users(challenge.winner.organization_id)
        title = _("揭榜项目“{t}”的节点“{m}”被退回补充").format(t=challenge.title, m=milestone.title)
    notify_after_commit(recipients=recipients, topic=NOTIFICATION_TOPIC, title=title, body=comment,
                        link=challenge.get_manage_url(), about=challenge)
    return milestone


def milestone_evidence_add(*, milestone: Milestone, upload, by) -> MilestoneEvidence:
    """The winner uploads evidence of a milestone not yet submitted (or returned)."""
    challenge = milestone.challenge
    if not is_winner(by, challenge):
        raise PermissionDenied(_("只有中榜单位可以上传节点佐证材料"))
    if challenge.status != ChallengeStatus.IN_PROGRESS:
        raise ApplicationError(_("项目状态为“{s}”，不能上传佐证材料").format(s=challenge.get_status_display()),
                               code="invalid_state")
    if milestone.status not in (MilestoneStatus.PENDING, MilestoneStatus.RETURNED):
        raise ApplicationError(_("节点状态为“{s}”，不能上传佐证材料").format(s=milestone.get_status_display()),
                               code="invalid_state")
    return attachment_add(record=milestone, attachment_model=MilestoneEvidence, upload=upload, by=by, may=True)


# --- acceptance (验收) -----------------------------------------------------------------------------------

def current_acceptance(challenge: Challenge) -> AcceptanceReview | None:
    """The acceptance meeting awaiting its conclusion, if any."""
    return challenge.acceptance_reviews.filter(outcome="").order_by("-held_on", "-pk").first()


@transaction.atomic
def acceptance_organise(*, challenge: Challenge, by, held_on, comment: str = "") -> AcceptanceReview:
    """The city bureau organises acceptance once every milestone is confirmed."""
    challenge = _lock(challenge)
    if not is_city_admin(by, challenge):
        raise PermissionDenied(_("只有本市科技局管理员可以组织验收"))
    if challenge.status != ChallengeStatus.IN_PROGRESS:
        raise ApplicationError(_("当前状态“{s}”不能组织验收").format(s=challenge.get_status_display()),
                               code="invalid_state")
    pending = unconfirmed_milestones(challenge)
    if pending:
        raise ApplicationError(_("以下实施节点尚未经发榜企业确认：{m}").format(m="、".join(m.title for m in pending)),
                               code="milestones_pending")
    held = _required_date(held_on, field="held_on", label=_("验收日期"))
    if challenge.started_on and held < challenge.started_on:
        raise ApplicationError(_("验收日期不能早于实施开始日期 {d}").format(d=challenge.started_on), field="held_on",
                               code="invalid_date")
    challenge = transition(challenge, action="organise_acceptance", by=by, comment=comment)
    review = AcceptanceReview.objects.create(challenge=challenge, held_on=held, organised_by=by)
    record_change(obj=review, action=ObjectChange.Action.CREATE, by=by)
    notify_after_commit(recipients=_parties(challenge) + panel_users(challenge), topic=NOTIFICATION_TOPIC,
                        title=_("揭榜项目“{t}”将于 {d} 验收").format(t=challenge.title, d=held),
                        body=comment, link=challenge.get_manage_url(), about=challenge)
    return review


@transaction.atomic
def acceptance_opinion_save(*, review: AcceptanceReview, by, outcome: str, opinion: str) -> AcceptanceOpinion:
    """An active panellist's opinion at the pending acceptance meeting (saved again until the decision)."""
    review = AcceptanceReview.objects.select_for_update().select_related("challenge").get(pk=review.pk)
    challenge = review.challenge
    member = is_panel_member(by, challenge)
    if member is None:
        raise PermissionDenied(_("只有本榜单的评审专家可以提交验收意见"))
    if challenge.status != ChallengeStatus.ACCEPTANCE or review.outcome:
        raise ApplicationError(_("本次验收已有结论，不能再提交意见"), code="invalid_state")
    conflict = conflict_reason(challenge=challenge, person=member.person)
    if conflict:
        raise PermissionDenied(_("存在利益冲突，不能提交验收意见：{r}").format(r=conflict))
    if outcome not in AcceptanceOutcome.values:
        raise ApplicationError(_("请选择验收意见结论"), field="outcome", code="invalid_choice")
    opinion = (opinion or "").strip()
    if not opinion:
        raise ApplicationError(_("请填写专家意见"), field="opinion", code="required")
    if len(opinion) > OPINION_MAX:
        raise ApplicationError(_("专家意见最多 {n} 字").format(n=OPINION_MAX), field="opinion", code="too_long")
    row, created = AcceptanceOpinion.objects.update_or_create(review=review, member=member,
                                                              defaults={"outcome": outcome, "opinion": opinion})
    record_change(obj=row, action=ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE, by=by)
    return row


@transaction.atomic
def acceptance_decide(*, challenge: Challenge, by, outcome: str, conclusion: str, extended_to=None) -> Challenge:
    """The city bureau concludes the pending acceptance: passed, failed, or extended (back to implementation,
    due ``extended_to``). At least one panellist's opinion is needed."""
    challenge = _lock(challenge)
    if not is_city_admin(by, challenge):
        raise PermissionDenied(_("只有本市科技局管理员可以作出验收结论"))
    if challenge.status != ChallengeStatus.ACCEPTANCE:
        raise ApplicationError(_("当前状态“{s}”不能作出验收结论").format(s=challenge.get_status_display()),
                               code="invalid_state")
    review = current_acceptance(challenge)
    if review is None:
        raise ApplicationError(_("没有待作出结论的验收"), code="invalid_state")
    if outcome not in DECISIONS:
        raise ApplicationError(_("请选择验收结论"), field="outcome", code="invalid_choice")
    conclusion = (conclusion or "").strip()
    if not conclusion:
        raise ApplicationError(_("请填写验收意见"), field="conclusion", code="required")
    if not review.opinions.exists():
        raise ApplicationError(_("请先由评审专家提交验收意见"), code="opinions_missing")
    extended = None
    if outcome == AcceptanceOutcome.EXTENDED:
        extended = _required_date(extended_to, field="extended_to", label=_("延期至"))
        floor = max(d for d in (challenge.due_on, review.held_on) if d is not None)
        if extended <= floor:
            raise ApplicationError(_("延期日期应晚于 {d}").format(d=floor), field="extended_to", code="invalid_date")
    elif extended_to not in (None, ""):
        raise ApplicationError(_("只有延期验收时填写延期日期"), field="extended_to", code="not_applicable")
    before = snapshot(challenge)
    challenge = transition(challenge, action=DECISIONS[outcome], by=by, comment=conclusion)
    now = timezone.now()
    review.outcome, review.conclusion, review.extended_to, review.decided_at = outcome, conclusion, extended, now
    review.save(update_fields=["outcome", "conclusion", "extended_to", "decided_at", "updated_at"])
    if extended is not None:
        challenge.due_on = extended
        challenge.save(update_fields=["due_on", "updated_at"])
    else:
        challenge.closed_at = now
        challenge.save(update_fields=["closed_at", "updated_at"])
    record_change(obj=challenge, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="验收结论")
    notify_after_commit(recipients=_parties(challenge), topic=NOTIFICATION_TOPIC,
                        title=_("揭榜项目“{t}”验收结论：{o}").format(t=challenge.title,
                                                               o=AcceptanceOutcome(outcome).label),
                        body=conclusion, link=challenge.get_manage_url(), about=challenge)
    return challenge
