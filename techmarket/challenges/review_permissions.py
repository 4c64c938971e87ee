"""Who may do what on the panel, the award (开榜), milestones and acceptance (验收).

* the setting enterprise (users of ``challenge.owner_organization``) awards once every active panellist
  has submitted a review of every submitted application, starts the project once the contract exists,
  and confirms or returns milestones;
* the city bureau (bureau administrators whose region holds the challenge) appoints the panel, organises
  acceptance once every milestone is confirmed, and decides it;
* panellists (active ``PanelMember`` whose person has this account) score and give acceptance opinions;
* users of the winning (lead) unit report milestones.

Reviews and panel memberships have small workflows of their own (submit a review; remove a panellist);
their tables are declared here, next to the policies that decide them, because ``apps.ready`` loads this
module.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.accounts.permissions import is_authenticated
from techmarket.core.actors import is_system
from techmarket.core.workflows import Transition, register_policy

from . import workflows
from .choices import ApplicationStatus, ChallengeStatus, MilestoneStatus, PanelMemberStatus, ReviewStatus
from .models import Milestone, PanelMember, Review
from .permissions import is_city_admin, is_setter, is_staff_in_scope

__all__ = ["is_panel_member", "is_winner", "can_score", "can_manage_panel", "can_view_ranking",
           "missing_reviews", "unconfirmed_milestones", "REVIEW_SUBMIT", "PANEL_REMOVE"]

REVIEW_SUBMIT = "challenges.submit_review"          # the panellist who wrote the review
PANEL_REMOVE = "challenges.remove_panel_member"     # city bureau administrator

Review.TRANSITIONS = {
    "submit": Transition({ReviewStatus.DRAFT}, ReviewStatus.SUBMITTED, REVIEW_SUBMIT, _("提交评分"),
                         style="success"),
}
PanelMember.TRANSITIONS = {
    "remove": Transition({PanelMemberStatus.ACTIVE}, PanelMemberStatus.REMOVED, PANEL_REMOVE, _("撤换专家"),
                         style="outline-danger", comment_required=True),
}

# The panel may be formed once the challenge is published and serves until acceptance is decided.
PANEL_STATUSES = frozenset({ChallengeStatus.PUBLISHED, ChallengeStatus.REVIEWING, ChallengeStatus.AWARDED,
                            ChallengeStatus.IN_PROGRESS, ChallengeStatus.ACCEPTANCE})


def _person_user(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def is_panel_member(user, challenge) -> PanelMember | None:
    """The caller's active seat on the challenge's panel, or None."""
    if not _person_user(user):
        return None
    return (PanelMember.objects.select_related("person")
            .filter(challenge=challenge, person__user=user, status=PanelMemberStatus.ACTIVE).first())


def is_winner(user, challenge) -> bool:
    """Users of the winning application's lead unit."""
    if not _person_user(user) or challenge.winner_id is None or user.organization_id is None:
        return False
    return challenge.winner.organization_id == user.organization_id


def can_score(user, application) -> bool:
    """An active panellist without a conflict of interest, while the challenge is under review."""
    from .review import conflict_reason

    challenge = application.challenge
    if challenge.status != ChallengeStatus.REVIEWING or application.status != ApplicationStatus.SUBMITTED:
        return False
    member = is_panel_member(user, challenge)
    return member is not None and conflict_reason(challenge=challenge, person=member.person) is None


def can_manage_panel(user, challenge) -> bool:
    return is_city_admin(user, challenge) and challenge.status in PANEL_STATUSES


def can_view_ranking(user, challenge) -> bool:
    """Bureau staff in scope and the setting enterprise (its users see reviewers anonymised)."""
    return is_staff_in_scope(user, challenge) or is_setter(user, challenge)


def missing_reviews(challenge) -> list[tuple[int, int]]:
    """(panel member id, application id) of every review still to be submitted: each active panellist
    reviews each submitted application."""
    members = list(challenge.panel.filter(status=PanelMemberStatus.ACTIVE).values_list("pk", flat=True))
    applications = list(challenge.applications.filter(status=ApplicationStatus.SUBMITTED)
                        .values_list("pk", flat=True))
    done = set(Review.objects.filter(member_id__in=members, application_id__in=applications,
                                     status=ReviewStatus.SUBMITTED).values_list("member_id", "application_id"))
    return [(m, a) for m in members for a in applications if (m, a) not in done]


def unconfirmed_milestones(challenge) -> list[Milestone]:
    return list(challenge.milestones.exclude(status=MilestoneStatus.CONFIRMED))


# --- workflow policies ---------------------------------------------------------------------------------

@register_policy(workflows.AWARD)
def _may_award(user, challenge) -> bool:
    return (is_setter(user, challenge) and challenge.panel.filter(status=PanelMemberStatus.ACTIVE).exists()
            and not missing_reviews(challenge))


@register_policy(workflows.START)
def _may_start(user, challenge) -> bool:
    return is_setter(user, challenge) and challenge.contract_id is not None


@register_policy(workflows.ORGANISE_ACCEPTANCE)
def _may_organise_acceptance(user, challenge) -> bool:
    return is_city_admin(user, challenge) and not unconfirmed_milestones(challenge)


@register_policy(workflows.DECIDE_ACCEPTANCE)
def _may_decide_acceptance(user, challenge) -> bool:
    return is_city_admin(user, challenge)


@register_policy(workflows.APPLICATION_DECIDE)
def _may_decide_application(user, application) -> bool:
    return is_setter(user, application.challenge)


@register_policy(workflows.MILESTONE_REPORT)
def _may_report_milestone(user, milestone) -> bool:
    challenge = milestone.challenge
    return challenge.status == ChallengeStatus.IN_PROGRESS and is_winner(user, challenge)


@register_policy(workflows.MILESTONE_CONFIRM)
def _may_confirm_milestone(user, milestone) -> bool:
    challenge = milestone.challenge
    return challenge.status == ChallengeStatus.IN_PROGRESS and is_setter(user, challenge)


@register_policy(REVIEW_SUBMIT)
def _may_submit_review(user, review) -> bool:
    member = review.member
    return (_person_user(user) and member.status == PanelMemberStatus.ACTIVE and member.person.user_id == user.pk
            and member.challenge.status == ChallengeStatus.REVIEWING)


@register_policy(PANEL_REMOVE)
def _may_remove_panel_member(user, member) -> bool:
    return can_manage_panel(user, member.challenge)
