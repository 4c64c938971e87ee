"""The expert panel, its scores and the award (开榜) of 揭榜挂帅 (SPEC §2 J2, B2).

* Conflicts of interest are found automatically: a person who works for the setting enterprise, for the lead
  or a member unit of any application that was not withdrawn, or who is on an application's team, may not
  sit on the panel; checked on appointment and again on every score.
* Scores stay hidden: a panellist sees another panellist's review of an application only after submitting
  its own review of it. The setter sees submitted reviews anonymised (专家1, 专家2 …), bureau staff with names;
  applicants never see reviewer names. ``reviews_visible_to`` and ``ranking`` are the only reads of reviews.
* The award is one transaction: the winner and the losers (each with a coded reason of
  ``challenge_not_awarded``) move on, the challenge is awarded, the draft contract is created pre-filled for
  registration, the winner's planned milestones become the project's, and everyone is told after commit.
"""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.achievements.records import add_months
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.workflows import transition
from techmarket.deals.selectors import bureau_admins_for, organization_users
from techmarket.deals.services import notify_after_commit

from .choices import REASON_NOT_AWARDED, ApplicationStatus, ChallengeStatus, PanelMemberStatus, ReviewStatus
from .models import (
    Challenge,
    ChallengeApplication,
    ConsortiumMember,
    Milestone,
    PanelMember,
    Review,
    ReviewCriterion,
    TeamMember,
)
from .permissions import is_city_admin, is_setter, is_staff_in_scope
from .review_permissions import can_manage_panel, can_view_ranking, is_panel_member, missing_reviews
from .services import TOPIC as NOTIFICATION_TOPIC
from .services import clean_criteria

__all__ = ["conflict_reason", "conflicted_members", "panel_candidates", "panel_appoint", "panel_remove", "panel_users", "criteria_set",
           "review_save", "review_submit", "reviews_visible_to", "ranking", "challenge_award", "NOTIFICATION_TOPIC",
           "DEFAULT_NOT_AWARDED_CODE"]

DEFAULT_NOT_AWARDED_CODE = "lower_score"
SCORE_MIN, SCORE_MAX = 0, 100
COMMENT_MAX = 5000
CENT = Decimal("0.01")
# Applications that went through review (their scores and ranks are shown).
REVIEWED_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.AWARDED,
                                 ApplicationStatus.NOT_AWARDED)


