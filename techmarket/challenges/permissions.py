"""Who may do what with collection rounds, the demand pool, challenges and applications (SPEC §2 J1–J2).

* The setter (发榜企业) is every user of the challenge's ``owner_organization``; it edits drafts, submits,
  withdraws, and sees the applications once applications are closed.
* Staff in scope are bureau administrators and district officers whose region holds the challenge's region:
  they pre-review (初审). Final decisions (发榜, 不予发榜, 入库, 形式审查) stay with the city: a bureau
  administrator in scope.
* Applicants are the users of the lead unit of an application; consortium members see it too.
* Panel members (review_permissions.is_panel_member) see the confidential tier and the submitted applications.

The workflow policies of ``workflows.py`` that concern these are registered here (apps.ready imports this
module); review_permissions.py registers the panel's, the award's and the delivery's.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, region_in_staff_scope
from techmarket.achievements.records import is_bureau_admin_for, is_owner, is_reviewer
from techmarket.core.actors import is_system
from techmarket.core.workflows import register_policy

from . import workflows
from .choices import (
    APPLICANT_KINDS,
    EDITABLE_CHALLENGE_STATUSES,
    ApplicationStatus,
    ChallengeStatus,
)

# From the close of applications on, the setter sees the applications (not while they are being written).
PAST_PUBLICATION = frozenset({
    ChallengeStatus.REVIEWING, ChallengeStatus.AWARDED, ChallengeStatus.IN_PROGRESS, ChallengeStatus.ACCEPTANCE,
    ChallengeStatus.ACCEPTED, ChallengeStatus.FAILED, ChallengeStatus.UNAWARDED,
})
# Applications the setter and the panel see: submitted ones (drafts and withdrawn ones stay the applicant's).
SUBMITTED_APPLICATION_STATUSES = frozenset({
    ApplicationStatus.SUBMITTED, ApplicationStatus.INELIGIBLE, ApplicationStatus.AWARDED,
    ApplicationStatus.NOT_AWARDED,
})


def _is_user(user) -> bool:
    return is_authenticated(user) and not is_system(user)


def deadline_passed(challenge, now=None) -> bool:
    return (now or timezone.now()) >= challenge.application_deadline


# --- who someone is for a challenge ----------------------------------------------------------------------


def is_setter(user, challenge) -> bool:
    """Users of the challenge-setting enterprise."""
    return is_owner(user, challenge)


def is_city_admin(user, challenge) -> bool:
    """A bureau administrator whose region holds the challenge's region: final decisions stay with the city."""
    return is_bureau_admin_for(user, challenge)


def is_staff_in_scope(user, challenge) -> bool:
    """A bureau administrator or district officer whose region holds the challenge's region."""
    return is_reviewer(user, challenge)


def panel_member_of(user, challenge):
    """The user's active PanelMember row on the challenge's panel, or None."""
    if not _is_user(user):
        return None
    from .review_permissions import is_panel_member  # review_permissions imports this module

    return is_panel_member(user, challenge)


def is_participant_unit(user, challenge) -> bool:
    """The user's unit leads or is a member of an application to the challenge."""
    if not _is_user(user) or not user.organization_id:
        return False
    from .models import ConsortiumMember

    return ConsortiumMember.objects.filter(challenge=challenge, organization_id=user.organization_id).exists()


def has_accepted_agreement(user, challenge) -> bool:
    if not _is_user(user) or not user.organization_id:
        return False
    from .models import AgreementAcceptance

    return AgreementAcceptance.objects.filter(challenge=challenge, organization_id=user.organization_id).exists()


# --- challenges ----------------------------------------------------------------------------------------------


def can_manage_challenge(user, challenge) -> bool:
    """The managed view (status, history, actions, push log): setter users and staff in scope."""
    return is_setter(user, challenge) or is_staff_in_scope(user, challenge)


def can_view_challenge(user, challenge) -> bool:
    """Public statuses for everyone; otherwise managed viewers, panel members and the units that applied."""
    return (challenge.is_public or can_manage_challenge(user, challenge)
            or panel_member_of(user, challenge) is not None or is_participant_unit(user, challenge))