def _lock(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


def panel_users(challenge: Challenge) -> list:
    """The accounts of the active panellists (for notifications)."""
    members = challenge.panel.filter(status=PanelMemberStatus.ACTIVE).select_related("person__user")
    return [m.person.user for m in members if m.person.user_id]


def _users_of(person) -> list:
    return [person.user] if person.user_id and person.user.is_active else []


# --- conflicts of interest -------------------------------------------------------------------------------

def conflict_reason(*, challenge: Challenge, person) -> str | None:
    """Why ``person`` may not review ``challenge`` (Chinese), or None: works for the setter, for the lead or a
    member unit of an application that was not withdrawn, or is on such an application's team."""
    units = {person.organization_id} if person.organization_id else set()
    if person.user_id and person.user.organization_id:
        units.add(person.user.organization_id)
    if challenge.owner_organization_id in units:
        return _("{p}所在单位是发榜企业“{o}”").format(p=person.name, o=challenge.owner_organization.name)
    applications = ChallengeApplication.objects.filter(challenge=challenge).exclude(status=ApplicationStatus.WITHDRAWN)
    lead = applications.filter(organization_id__in=units).select_related("organization").first()
    if lead is not None:
        return _("{p}所在单位“{o}”是揭榜单位").format(p=person.name, o=lead.organization.name)
    member = (ConsortiumMember.objects.filter(application__in=applications, organization_id__in=units)
              .select_related("organization").first())
    if member is not None:
        return _("{p}所在单位“{o}”是揭榜联合体成员").format(p=person.name, o=member.organization.name)
    team = TeamMember.objects.filter(application__in=applications, person=person).select_related(
        "application__organization").first()
    if team is not None:
        return _("{p}是“{o}”揭榜团队成员").format(p=person.name, o=team.application.organization.name)
    return None


def conflicted_members(challenge: Challenge) -> dict[int, str]:
    """{active panel member id: reason} for panellists now in conflict, e.g. through a later application."""
    members = challenge.panel.filter(status=PanelMemberStatus.ACTIVE).select_related("person")
    reasons = {m.pk: conflict_reason(challenge=challenge, person=m.person) for m in members}
    return {pk: reason for pk, reason in reasons.items() if reason}


def _appointment_refusal(challenge: Challenge, person) -> str | None:
    if not person.user_id or not person.user.is_active:
        return _("{p}没有可用的平台账号，无法在线评审").format(p=person.name)
    return conflict_reason(challenge=challenge, person=person)


# --- the panel ---------------------------------------------------------------------------------------------

def panel_candidates(*, challenge: Challenge, limit: int = 20) -> list[tuple]:
    """Experts of the talent registry matched to the challenge, best first, each with the reason it may not be
    appointed (a conflict of interest, no account) or None. Present panellists are left out."""
    from techmarket.matching.matching import record_matches

    seated = set(challenge.panel.filter(status=PanelMemberStatus.ACTIVE).values_list("person_id", flat=True))
    out = []
    for match in record_matches(challenge, user=None, target_types=("expert",), limit=None):
        person = match.record
        if person.pk in seated:
            continue
        out.append((person, _appointment_refusal(challenge, person)))
        if len(out) >= limit:
            break
    return out


@transaction.atomic
def panel_appoint(*, challenge: Challenge, by, person, is_chair: bool = False) -> PanelMember:
    """The city bureau appoints an expert with an account to the panel; refused on a conflict of interest."""
    challenge = _lock(challenge)
    if not is_city_admin(by, challenge):
        raise PermissionDenied(_("只有本市科技局管理员可以遴选评审专家"))
    if not can_manage_panel(by, challenge):
        raise ApplicationError(_("当前状态“{s}”不能调整评审专家").format(s=challenge.get_status_display()),
                               code="invalid_state")
    refusal = _appointment_refusal(challenge, person)
    if refusal:
        raise ApplicationError(refusal, field="person", code="conflict_of_interest")
    member = PanelMember.objects.filter(challenge=challenge, person=person).first()
    if member is not None and member.status == PanelMemberStatus.ACTIVE:
        raise ApplicationError(_("{p}已是本榜单的评审专家").format(p=person.name), field="person", code="duplicate")
    if member is not None:
        raise ApplicationError(_("{p}已被撤换，不能再次遴选").format(p=person.name), field="person",
                               code="removed")
    if is_chair:
        challenge.panel.filter(is_chair=True).update(is_chair=False)
    member = PanelMember.objects.create(challenge=challenge, person=person, is_chair=bool(is_chair),
                                        appointed_by=by)
    record_change(obj=member, action=ObjectChange.Action.CREATE, by=by)
    notify_after_commit(recipients=_users_of(person), topic=NOTIFICATION_TOPIC,
                        title=_("您已被遴选为揭榜挂帅榜单“{t}”的评审专家").format(t=challenge.title),
                        body=_("揭榜截止后请在线对各揭榜申请逐项评分；其他专家的评分在您提交后可见。"),
                        link=challenge.get_manage_url(), about=challenge)
    return member


@transaction.atomic
def panel_remove(*, member: PanelMember, by, comment: str) -> PanelMember:
    """Remove a panellist (a comment is required); under review, its reviews stop counting and the ranking is
    recomputed (after the award the ranking that led to it stays as it was)."""
    challenge = _lock(member.challenge)
    member = transition(member, action="remove", by=by, comment=comment)
    if member.is_chair:
        member.is_chair = False
        member.save(update_fields=["is_chair", "updated_at"])
    if challenge.status == ChallengeStatus.REVIEWING:
        _recompute_scores(challenge)
    return member


# --- criteria ----------------------------------------------------------------------------------------------

def _criterion_to_keep(existing: list, kept: list, pk, name: str) -> ReviewCriterion | None:
    """The existing criterion a row stands for: the one with its ``id``, else the one with its name."""
    free = [c for c in existing if c not in kept]
    by_id = next((c for c in free if str(c.pk) == str(pk)), None) if pk not in (None, "") else None
    return by_id or next((c for c in free if c.name == name), None)


@transaction.atomic
def criteria_set(*, challenge: Challenge, by, rows) -> list[ReviewCriterion]:
    """Replace the weighted criteria ``[{name, weight}]`` (optionally with the ``id`` of the criterion a row
    edits) until the first review is submitted: the setter while its challenge is editable, the city bureau
    until then. A criterion kept (by id, else by name) keeps its draft scores."""
    from .choices import EDITABLE_CHALLENGE_STATUSES

    challenge = _lock(challenge)
    setter_may = is_setter(by, challenge) and challenge.status in EDITABLE_CHALLENGE_STATUSES
    if not (setter_may or is_city_admin(by, challenge)):
        raise PermissionDenied(_("只有发榜企业（草稿或退回修改时）或本市科技局管理员可以设置评审指标"))
    if Review.objects.filter(application__challenge=challenge, status=ReviewStatus.SUBMITTED).exists():
        raise ApplicationError(_("已有专家提交评分，评审指标不能再修改"), field="criteria", code="locked")
    clean = clean_criteria(rows)
    existing = list(challenge.criteria.all())
    before = [{"name": c.name, "weight": c.weight} for c in existing]
    kept: list[ReviewCriterion] = []
    for order, ((name, weight), row) in enumerate(zip(clean, rows), start=1):
        criterion = _criterion_to_keep(existing, kept, row.get("id"), name)
        criterion = criterion or ReviewCriterion(challenge=challenge)
        criterion.name, criterion.weight, criterion.sort_order = name, weight, order
        criterion.save()
        kept.append(criterion)
    ReviewCriterion.objects.filter(pk__in=[c.pk for c in existing if c not in kept]).delete()
    keys = {str(c.pk) for c in kept}
    for review in Review.objects.filter(application__challenge=challenge, status=ReviewStatus.DRAFT):
        scores = {k: v for k, v in review.scores.items() if k in keys}
        if scores != review.scores:
            review.scores = scores
            review.save(update_fields=["scores", "updated_at"])
    record_change(obj=challenge, action=ObjectChange.Action.UPDATE, by=by, before={"criteria": before},
                  after={"criteria": [{"name": c.name, "weight": c.weight} for c in kept]}, comment="评审指标")
    return kept


# --- scoring -----------------------------------------------------------------------------------------------

def _scoring_member(*, application: ChallengeApplication, by) -> PanelMember:
    """The caller's seat, refused unless it may score ``application`` now."""
    challenge = application.challenge
    member = is_panel_member(by, challenge)
    if member is None:
        raise PermissionDenied(_("只有本榜单的评审专家可以评分"))
    if challenge.status != ChallengeStatus.REVIEWING:
        raise ApplicationError(_("榜单当前状态“{s}”不能评分").format(s=challenge.get_status_display()),
                               code="invalid_state")
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(_("该揭榜申请状态为“{s}”，不参加评审").format(s=application.get_status_display()),
                               code="invalid_state")
    conflict = conflict_reason(challenge=challenge, person=member.person)
    if conflict:
        raise PermissionDenied(_("存在利益冲突，不能评分：{r}").format(r=conflict))
    return member


def _clean_scores(challenge: Challenge, scores) -> dict[str, int]:
    if not isinstance(scores, dict):
        raise ApplicationError(_("评分格式有误"), field="scores", code="invalid")
    criteria = {c.pk: c for c in challenge.criteria.all()}
    clean: dict[str, int] = {}
    for key, value in scores.items():
        try:
            criterion = criteria.get(int(key))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None:
            raise ApplicationError(_("评审指标编号“{k}”不属于本榜单").format(k=key), field="scores", code="invalid")
        if value is None or value == "":
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            raise ApplicationError(_("“{c}”的得分应为 {lo} 到 {hi} 的整数").format(c=criterion.name, lo=SCORE_MIN,
                                                                              hi=SCORE_MAX),
                                   field=f"scores.{criterion.pk}", code="invalid")
        clean[str(criterion.pk)] = value
    return clean


@transaction.atomic
def review_save(*, application: ChallengeApplication, by, scores: dict, comment: str = "") -> Review:
    """Save the caller's draft review of ``application`` (0–100 per criterion; partial is fine)."""
    application = ChallengeApplication.objects.select_related("challenge").get(pk=application.pk)
    member = _scoring_member(application=application, by=by)
    clean = _clean_scores(application.challenge, scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ApplicationError(_("评审意见最多 {n} 字").format(n=COMMENT_MAX), field="comment", code="too_long")
    list(PanelMember.objects.select_for_update().filter(pk=member.pk).values_list("pk"))  # one save at a time
    review = Review.objects.select_for_update().filter(member=member, application=application).first()
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ApplicationError(_("评分已提交，不能再修改"), code="invalid_state")
    if review is None:
        review = Review.objects.create(member=member, application=application, scores=clean, comment=comment)
    else:
        review.scores, review.comment = clean, comment
        review.save(update_fields=["scores", "comment", "updated_at"])
    return review


def weighted_total(criteria, scores: dict) -> Decimal:
    """Σ score × weight / 100, to two decimals (half up)."""
    total = sum(Decimal(scores[str(c.pk)]) * c.weight for c in criteria) / 100
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def review_submit(*, review: Review, by) -> Review:
    """Submit a review: every criterion scored and a comment; then the application's score and every rank
    of the challenge are recomputed."""
    _lock(review.application.challenge)  # submissions of a challenge recompute its ranking one at a time
    review = Review.objects.select_related("member__person", "application__challenge").get(pk=review.pk)
    if review.member.person.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("只能提交本人的评分"))
    application = review.application
    _scoring_member(application=application, by=by)
    criteria = list(application.challenge.criteria.all())
    if not criteria:
        raise ApplicationError(_("本榜单尚未设置评审指标"), field="scores", code="required")
    missing = [c.name for c in criteria if str(c.pk) not in review.scores]
    if missing:
        raise ApplicationError(_("请为以下评审指标打分：{m}").format(m="、".join(missing)), field="scores",
                               code="required")
    if not review.comment.strip():
        raise ApplicationError(_("请填写评审意见"), field="comment", code="required")
    review = transition(review, action="submit", by=by)
    review.total = weighted_total(criteria, review.scores)
    review.submitted_at = timezone.now()
    review.save(update_fields=["total", "submitted_at", "updated_at"])
    _recompute_scores(application.challenge)
    return review


def _recompute_scores(challenge: Challenge) -> None:
    """Each reviewed application's score (mean of the submitted totals of active panellists) and rank
    (1 + the number of applications scoring higher; unscored ones have none)."""
    applications = list(ChallengeApplication.objects.filter(challenge=challenge,
                                                            status__in=REVIEWED_APPLICATION_STATUSES))
    totals: dict[int, list[Decimal]] = {a.pk: [] for a in applications}
    for application_id, total in Review.objects.filter(
            application__in=applications, status=ReviewStatus.SUBMITTED,
            member__status=PanelMemberStatus.ACTIVE).values_list("application_id", "total"):
        totals[application_id].append(total)
    for application in applications:
        values = totals[application.pk]
        application.score = (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None
    scored = [a.score for a in applications if a.score is not None]
    for application in applications:
        application.rank = (1 + sum(1 for s in scored if s > application.score)
                            if application.score is not None else None)
    ChallengeApplication.objects.bulk_update(applications, ["score", "rank"])


# --- reading reviews ---------------------------------------------------------------------------------------

def _anonymous_names(challenge: Challenge) -> dict[int, str]:
    """专家1, 专家2 … by order of appointment, the same on every application of the challenge."""
    ids = challenge.panel.order_by("pk").values_list("pk", flat=True)
    return {pk: _("专家{n}").format(n=n) for n, pk in enumerate(ids, start=1)}


def _is_applicant_side(user, application: ChallengeApplication) -> bool:
    org_id = getattr(user, "organization_id", None)
    return org_id is not None and (application.organization_id == org_id
                                   or application.members.filter(organization_id=org_id).exists())


def _review_row(review: Review, criteria, *, reviewer: str, own: bool) -> dict:
    return {
        "id": review.pk,
        "reviewer": reviewer,
        "is_own": own,
        "scores": [{"criterion_id": c.pk, "name": c.name, "weight": c.weight, "score": review.scores.get(str(c.pk))}
                   for c in criteria],
        "total": review.total,
        "comment": review.comment,
        "status": review.status,
        "status_display": review.get_status_display(),
        "submitted_at": review.submitted_at,
    }


def reviews_visible_to(*, user, application: ChallengeApplication) -> list[dict]:
    """The reviews of ``application`` the caller may read, as ``{reviewer, scores, total, comment, status …}``.

    * a panellist: its own review always; the others' submitted ones once its own is submitted;
    * bureau staff in scope: every submitted review, with names;
    * the setter: submitted reviews, reviewers anonymised (专家N);
    * applicants (lead and consortium units): submitted reviews anonymised, once the challenge is awarded
      or closed without award — never a reviewer's name;
    * anybody else: nothing.
    """
    challenge = application.challenge
    criteria = list(challenge.criteria.all())
    reviews = list(Review.objects.filter(application=application).select_related("member__person")
                   .order_by("member_id"))
    submitted = [r for r in reviews if r.status == ReviewStatus.SUBMITTED]
    member = is_panel_member(user, challenge)
    if member is not None:
        own = next((r for r in reviews if r.member_id == member.pk), None)
        rows = [_review_row(own, criteria, reviewer=own.member.person.name, own=True)] if own else []
        if own is not None and own.status == ReviewStatus.SUBMITTED:
            rows += [_review_row(r, criteria, reviewer=r.member.person.name, own=False)
                     for r in submitted if r.pk != own.pk]
        return rows
    if is_staff_in_scope(user, challenge):
        return [_review_row(r, criteria, reviewer=r.member.person.name, own=False) for r in submitted]
    if is_setter(user, challenge) or (
            _is_applicant_side(user, application) and challenge.status not in (
                ChallengeStatus.PUBLISHED, ChallengeStatus.REVIEWING)):
        names = _anonymous_names(challenge)
        return [_review_row(r, criteria, reviewer=names[r.member_id], own=False) for r in submitted]
    return []


def ranking(*, challenge: Challenge, user) -> list[dict]:
    """The reviewed applications, best first: ``{application, score, rank, submitted_reviews,
    expected_reviews}`` for bureau staff in scope and the setter."""
    if not can_view_ranking(user, challenge):
        raise PermissionDenied(_("只有发榜企业和科技管理部门可以查看评审排名"))
    active = list(challenge.panel.filter(status=PanelMemberStatus.ACTIVE).values_list("pk", flat=True))
    applications = list(ChallengeApplication.objects.filter(challenge=challenge,
                                                            status__in=REVIEWED_APPLICATION_STATUSES)
                        .select_related("organization"))
    done: dict[int, int] = {}
    for application_id in Review.objects.filter(application__in=applications, member_id__in=active,
                                                status=ReviewStatus.SUBMITTED).values_list("application_id",
                                                                                           flat=True):
        done[application_id] = done.get(application_id, 0) + 1
    applications.sort(key=lambda a: (a.rank is None, a.rank or 0, a.pk))
    return [{"application": a, "score": a.score, "rank": a.rank, "submitted_reviews": done.get(a.pk, 0),
             "expected_reviews": len(active)} for a in applications]


# --- the award (开榜) -------------------------------------------------------------------------------------

def _clean_feedback(feedback, losers: dict[int, ChallengeApplication]) -> dict[int, tuple[str, str]]:
    from techmarket.feedback.services import reason_code_require

    clean = {pk: (DEFAULT_NOT_AWARDED_CODE, "") for pk in losers}
    for key, value in (feedback or {}).items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if pk not in losers:
            raise ApplicationError(_("反馈所指的揭榜申请“{k}”不是本榜单的未中榜申请").format(k=key), field="feedback",
                                   code="invalid")
        code, comment = (value, "") if isinstance(value, str) else tuple(value)
        code = (code or DEFAULT_NOT_AWARDED_CODE).strip()
        reason_code_require(context=REASON_NOT_AWARDED, code=code)
        clean[pk] = (code, (comment or "").strip())
    return clean


def _project_milestones(challenge: Challenge, winner: ChallengeApplication, start: datetime.date) -> None:
    """The winner's planned milestones become the project's, due ``month`` months after ``start``
    (the award date; ``delivery.challenge_start`` moves them to the signing date)."""
    Milestone.objects.bulk_create([
        Milestone(challenge=challenge, title=p.title, deliverable=p.deliverable, due_on=add_months(start, p.month),
                  sort_order=n)
        for n, p in enumerate(winner.planned_milestones.order_by("month", "pk"))])


@transaction.atomic
def challenge_award(*, challenge: Challenge, by, winner: ChallengeApplication, comment: str = "",
                    feedback: dict | None = None) -> Challenge:
    """开榜: the setter chooses the winner once every panellist has reviewed every application. ``feedback``:
    ``{application_id: (reason_code, comment)}`` for the others (default 综合评分较低)."""
    from techmarket.contracts.services import contract_create_from_challenge

    challenge = _lock(challenge)
    if not is_setter(by, challenge):
        raise PermissionDenied(_("只有发榜企业可以开榜"))
    if challenge.status != ChallengeStatus.REVIEWING:
        raise ApplicationError(_("当前状态“{s}”不能开榜").format(s=challenge.get_status_display()),
                               code="invalid_state")
    if not challenge.panel.filter(status=PanelMemberStatus.ACTIVE).exists():
        raise ApplicationError(_("尚未组建评审专家组，不能开榜"), code="no_panel")
    missing = missing_reviews(challenge)
    if missing:
        message = _("还有 {n} 份专家评分未提交，全部评审专家提交评分后才能开榜").format(n=len(missing))
        conflicted = conflicted_members(challenge)
        if conflicted:
            # An application that arrived after the appointment can put a panellist in conflict; they may
            # not score, so the bureau has to replace them (names stay hidden from the enterprise).
            message += _("；其中 {k} 名评审专家与揭榜单位存在利益冲突、不能评分，需由市科技局撤换").format(k=len(conflicted))
        raise ApplicationError(message, code="reviews_missing")
    submitted = {a.pk: a for a in challenge.applications.filter(status=ApplicationStatus.SUBMITTED)
                 .select_related("organization")}
    winner_id = getattr(winner, "pk", winner)
    if winner_id not in submitted:
        raise ApplicationError(_("请选择本榜单一份已揭榜的申请作为中榜方"), field="winner", code="invalid")
    winner = submitted.pop(winner_id)
    reasons = _clean_feedback(feedback, submitted)
    before = snapshot(challenge)
    challenge = transition(challenge, action="award", by=by, comment=comment)
    now = timezone.now()
    challenge.winner, challenge.awarded_at = winner, now
    transition(winner, action="award", by=by, comment=comment)
    for pk, loser in submitted.items():
        code, text = reasons[pk]
        loser = transition(loser, action="not_award", by=by, comment=text, reason_code=code)
        loser.feedback_code, loser.feedback = code, text
        loser.save(update_fields=["feedback_code", "feedback", "updated_at"])
    challenge.contract = contract_create_from_challenge(challenge=challenge, by=by)
    challenge.save(update_fields=["winner", "awarded_at", "contract", "updated_at"])
    _project_milestones(challenge, winner, timezone.localtime(now).date())
    record_change(obj=challenge, action=ObjectChange.Action.UPDATE, by=by, before=before, comment="开榜")
    _notify_award(challenge, winner, list(submitted.values()), reasons)
    return challenge


def _notify_award(challenge: Challenge, winner: ChallengeApplication, losers: list, reasons: dict) -> None:
    from techmarket.feedback.selectors import reason_label

    link = challenge.get_manage_url()
    notify_after_commit(recipients=organization_users(winner.organization_id), topic=NOTIFICATION_TOPIC,
                        title=_("您单位揭榜的“{t}”已中榜").format(t=challenge.title),
                        body=_("技术合同草稿已生成，请核对后提交认定登记；签订合同后由发榜企业确认开始实施。"),
                        link=winner.get_absolute_url(), about=winner)
    for loser in losers:
        code, text = reasons[loser.pk]
        label = reason_label(REASON_NOT_AWARDED, code)
        notify_after_commit(recipients=organization_users(loser.organization_id), topic=NOTIFICATION_TOPIC,
                            title=_("您单位揭榜的“{t}”未中榜").format(t=challenge.title),
                            body=_("原因：{r}。{c}").format(r=label, c=text) if text else _("原因：{r}。").format(r=label),
                            link=loser.get_absolute_url(), about=loser)
    others = (organization_users(challenge.owner_organization_id) + panel_users(challenge)
              + bureau_admins_for(challenge.region))
    notify_after_commit(recipients=others, topic=NOTIFICATION_TOPIC,
                        title=_("揭榜挂帅榜单“{t}”已开榜").format(t=challenge.title),
                        body=_("中榜单位：{o}").format(o=winner.organization.name), link=link, about=challenge)