def can_create_challenge(user, demand) -> bool:
    """Users of the demand's enterprise raise a challenge from their published demand (企业出题)."""
    return is_owner(user, demand) and demand.status == "published"


def can_edit_challenge(user, challenge) -> bool:
    return is_setter(user, challenge) and challenge.status in EDITABLE_CHALLENGE_STATUSES


def can_see_confidential(user, challenge) -> bool:
    """The confidential tier (B3): setter, staff in scope, active panel members, and the users of units that
    accepted the challenge agreement (揭榜协议)."""
    return (is_setter(user, challenge) or is_staff_in_scope(user, challenge)
            or panel_member_of(user, challenge) is not None or has_accepted_agreement(user, challenge))


def _unit_refusal(challenge, organization, *, today) -> str | None:
    """Why ``organization`` is not an eligible applicant of ``challenge`` (kind, region, qualifications,
    integrity), or None."""
    from techmarket.directory.choices import OrganizationKind, QualificationKind
    from techmarket.integrity.selectors import integrity_block_reason

    unit = organization.name
    if organization.pk == challenge.owner_organization_id:
        return _("{unit}是发榜企业，不能揭本单位的榜").format(unit=unit)
    kinds = challenge.eligible_kinds or list(APPLICANT_KINDS)
    if organization.kind not in APPLICANT_KINDS or organization.kind not in kinds:
        allowed = "、".join(str(OrganizationKind(k).label) for k in kinds if k in OrganizationKind.values)
        return _("{unit}的单位类型“{kind}”不在本榜单的揭榜单位类型（{allowed}）之内").format(
            unit=unit, kind=organization.get_kind_display(), allowed=allowed)
    region = challenge.eligible_region
    if region is not None and not (organization.region_id and organization.region.path.startswith(region.path)):
        return _("{unit}不在本榜单限定的揭榜区域（{region}）之内").format(unit=unit, region=region.name)
    if challenge.eligible_qualifications:
        held = {q.kind for q in organization.qualifications.all() if q.is_valid_on(today)}
        missing = [str(QualificationKind(k).label) for k in challenge.eligible_qualifications
                   if k not in held and k in QualificationKind.values]
        if missing:
            return _("{unit}缺少本榜单要求的有效资质：{names}").format(unit=unit, names="、".join(missing))
    blocked = integrity_block_reason(organization=organization, on=today)
    if blocked:
        return _("{unit}不能揭榜：{reason}").format(unit=unit, reason=blocked)
    return None


def apply_refusal(user, challenge, organization=None, *, application=None) -> str | None:
    """The Chinese reason ``organization`` (by default the user's unit) may not apply to ``challenge`` — as the
    lead of ``user``'s application or as a consortium member — or None when it may.

    ``application``: the application being edited (its own units do not count as "already applied").
    """
    if not _is_user(user) or not user.organization_id:
        return _("请使用单位账号登录后揭榜")
    organization = organization or user.organization
    if challenge.status != ChallengeStatus.PUBLISHED:
        return _("榜单“{title}”当前不在揭榜期（{status}）").format(title=challenge.title,
                                                          status=challenge.get_status_display())
    if deadline_passed(challenge):
        return _("揭榜已于 {at} 截止").format(
            at=timezone.localtime(challenge.application_deadline).strftime("%Y-%m-%d %H:%M"))
    refusal = _unit_refusal(challenge, organization, today=timezone.localdate())
    if refusal:
        return refusal
    from .models import ConsortiumMember

    taken = ConsortiumMember.objects.filter(challenge=challenge, organization=organization)
    if application is not None:
        taken = taken.exclude(application=application)
    if taken.exists():
        return _("{unit}已参与本榜单的揭榜申请（一个单位只能参与一份申请）").format(unit=organization.name)
    return None


# --- applications --------------------------------------------------------------------------------------------


def is_applicant(user, application) -> bool:
    """Users of the lead unit: they edit, submit and withdraw the application."""
    return _is_user(user) and user.organization_id is not None and user.organization_id == application.organization_id


def is_consortium_user(user, application) -> bool:
    """Users of the lead or of a member unit."""
    if not _is_user(user) or not user.organization_id:
        return False
    return is_applicant(user, application) or application.members.filter(
        organization_id=user.organization_id).exists()


def can_view_application(user, application) -> bool:
    """The units of the application; the setter once applications are closed; staff in scope; the panel."""
    challenge = application.challenge
    if is_consortium_user(user, application) or is_staff_in_scope(user, challenge):
        return True
    if application.status not in SUBMITTED_APPLICATION_STATUSES:
        return False
    if is_setter(user, challenge):
        return challenge.status in PAST_PUBLICATION
    return panel_member_of(user, challenge) is not None


def can_edit_application(user, application) -> bool:
    return is_applicant(user, application) and application.status == ApplicationStatus.DRAFT


# --- rounds and the pool -------------------------------------------------------------------------------------


def can_manage_round(user, round_) -> bool:
    """City bureau administrators open, edit and close their city's rounds."""
    return is_bureau_admin_for(user, round_)


def can_create_round(user, city) -> bool:
    from techmarket.accounts.permissions import is_bureau_admin

    return _is_user(user) and is_bureau_admin(user) and region_in_staff_scope(user, city)


def can_submit_to_pool(user, demand) -> bool:
    return is_owner(user, demand)


def can_view_pool_entry(user, entry) -> bool:
    return is_owner(user, entry) or is_reviewer(user, entry)


# --- workflow policies ---------------------------------------------------------------------------------------


@register_policy(workflows.ROUND_MANAGE)
def _may_manage_round(user, round_) -> bool:
    return can_manage_round(user, round_)


@register_policy(workflows.ROUND_CLOSE)
def _may_close_round(user, round_) -> bool:
    if is_system(user):
        return timezone.now() >= round_.deadline
    return can_manage_round(user, round_)


@register_policy(workflows.POOL_OWNER)
def _may_own_pool_entry(user, entry) -> bool:
    return is_owner(user, entry)


@register_policy(workflows.POOL_PRE_REVIEW)
def _may_pre_review_pool(user, entry) -> bool:
    return is_reviewer(user, entry)


@register_policy(workflows.POOL_ADMIT)
def _may_admit_pool(user, entry) -> bool:
    return is_bureau_admin_for(user, entry)


@register_policy(workflows.POOL_RAISE)
def _may_raise_pool_entry(user, entry) -> bool:
    return is_system(user)  # only as a consequence of publishing the entry's challenge


@register_policy(workflows.EDIT)
def _may_edit(user, challenge) -> bool:
    return is_setter(user, challenge)


@register_policy(workflows.PRE_REVIEW)
def _may_pre_review(user, challenge) -> bool:
    return is_staff_in_scope(user, challenge)


@register_policy(workflows.PUBLISH)
def _may_publish(user, challenge) -> bool:
    return is_city_admin(user, challenge)


@register_policy(workflows.CLOSE_APPLICATIONS)
def _may_close_applications(user, challenge) -> bool:
    return deadline_passed(challenge) and (is_system(user) or is_city_admin(user, challenge))


@register_policy(workflows.UNAWARD)
def _may_unaward(user, challenge) -> bool:
    # While applications are open nobody declares 流榜: the setter withdraws (撤榜) instead.
    if challenge.status == ChallengeStatus.PUBLISHED and not deadline_passed(challenge):
        return False
    return is_system(user) or is_setter(user, challenge) or is_city_admin(user, challenge)


@register_policy(workflows.WITHDRAW)
def _may_withdraw(user, challenge) -> bool:
    return is_setter(user, challenge)


@register_policy(workflows.APPLY)
def _may_apply(user, application) -> bool:
    challenge = application.challenge
    return (is_applicant(user, application) and challenge.status == ChallengeStatus.PUBLISHED
            and not deadline_passed(challenge))


@register_policy(workflows.APPLICATION_CHECK)
def _may_check_application(user, application) -> bool:
    challenge = application.challenge
    return (challenge.status in (ChallengeStatus.PUBLISHED, ChallengeStatus.REVIEWING)
            and is_city_admin(user, challenge))
