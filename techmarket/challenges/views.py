"""Pages of 揭榜挂帅: the public list and detail of challenges, the agreement and the application form, the
managed challenge page (actions, push log, applications, panel, criteria, ranking, award, contract and
support, milestones, acceptance, history), the application page with the panellist's scoring form, the
panellist's inbox, the demand pool and its collection rounds.

The pages only call selectors and services: a record the user may not see is a 404, an action the user may
not take the Chinese 403 page, and ApplicationError messages go onto the fields (or formset rows) they name.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.permissions import is_bureau_admin, is_region_staff
from techmarket.achievements.api_common import attachment_response, client_ip
from techmarket.achievements.forms import AttachmentForm, ManageFilterForm
from techmarket.achievements.representations import attachment_out
from techmarket.core.errors import ApplicationError
from techmarket.core.forms import add_service_errors
from techmarket.core.views import forbidden, workflow_action_panel, workflow_action_post
from techmarket.core.workflows import action_choices
from techmarket.directory.choices import OrganizationKind, QualificationKind
from techmarket.listings.views import page_of

from . import delivery, permissions, review, review_permissions, selectors, services, support
from .choices import (
    REASON_NOT_AWARDED,
    ApplicationStatus,
    ChallengeStatus,
    MilestoneStatus,
    PanelMemberStatus,
    ReviewStatus,
)
from .forms import (
    AcceptanceDecideForm,
    AcceptanceOpinionForm,
    AcceptanceOrganiseForm,
    AgreementForm,
    ApplicationForm,
    AwardForm,
    ChallengeFilterForm,
    ChallengeForm,
    CommentForm,
    CriterionFormSet,
    EvidenceForm,
    IndicatorFormSet,
    MemberFormSet,
    MilestonePlanFormSet,
    MilestoneReportForm,
    PanelAppointForm,
    PoolSubmitForm,
    RoundForm,
    ScoreForm,
    StartForm,
    TeamFormSet,
    UploadForm,
    bound_rows,
    criterion_initial,
    indicator_initial,
    member_initial,
    milestone_initial,
    place_service_errors,
    team_initial,
)
from .models import (
    AgreementAcceptance,
    Challenge,
    ChallengeApplication,
    CollectionRound,
    Milestone,
    PanelMember,
    PoolEntry,
    Review,
)
from .workflows import TRANSITIONS

# Actions that need more than a comment have forms of their own on the page (award, start, acceptance).
DATA_ACTIONS = frozenset({"award", "start", "organise_acceptance", "pass", "fail", "extend"})
# Actions shown with a comment box (and a reason select when they need a coded reason).
REVIEW_ACTIONS = frozenset({"pre_approve", "publish"} | {
    name for name, spec in TRANSITIONS.items() if spec.comment_required or spec.reason_context})
# Award and not-award of single applications happen through the challenge's award form (开榜).
APPLICATION_HIDDEN = frozenset({"award", "not_award"})
APPLICATION_REVIEW_ACTIONS = frozenset({"mark_ineligible", "withdraw"})
POOL_REVIEW_ACTIONS = frozenset({"pre_approve", "admit", "return", "reject"})
# The 办理 panel: the decision first, then returning, refusing and ending.
ACTION_ORDER = {"pre_approve": 1, "publish": 1, "admit": 1, "return": 2, "reject": 3, "unaward": 4, "withdraw": 4}
# Statuses after the award: the project (contract, milestones, acceptance) exists.
PROJECT_STATUSES = frozenset({ChallengeStatus.AWARDED, ChallengeStatus.IN_PROGRESS, ChallengeStatus.ACCEPTANCE,
                              ChallengeStatus.ACCEPTED, ChallengeStatus.FAILED})
RANKED_STATUSES = PROJECT_STATUSES | {ChallengeStatus.REVIEWING, ChallengeStatus.UNAWARDED}
# The city bureau may still change the criteria (until the first review is submitted).
CRITERIA_STATUSES = frozenset({ChallengeStatus.SUBMITTED, ChallengeStatus.PRE_APPROVED, ChallengeStatus.PUBLISHED,
                               ChallengeStatus.REVIEWING})


# Helpers --------------------------------------------------------------------------------------------

def _person_of(user):
    """The talent-registry profile of an expert's account, or None."""
    if not user.is_authenticated:
        return None
    from techmarket.directory.models import Person

    return Person.objects.filter(user=user).first()


def _sidebar(request, nav: str = "") -> dict:
    """The side navigation: what the user's roles open."""
    user = request.user
    staff = is_region_staff(user)
    person = _person_of(user) if user.is_authenticated else None
    return {
        "nav": nav,
        "nav_manage": user.is_authenticated and (bool(user.organization_id) or staff),
        "nav_reviews": person is not None and PanelMember.objects.filter(person=person).exists(),
        "nav_pool": user.is_authenticated and (bool(user.organization_id) or staff),
        "nav_staff": staff,
        "nav_stats": staff,
    }


def _managed(user, pk) -> Challenge:
    """The managed page's challenge: setter, staff in scope and the panel (the selector), and the winner, who
    reports milestones there; 404 for everyone else."""
    try:
        return selectors.challenge_get_for_user(user=user, pk=pk, managed=True)
    except Http404:
        challenge = selectors.challenge_get_for_user(user=user, pk=pk)
        if review_permissions.is_winner(user, challenge):
            return challenge
        raise


def _row_url(user, challenge) -> str:
    """Where a managed list row leads: the managed page, or the unit's application for an applicant."""
    if (permissions.can_manage_challenge(user, challenge) or review_permissions.is_winner(user, challenge)
            or review_permissions.is_panel_member(user, challenge) is not None):
        return challenge.get_manage_url()
    own = _own_application(user, challenge)
    return own.get_absolute_url() if own is not None else challenge.get_absolute_url()


def _own_application(user, challenge):
    """The application the user's unit takes part in (as lead or consortium member), or None."""
    if not user.is_authenticated or not user.organization_id:
        return None
    return (ChallengeApplication.objects.filter(challenge=challenge, members__organization_id=user.organization_id)
            .select_related("organization").first())


def _acceptance_of(user, challenge):
    if not user.is_authenticated or not user.organization_id:
        return None
    return AgreementAcceptance.objects.filter(challenge=challenge, organization_id=user.organization_id).first()


def _confidential(request, challenge):
    """The confidential tier for those who may see it (every showing is logged by the service)."""
    if not permissions.can_see_confidential(request.user, challenge):
        return None
    try:
        tier = services.confidential_view(challenge=challenge, by=request.user, ip=client_ip(request))
    except PermissionDenied:
        return None
    return {"detail": tier["detail"],
            "files": _files(tier["attachments"], "challenges:attachment_download", pk=challenge.pk)}


def _eligibility(challenge) -> dict:
    """The labels of the eligible unit kinds and qualifications."""
    kinds, qualifications = dict(OrganizationKind.choices), dict(QualificationKind.choices)
    return {"kinds": [str(kinds.get(k, k)) for k in challenge.eligible_kinds or []],
            "qualifications": [str(qualifications.get(k, k)) for k in challenge.eligible_qualifications or []]}


def _with_urls(rows, name: str, **kwargs):
    """The panel rows with the URL each posts to, in ACTION_ORDER."""
    for row in rows:
        row["url"] = reverse(name, kwargs={**kwargs, "action": row["name"]})
    return sorted(rows, key=lambda row: ACTION_ORDER.get(row["name"], 0))


def _refused(request, exc) -> object:
    """PermissionDenied → the 403 page; ApplicationError → messages and back (for bare POST buttons)."""
    if isinstance(exc, PermissionDenied):
        return forbidden(request, exc)
    for item in exc.errors:
        messages.error(request, item.message)
    return None


def _form_post(request, form, *, call, success, done, page, place=add_service_errors):
    """A page form's POST: ``call(form)`` in one transaction (nothing half-saved), the 403 page for
    PermissionDenied, ApplicationError messages on the fields (``place``), else the message and a redirect to
    ``done`` (a URL, or a callable of the result); ``page()`` renders the form again with its errors."""
    if form.is_valid():
        try:
            with transaction.atomic():
                result = call(form)
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            place(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(done(result) if callable(done) else done)
    return page()


def _action_view(get, act, page, done_name: str, *, hidden=frozenset(), review_actions=frozenset()):
    """The POST view of a record's workflow action (``get(user, pk)`` finds the record or 404s)."""
    @login_required
    @require_POST
    def view(request, pk: int, action: str):
        user = request.user
        return workflow_action_post(
            request, record=get(user, pk), action=action, act=act,
            page=lambda bound: page(request, get(user, pk), bound=bound),
            done=lambda result, action: reverse(done_name, kwargs={"pk": pk}),
            hidden=hidden, review_actions=review_actions)
    return view


def _files(rows, url_name: str, **kwargs) -> list[dict]:
    """Attachments as the market's attachment list shows them (achievements.representations.attachment_out)."""
    return [attachment_out(row, url=reverse(url_name, kwargs={**kwargs, "attachment_pk": row.pk})) for row in rows]


# Public pages ----------------------------------------------------------------------------------------

@require_GET
def challenge_list(request):
    form = ChallengeFilterForm(request.GET or None)
    filters = form.filters()
    try:
        qs = selectors.challenges_public(q=filters.get("q") or "", field=filters.get("field"),
                                         region=filters.get("region"), status=filters.get("status"))
    except ApplicationError as exc:
        add_service_errors(form, exc)
        qs = selectors.challenges_public()
    # 揭榜中 first (the selector's order) and among them the soonest deadline first: the countdown list.
    qs = qs.order_by("_open_first", Case(When(status=ChallengeStatus.PUBLISHED, then=F("application_deadline"))).asc(),
                     F("published_at").desc(nulls_last=True), "-pk")
    return render(request, "challenges/list.html", {**_sidebar(request, "public"), "form": form,
                                                    "page_obj": page_of(request, qs)})


@require_GET
def challenge_detail(request, pk: int):
    user = request.user
    challenge = selectors.challenge_get_for_user(user=user, pk=pk)
    acceptance = _acceptance_of(user, challenge)
    own = _own_application(user, challenge)
    refusal = None
    if user.is_authenticated and user.organization_id and challenge.status == ChallengeStatus.PUBLISHED:
        refusal = permissions.apply_refusal(user, challenge)
    # The public page shows the confidential tier to units that accepted the agreement; the setter and staff
    # read it on the managed page.
    confidential = _confidential(request, challenge) if acceptance is not None else None
    return render(request, "challenges/detail.html", {
        **_sidebar(request, "public"), "object": challenge, "eligibility": _eligibility(challenge),
        "acceptance": acceptance, "own_application": own,
        "refusal": refusal, "confidential": confidential,
        "files": _files(challenge.attachments.filter(is_confidential=False),
                        "challenges:attachment_download", pk=challenge.pk),
        "can_manage": user.is_authenticated and permissions.can_manage_challenge(user, challenge),
        "is_unit_user": user.is_authenticated and bool(user.organization_id),
        "winner": challenge.winner if challenge.status in PROJECT_STATUSES else None,
        "acceptance_review": challenge.acceptance_reviews.exclude(outcome="").order_by("-held_on", "-pk").first()
        if challenge.status in (ChallengeStatus.ACCEPTED, ChallengeStatus.FAILED) else None,
    })


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    """A challenge's attachment: public ones for those who see the challenge; confidential ones for the
    confidential tier only, each download logged."""
    user = request.user
    challenge = selectors.challenge_get_for_user(user=user, pk=pk)
    row = challenge.attachments.filter(pk=attachment_pk).first()
    if row is None:
        raise Http404
    if row.is_confidential:
        if not permissions.can_see_confidential(user, challenge):
            raise Http404
        services.confidential_view(challenge=challenge, by=user, ip=client_ip(request))
    return attachment_response(row, public=challenge.is_public and not row.is_confidential)


# Agreement and application form ----------------------------------------------------------------------------

def _team_people(organization, member_orgs):
    from techmarket.directory.models import Person

    org_ids = [organization.pk] + [o.pk for o in member_orgs if o is not None]
    return list(Person.objects.filter(organization_id__in=org_ids).select_related("organization")
                .order_by("organization_id", "name"))


def _application_form_page(request, challenge, *, application=None):
    user = request.user
    organization = application.organization if application is not None else user.organization
    post = request.POST if request.method == "POST" else None
    form = ApplicationForm(post, organization=organization, application=application)
    members = bound_rows(MemberFormSet, post, prefix="members", initial=member_initial(application))
    member_rows, member_forms = ([], [])
    if members.is_valid():
        member_rows, member_forms = members.filled()
    member_orgs = [r["organization"] for r in member_rows]
    if application is not None and post is None:
        member_orgs = [m.organization for m in application.members.select_related("organization")]
    people = _team_people(organization, member_orgs)
    team = bound_rows(TeamFormSet, post, prefix="team", initial=team_initial(application), people=people)
    milestones = bound_rows(MilestonePlanFormSet, post, prefix="milestones", initial=milestone_initial(application))
    saving = post is not None and not post.get("add_row")
    if saving and all(x.is_valid() for x in (form, members, team, milestones)):
        team_rows, team_forms = team.filled()
        milestone_rows, milestone_forms = milestones.filled()
        data = form.service_data(
            members=[{"organization": r["organization"], "responsibility": r["responsibility"] or ""}
                     for r in member_rows],
            team=[{"person": r["person"], "role": r["role"] or "", "is_leader": bool(r["is_leader"])}
                  for r in team_rows],
            milestones=[{"title": r["title"] or "", "deliverable": r["deliverable"] or "", "month": r["month"]}
                        for r in milestone_rows])
        try:
            if application is None:
                application = services.application_create(challenge=challenge, by=user, data=data)
                messages.success(request, _("已保存揭榜申请草稿，确认无误后请点击“提交揭榜”"))
            else:
                services.application_update(application=application, by=user, data=data)
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            place_service_errors(exc, form, {"members": (members, member_forms), "team": (team, team_forms),
                                             "milestones": (milestones, milestone_forms)})
        else:
            return redirect("challenges:application_detail", pk=application.pk)
    return render(request, "challenges/apply_form.html", {
        **_sidebar(request, "manage"), "challenge": challenge, "object": application, "form": form,
        "members": members, "team": team, "milestones": milestones,
        "formset_errors": any(fs.total_error_count() for fs in (members, team, milestones)) if post else False,
    })


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, pk: int):
    """揭榜: accept the agreement (for the unit), then the application form."""
    user = request.user
    challenge = selectors.challenge_get_for_user(user=user, pk=pk)
    if not user.organization_id:
        return forbidden(request, PermissionDenied(_("只有单位用户可以揭榜")))
    own = _own_application(user, challenge)
    if own is not None:
        return redirect("challenges:application_detail", pk=own.pk)
    acceptance = _acceptance_of(user, challenge)
    if acceptance is None:
        refusal = permissions.apply_refusal(user, challenge)
        if refusal:
            return forbidden(request, PermissionDenied(refusal))
        form = AgreementForm(request.POST if request.method == "POST" else None)

        def page():
            return render(request, "challenges/agreement.html", {**_sidebar(request, "public"),
                                                                 "object": challenge, "form": form})

        if request.method != "POST":
            return page()
        return _form_post(request, form, call=lambda form: services.agreement_accept(challenge=challenge, by=user),
                          success=_("已接受揭榜协议，可以查看保密信息并填写揭榜申请"),
                          done=reverse("challenges:apply", kwargs={"pk": pk}), page=page)
    return _application_form_page(request, challenge)


# Applications ----------------------------------------------------------------------------------------------

def _application_page(request, application, *, bound=None, score_form=None, upload_form=None, status=200):
    user = request.user
    challenge = application.challenge
    is_applicant = permissions.is_applicant(user, application)
    is_staff = permissions.is_staff_in_scope(user, challenge)
    is_setter = permissions.is_setter(user, challenge)
    can_score = review_permissions.can_score(user, application)
    own_review = None
    if can_score:
        member = review_permissions.is_panel_member(user, challenge)
        own_review = Review.objects.filter(member=member, application=application).first() if member else None
        score_form = score_form or ScoreForm(criteria=challenge.criteria.all(), review=own_review)
    actions = _with_urls(workflow_action_panel(application, user, bound=bound, hidden=APPLICATION_HIDDEN,
                                               review_actions=APPLICATION_REVIEW_ACTIONS),
                         "challenges:application_action", pk=application.pk)
    feedback_label = ""
    if application.feedback_code:
        from techmarket.feedback.selectors import reason_label

        feedback_label = reason_label(REASON_NOT_AWARDED, application.feedback_code)
    decided = challenge.status in PROJECT_STATUSES or challenge.status == ChallengeStatus.UNAWARDED
    return render(request, "challenges/application_detail.html", {
        **_sidebar(request, "manage"), "object": application, "challenge": challenge,
        "is_applicant": is_applicant, "is_staff": is_staff, "is_setter": is_setter,
        "can_edit": is_applicant and application.status == ApplicationStatus.DRAFT,
        "actions": actions, "can_score": can_score, "own_review": own_review, "score_form": score_form,
        "reviews": review.reviews_visible_to(user=user, application=application),
        "show_score": is_staff or is_setter or (is_applicant and decided),
        "feedback_label": feedback_label,
        "members": application.members.select_related("organization"),
        "team_members": application.team.select_related("person", "person__organization"),
        "planned": application.planned_milestones.all(),
        "files": _files(application.attachments.all(), "challenges:application_attachment_download",
                        pk=application.pk),
        "upload_form": upload_form or UploadForm(),
    }, status=status)


@login_required
@require_GET
def application_detail(request, pk: int):
    return _application_page(request, selectors.application_get_for_user(user=request.user, pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    user = request.user
    application = selectors.application_get_for_user(user=user, pk=pk)
    if not permissions.is_applicant(user, application):
        raise Http404
    if application.status != ApplicationStatus.DRAFT:
        return forbidden(request, PermissionDenied(_("只有草稿状态的揭榜申请可以修改（当前：{s}）").format(
            s=application.get_status_display())))
    return _application_form_page(request, application.challenge, application=application)


application_action = _action_view(
    lambda user, pk: selectors.application_get_for_user(user=user, pk=pk),
    lambda *, record, **kw: services.application_act(application=record, **kw),
    _application_page, "challenges:application_detail", hidden=APPLICATION_HIDDEN,
    review_actions=APPLICATION_REVIEW_ACTIONS)


@login_required
@require_POST
def application_review(request, pk: int):
    """The panellist's scores: 保存 keeps a draft, 提交评分 submits (comment and every score required)."""
    user = request.user
    application = selectors.application_get_for_user(user=user, pk=pk)
    if not review_permissions.can_score(user, application):
        return forbidden(request, PermissionDenied(_("只有本榜单的评审专家可以在评审阶段评分")))
    form = ScoreForm(request.POST, criteria=application.challenge.criteria.all())
    submit = "submit" in request.POST

    def call(form):  # 提交评分 saves and submits in one transaction, or leaves nothing behind
        saved = review.review_save(application=application, by=user, scores=form.scores(),
                                   comment=form.cleaned_data["comment"])
        return review.review_submit(review=saved, by=user) if submit else saved

    return _form_post(request, form, call=call, place=lambda form, exc: form.place(exc),
                      success=_("评分已提交") if submit else _("评分已保存，提交前可以修改"),
                      done=reverse("challenges:application_detail", kwargs={"pk": pk}) + "#scoring",
                      page=lambda: _application_page(request, application, score_form=form))


@login_required
@require_POST
def application_attachment_add(request, pk: int):
    user = request.user
    application = selectors.application_get_for_user(user=user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    return _form_post(
        request, form, call=lambda form: services.application_attachment_add(
            application=application, upload=form.cleaned_data["file"], by=user),
        success=_uploaded, done=reverse("challenges:application_detail", kwargs={"pk": pk}) + "#attachments",
        page=lambda: _application_page(request, application, upload_form=form))


def _uploaded(row) -> str:
    return _("已上传附件“{name}”").format(name=row.original_name)


@login_required
@require_GET
def application_attachment_download(request, pk: int, attachment_pk: int):
    application = selectors.application_get_for_user(user=request.user, pk=pk)
    row = application.attachments.filter(pk=attachment_pk).first()
    if row is None:
        raise Http404
    return attachment_response(row, public=False)


# Managed list, create, edit -----------------------------------------------------------------------------

MANAGE_TABS = ("challenges", "applications")


@login_required
@require_GET
def manage_list(request):
    user = request.user
    person = _person_of(user)
    if not (user.organization_id or is_region_staff(user) or person is not None):
        raise Http404
    tab = request.GET.get("tab") if request.GET.get("tab") in MANAGE_TABS else "challenges"
    form = ManageFilterForm(request.GET or None, status_choices=ChallengeStatus.choices)
    from techmarket.demands.permissions import can_create_demand

    context = {**_sidebar(request, "manage"), "form": form, "tab": tab, "can_create": can_create_demand(user)}
    if tab == "applications":
        context["page_obj"] = page_of(request, selectors.my_applications(user))
    else:
        filters = form.filters()
        qs = selectors.challenges_visible_to(user, q=filters.get("q") or "", status=filters.get("status"))
        context["page_obj"] = page = page_of(request, qs)
        for challenge in page.object_list:
            challenge.row_url = _row_url(user, challenge)
    return render(request, "challenges/manage_list.html", context)


def _challenge_form_page(request, *, demand=None, challenge=None):
    user = request.user
    post = request.POST if request.method == "POST" else None
    form = ChallengeForm(post, challenge=challenge, demand=demand)
    indicators = bound_rows(IndicatorFormSet, post, prefix="indicators", initial=indicator_initial(challenge))
    criteria = bound_rows(CriterionFormSet, post, prefix="criteria", initial=criterion_initial(challenge))
    saving = post is not None and not post.get("add_row")
    if saving and all(x.is_valid() for x in (form, indicators, criteria)):
        indicator_rows, indicator_forms = indicators.filled()
        criterion_rows, criterion_forms = criteria.filled()
        data = form.service_data(
            indicators=[{"name": r["name"] or "", "target": r["target"] or "", "unit": r["unit"] or ""}
                        for r in indicator_rows],
            criteria=[{"name": r["name"] or "", "weight": r["weight"]} for r in criterion_rows])
        try:
            if challenge is None:
                challenge = services.challenge_create(by=user, demand=demand, data=data)
                messages.success(request, _("已保存榜单草稿“{t}”，确认无误后请提交审核").format(t=challenge.title))
            else:
                services.challenge_update(challenge=challenge, by=user, data=data)
                messages.success(request, _("已保存"))
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            place_service_errors(exc, form, {"indicators": (indicators, indicator_forms),
                                             "criteria": (criteria, criterion_forms)})
        else:
            return redirect("challenges:manage_detail", pk=challenge.pk)
    return render(request, "challenges/manage_form.html", {
        **_sidebar(request, "manage"), "form": form, "indicators": indicators, "criteria": criteria,
        "object": challenge, "demand": demand or (challenge.demand if challenge is not None else None),
        "formset_errors": bool(post) and any(fs.total_error_count() for fs in (indicators, criteria)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    """提出揭榜挂帅榜单 from one of the enterprise's demands (?demand=<id>)."""
    from techmarket.demands.selectors import demand_get_for_user

    user = request.user
    demand = demand_get_for_user(user=user, pk=request.GET.get("demand"))
    if not user.organization_id or user.organization_id != demand.owner_organization_id:
        raise Http404
    if not permissions.can_create_challenge(user, demand):
        return forbidden(request, PermissionDenied(
            _("只能由需求所属企业从已发布的技术需求提出榜单（当前：{s}）").format(s=demand.get_status_display())))
    return _challenge_form_page(request, demand=demand)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    user = request.user
    challenge = _managed(user, pk)
    if not permissions.can_manage_challenge(user, challenge):
        raise Http404
    if not permissions.can_edit_challenge(user, challenge):
        return forbidden(request, PermissionDenied(
            _("只有发榜企业可以在草稿或退回修改状态下修改（当前：{s}）").format(s=challenge.get_status_display())))
    return _challenge_form_page(request, challenge=challenge)


# The managed challenge page ------------------------------------------------------------------------------

def _roles(user, challenge) -> dict:
    member = review_permissions.is_panel_member(user, challenge)
    return {
        "is_setter": permissions.is_setter(user, challenge),
        "is_staff": permissions.is_staff_in_scope(user, challenge),
        "is_city": permissions.is_city_admin(user, challenge),
        "member": member,
        "is_winner": review_permissions.is_winner(user, challenge),
    }


def _panel_context(user, challenge, roles, forms) -> dict:
    panel = list(challenge.panel.select_related("person", "person__organization"))
    if roles["is_staff"]:
        conflicts = review.conflicted_members(challenge)
        for m in panel:
            m.conflict = conflicts.get(m.pk)
    out = {"panel": panel if roles["is_staff"] else [],
           "panel_count": sum(1 for m in panel if m.status == PanelMemberStatus.ACTIVE)}
    if review_permissions.can_manage_panel(user, challenge):
        candidates = review.panel_candidates(challenge=challenge, limit=20)
        out["candidates"] = candidates
        out["appoint_form"] = forms.get("appoint") or PanelAppointForm(candidates=candidates)
        out["remove_form"] = forms.get("remove") or CommentForm()
    return out


def _criteria_context(challenge, roles, forms) -> dict:
    criteria = list(challenge.criteria.all())
    # The setter edits its criteria with the challenge (edit page); the city bureau here, until the first review.
    editable = (roles["is_city"] and challenge.status in CRITERIA_STATUSES
                and not Review.objects.filter(application__challenge=challenge, status=ReviewStatus.SUBMITTED).exists())
    out = {"criteria": criteria, "criteria_editable": editable}
    if editable:
        out["criteria_formset"] = forms.get("criteria") or CriterionFormSet(
            initial=criterion_initial(challenge), prefix="criteria")
    return out


def _award_context(user, challenge, roles, forms) -> dict:
    if not (roles["is_setter"] and challenge.status == ChallengeStatus.REVIEWING):
        return {}
    from techmarket.feedback.selectors import reason_codes_for

    submitted = challenge.applications.filter(status=ApplicationStatus.SUBMITTED).select_related("organization")
    return {"award_form": forms.get("award") or AwardForm(applications=submitted,
                                                          reasons=reason_codes_for(REASON_NOT_AWARDED)),
            "missing_reviews": len(review_permissions.missing_reviews(challenge))}


def _milestone_rows(user, challenge, forms) -> list[dict]:
    rows = []
    for m in challenge.milestones.prefetch_related("attachments"):
        choices = dict(action_choices(m, user))
        bound = forms.get("milestone")
        rows.append({
            "object": m,
            "can_report": "submit" in choices,
            "can_confirm": "confirm" in choices,
            "can_return": "return" in choices,
            "report_form": bound[1] if bound and bound[0] == (m.pk, "submit") else MilestoneReportForm(
                initial={"report": m.report}),
            "return_form": bound[1] if bound and bound[0] == (m.pk, "return") else CommentForm(),
            "evidence_form": bound[1] if bound and bound[0] == (m.pk, "evidence") else EvidenceForm(),
            "can_add_evidence": "submit" in choices,
        })
    return rows


def _acceptance_context(user, challenge, roles, forms) -> dict:
    reviews = list(challenge.acceptance_reviews.prefetch_related("opinions__member__person"))
    current = reviews[-1] if reviews and challenge.status == ChallengeStatus.ACCEPTANCE else None
    out = {"acceptance_reviews": reviews, "current_acceptance": current,
           "show_opinion_names": roles["is_staff"]}
    all_confirmed = challenge.milestones.exclude(status=MilestoneStatus.CONFIRMED).count() == 0
    if roles["is_city"] and challenge.status == ChallengeStatus.IN_PROGRESS:
        out["organise_form"] = forms.get("organise") or AcceptanceOrganiseForm(
            initial={"held_on": timezone.localdate()})
        out["all_confirmed"] = all_confirmed
    if current is not None and roles["member"] is not None and roles["member"].status == PanelMemberStatus.ACTIVE:
        mine = next((o for o in current.opinions.all() if o.member_id == roles["member"].pk), None)
        out["opinion_form"] = forms.get("opinion") or AcceptanceOpinionForm(
            initial={"outcome": mine.outcome, "opinion": mine.opinion} if mine else None)
    if current is not None and roles["is_city"]:
        out["decide_form"] = forms.get("decide") or AcceptanceDecideForm()
    return out


def _support_context(user, challenge, roles) -> dict:
    if challenge.contract_id is None or not (roles["is_setter"] or roles["is_staff"] or roles["is_winner"]):
        return {}
    try:
        return {"support": support.challenge_support(challenge=challenge)}
    except ApplicationError as exc:
        return {"support_error": "；".join(item.message for item in exc.errors)}


def _manage_page(request, challenge, *, bound=None, forms=None, attachment_form=None, status=200):
    user = request.user
    forms = forms or {}
    roles = _roles(user, challenge)
    actions = _with_urls(workflow_action_panel(challenge, user, bound=bound, hidden=DATA_ACTIONS,
                                               review_actions=REVIEW_ACTIONS),
                         "challenges:manage_action", pk=challenge.pk)
    context = {
        **_sidebar(request, "manage"), **roles, "object": challenge, "eligibility": _eligibility(challenge),
        "actions": actions,
        "can_edit": permissions.can_edit_challenge(user, challenge),
        "confidential": _confidential(request, challenge),
        "files": _files(challenge.attachments.all(), "challenges:attachment_download", pk=challenge.pk),
        "files_kind": {"ns": "challenges"},  # the market attachment list's delete URL: challenges:manage_…
        "can_manage_attachments": roles["is_setter"] and permissions.can_edit_challenge(user, challenge),
        "attachment_form": attachment_form or AttachmentForm(),
        "applications": selectors.applications_visible_to(user=user, challenge=challenge),
        "milestones": _milestone_rows(user, challenge, forms),
        **_panel_context(user, challenge, roles, forms),
        **_criteria_context(challenge, roles, forms),
        **_award_context(user, challenge, roles, forms),
        **_acceptance_context(user, challenge, roles, forms),
        **_support_context(user, challenge, roles),
    }
    if roles["is_setter"] or roles["is_staff"]:
        rows = selectors.push_log(challenge)
        context["push"] = {"recipients": rows, "count": len(rows),
                           "opened": sum(1 for r in rows if getattr(r, "opened_at", None))}
    if (roles["is_setter"] or roles["is_staff"]) and challenge.status in RANKED_STATUSES:
        try:
            context["ranking"] = review.ranking(challenge=challenge, user=user)
        except PermissionDenied:
            context["ranking"] = None
    if roles["is_setter"] and challenge.status == ChallengeStatus.AWARDED:
        context["start_form"] = forms.get("start") or StartForm(initial={"signed_on": timezone.localdate()})
    return render(request, "challenges/manage_detail.html", context, status=status)


@login_required
@require_GET
def manage_detail(request, pk: int):
    return _manage_page(request, _managed(request.user, pk))


manage_action = _action_view(
    _managed, lambda *, record, **kw: services.challenge_act(challenge=record, **kw), _manage_page,
    "challenges:manage_detail", hidden=DATA_ACTIONS, review_actions=REVIEW_ACTIONS)


def _section_post(request, pk: int, *, form, key: str, call, success: str, anchor: str):
    """The POST of one section form of the managed page; the page again with the errors in that section."""
    challenge = _managed(request.user, pk)
    return _form_post(request, form, call=lambda form: call(challenge, form), success=success,
                      done=reverse("challenges:manage_detail", kwargs={"pk": pk}) + anchor,
                      page=lambda: _manage_page(request, _managed(request.user, pk), forms={key: form}))


@login_required
@require_POST
def manage_attachment_add(request, pk: int):
    user = request.user
    challenge = _managed(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    return _form_post(
        request, form, call=lambda form: services.challenge_attachment_add(
            challenge=challenge, upload=form.cleaned_data["file"], by=user,
            is_confidential=form.cleaned_data["is_confidential"]),
        success=_uploaded, done=reverse("challenges:manage_detail", kwargs={"pk": pk}) + "#attachments",
        page=lambda: _manage_page(request, challenge, attachment_form=form))


@login_required
@require_POST
def manage_attachment_delete(request, pk: int, attachment_pk: int):
    challenge = _managed(request.user, pk)
    attachment = challenge.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        services.challenge_attachment_delete(attachment=attachment, by=request.user)
    except (PermissionDenied, ApplicationError) as exc:
        response = _refused(request, exc)
        if response is not None:
            return response
    else:
        messages.success(request, _("已删除附件“{name}”").format(name=attachment.original_name))
    return redirect(reverse("challenges:manage_detail", kwargs={"pk": pk}) + "#attachments")


@login_required
@require_POST
def panel_appoint(request, pk: int):
    challenge = _managed(request.user, pk)
    if not permissions.is_city_admin(request.user, challenge):
        return forbidden(request, PermissionDenied(_("评审专家由市科技局管理员遴选")))
    candidates = review.panel_candidates(challenge=challenge, limit=20)
    form = PanelAppointForm(request.POST, candidates=candidates)
    people = {str(p.pk): p for p, _conflict in candidates}

    def call(challenge, form):
        review.panel_appoint(challenge=challenge, by=request.user, person=people[form.cleaned_data["person"]],
                             is_chair=form.cleaned_data["is_chair"])

    return _section_post(request, pk, form=form, key="appoint", call=call, success=_("已遴选评审专家"),
                         anchor="#panel")


@login_required
@require_POST
def panel_remove(request, pk: int, member_pk: int):
    challenge = _managed(request.user, pk)
    member = challenge.panel.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    form = CommentForm(request.POST)

    def call(challenge, form):
        review.panel_remove(member=member, by=request.user, comment=form.cleaned_data["comment"])

    response = _section_post(request, pk, form=form, key="remove", call=call,
                             success=_("已撤换评审专家“{name}”").format(name=member.person.name), anchor="#panel")
    return response


@login_required
@require_POST
def criteria_save(request, pk: int):
    formset = CriterionFormSet(request.POST, prefix="criteria")
    challenge = _managed(request.user, pk)
    if formset.is_valid():
        rows, row_forms = formset.filled()
        try:
            review.criteria_set(challenge=challenge, by=request.user,
                                rows=[{"id": f.cleaned_data.get("id"), "name": r["name"] or "", "weight": r["weight"]}
                                      for r, f in zip(rows, row_forms)])
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                index = (item.field or "").split(".")
                if len(index) == 3 and index[1].isdigit() and int(index[1]) < len(row_forms):
                    form = row_forms[int(index[1])]
                    form.add_error(index[2] if index[2] in form.fields else None, item.message)
                else:
                    formset.add_error(item.message)
        else:
            messages.success(request, _("已保存评审指标"))
            return redirect(reverse("challenges:manage_detail", kwargs={"pk": pk}) + "#criteria")
    return _manage_page(request, challenge, forms={"criteria": formset})


@login_required
@require_POST
def award(request, pk: int):
    """开榜: the setter picks the winner; every other application gets a coded reason (B2)."""
    from techmarket.feedback.selectors import reason_codes_for

    challenge = _managed(request.user, pk)
    submitted = challenge.applications.filter(status=ApplicationStatus.SUBMITTED).select_related("organization")
    form = AwardForm(request.POST, applications=submitted, reasons=reason_codes_for(REASON_NOT_AWARDED))

    def call(challenge, form):
        review.challenge_award(challenge=challenge, by=request.user, winner=form.winner_application(),
                               comment=form.cleaned_data["comment"], feedback=form.feedback())

    return _section_post(request, pk, form=form, key="award", call=call,
                         success=_("已开榜，技术合同已按揭榜结果预填，请双方核对后签订"), anchor="#award")


@login_required
@require_POST
def start(request, pk: int):
    form = StartForm(request.POST)

    def call(challenge, form):
        delivery.challenge_start(challenge=challenge, by=request.user, signed_on=form.cleaned_data["signed_on"])

    return _section_post(request, pk, form=form, key="start", call=call,
                         success=_("合同已签订，项目进入实施阶段"), anchor="#milestones")


def _milestone(challenge, milestone_pk) -> Milestone:
    milestone = challenge.milestones.filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404
    return milestone


def _milestone_post(request, pk, milestone_pk, *, form, key, call, success):
    user = request.user
    milestone = _milestone(_managed(user, pk), milestone_pk)
    # the evidence and the report together, or neither (one transaction)
    return _form_post(request, form, call=lambda form: call(milestone, form), success=success,
                      done=reverse("challenges:manage_detail", kwargs={"pk": pk}) + "#milestones",
                      page=lambda: _manage_page(request, _managed(user, pk),
                                                forms={"milestone": ((milestone.pk, key), form)}))


@login_required
@require_POST
def milestone_report(request, pk: int, milestone_pk: int):
    form = MilestoneReportForm(request.POST, request.FILES)

    def call(milestone, form):
        if form.cleaned_data.get("file"):
            delivery.milestone_evidence_add(milestone=milestone, upload=form.cleaned_data["file"], by=request.user)
        delivery.milestone_act(milestone=milestone, action="submit", by=request.user,
                               report=form.cleaned_data["report"])

    return _milestone_post(request, pk, milestone_pk, form=form, key="submit", call=call,
                           success=_("已提交节点完成情况，等待发榜企业确认"))


@login_required
@require_POST
def milestone_evidence_add(request, pk: int, milestone_pk: int):
    form = EvidenceForm(request.POST, request.FILES)

    def call(milestone, form):
        delivery.milestone_evidence_add(milestone=milestone, upload=form.cleaned_data["file"], by=request.user)

    return _milestone_post(request, pk, milestone_pk, form=form, key="evidence", call=call,
                           success=_("已上传佐证材料"))


@login_required
@require_POST
def milestone_confirm(request, pk: int, milestone_pk: int):
    user = request.user
    milestone = _milestone(_managed(user, pk), milestone_pk)
    try:
        delivery.milestone_act(milestone=milestone, action="confirm", by=user)
    except (PermissionDenied, ApplicationError) as exc:
        response = _refused(request, exc)
        if response is not None:
            return response
    else:
        messages.success(request, _("已确认节点“{t}”完成").format(t=milestone.title))
    return redirect(reverse("challenges:manage_detail", kwargs={"pk": pk}) + "#milestones")


@login_required
@require_POST
def milestone_return(request, pk: int, milestone_pk: int):
    form = CommentForm(request.POST)

    def call(milestone, form):
        delivery.milestone_act(milestone=milestone, action="return", by=request.user,
                               comment=form.cleaned_data["comment"])

    return _milestone_post(request, pk, milestone_pk, form=form, key="return", call=call,
                           success=_("已退回节点，请揭榜方补充"))


@login_required
@require_GET
def milestone_evidence_download(request, pk: int, milestone_pk: int, attachment_pk: int):
    user = request.user
    challenge = _managed(user, pk)
    roles = _roles(user, challenge)
    if not (roles["is_setter"] or roles["is_staff"] or roles["member"] is not None or roles["is_winner"]):
        raise Http404
    row = _milestone(challenge, milestone_pk).attachments.filter(pk=attachment_pk).first()
    if row is None:
        raise Http404
    return attachment_response(row, public=False)


@login_required
@require_POST
def acceptance_organise(request, pk: int):
    form = AcceptanceOrganiseForm(request.POST)

    def call(challenge, form):
        delivery.acceptance_organise(challenge=challenge, by=request.user, held_on=form.cleaned_data["held_on"],
                                     comment=form.cleaned_data["comment"])

    return _section_post(request, pk, form=form, key="organise", call=call, success=_("已组织验收"),
                         anchor="#acceptance")


@login_required
@require_POST
def acceptance_opinion(request, pk: int):
    form = AcceptanceOpinionForm(request.POST)

    def call(challenge, form):
        current = challenge.acceptance_reviews.order_by("-held_on", "-pk").first()
        if current is None:
            raise ApplicationError(_("尚未组织验收"), code="invalid_state")
        delivery.acceptance_opinion_save(review=current, by=request.user, outcome=form.cleaned_data["outcome"],
                                         opinion=form.cleaned_data["opinion"])

    return _section_post(request, pk, form=form, key="opinion", call=call, success=_("已保存验收意见"),
                         anchor="#acceptance")


@login_required
@require_POST
def acceptance_decide(request, pk: int):
    form = AcceptanceDecideForm(request.POST)

    def call(challenge, form):
        delivery.acceptance_decide(challenge=challenge, by=request.user, outcome=form.cleaned_data["outcome"],
                                   conclusion=form.cleaned_data["conclusion"],
                                   extended_to=form.cleaned_data["extended_to"])

    return _section_post(request, pk, form=form, key="decide", call=call, success=_("已作出验收结论"),
                         anchor="#acceptance")


# The panellist's inbox ---------------------------------------------------------------------------------

@login_required
@require_GET
def review_inbox(request):
    """评审任务: the submitted applications of the challenges in review whose panel the expert is on."""
    user = request.user
    person = _person_of(user)
    if person is None:
        raise Http404
    seats = list(PanelMember.objects.filter(person=person, status=PanelMemberStatus.ACTIVE)
                 .select_related("challenge").order_by("-challenge__application_deadline"))
    rows = []
    for seat in seats:
        challenge = seat.challenge
        reviews = {r.application_id: r for r in Review.objects.filter(member=seat)}
        applications = (challenge.applications.filter(status__in=(
            ApplicationStatus.SUBMITTED, ApplicationStatus.AWARDED, ApplicationStatus.NOT_AWARDED))
            .select_related("organization") if challenge.status in RANKED_STATUSES else [])
        rows.append({"seat": seat, "challenge": challenge,
                     "applications": [{"application": a, "review": reviews.get(a.pk),
                                       "can_score": challenge.status == ChallengeStatus.REVIEWING}
                                      for a in applications],
                     "acceptance": challenge.status == ChallengeStatus.ACCEPTANCE})
    pending = sum(1 for row in rows for a in row["applications"]
                  if a["can_score"] and (a["review"] is None or a["review"].status != ReviewStatus.SUBMITTED))
    return render(request, "challenges/review_inbox.html", {**_sidebar(request, "reviews"), "rows": rows,
                                                            "pending": pending, "person": person})


# The demand pool and its collection rounds ----------------------------------------------------------------

def _pool_submit_form(user, data=None):
    from techmarket.demands.choices import DemandStatus
    from techmarket.demands.models import Demand

    demands = (Demand.objects.filter(owner_organization_id=user.organization_id, status=DemandStatus.PUBLISHED,
                                     pool_entry__isnull=True).order_by("-published_at")
               if user.organization_id else Demand.objects.none())
    rounds = selectors.rounds_visible_to(user).filter(status="open", deadline__gt=timezone.now())
    return PoolSubmitForm(data, demands=demands, rounds=rounds)


@login_required
@require_http_methods(["GET", "POST"])
def pool_list(request):
    """技术需求项目库: entries in scope; enterprises 申报 their published demands (?demand=<id> preselects)."""
    user = request.user
    if not (user.organization_id or is_region_staff(user)):
        raise Http404
    form = _pool_submit_form(user, request.POST if request.method == "POST" else None)
    if request.method == "GET" and request.GET.get("demand"):
        form.initial["demand"] = request.GET["demand"]
    if request.method == "POST":
        return _form_post(
            request, form, call=lambda form: services.pool_entry_submit(
                demand=form.cleaned_data["demand"], by=user, round_=form.cleaned_data["round"],
                note=form.cleaned_data["note"]),
            success=_("已申报入需求项目库，等待区县科技管理部门初审"), done=lambda entry: entry.get_absolute_url(),
            page=lambda: _pool_list_page(request, form))
    return _pool_list_page(request, form)


def _pool_list_page(request, form):
    user = request.user
    status_form = ManageFilterForm(request.GET or None, status_choices=PoolEntry._meta.get_field("status").choices)
    filters = status_form.filters()
    qs = selectors.pool_entries_visible_to(user, status=filters.get("status"))
    if filters.get("q"):
        qs = qs.filter(demand__title__icontains=filters["q"])
    return render(request, "challenges/pool_list.html", {
        **_sidebar(request, "pool"), "form": form, "filter_form": status_form,
        "page_obj": page_of(request, qs),
        "can_submit": bool(form.fields["demand"].choices[1:]),
    })


def _pool_page(request, entry, *, bound=None):
    user = request.user
    actions = _with_urls(workflow_action_panel(entry, user, bound=bound, hidden={"raise"},
                                               review_actions=POOL_REVIEW_ACTIONS),
                         "challenges:pool_action", pk=entry.pk)
    demand = entry.demand
    return render(request, "challenges/pool_detail.html", {
        **_sidebar(request, "pool"), "object": entry, "demand": demand, "actions": actions,
        "challenges": entry.challenges.all(),
        "can_raise": permissions.can_create_challenge(user, demand) and not entry.challenges.exclude(
            status__in=(ChallengeStatus.WITHDRAWN, ChallengeStatus.REJECTED)).exists(),
    })


@login_required
@require_GET
def pool_detail(request, pk: int):
    return _pool_page(request, selectors.pool_entry_get_for_user(user=request.user, pk=pk))


pool_action = _action_view(
    lambda user, pk: selectors.pool_entry_get_for_user(user=user, pk=pk),
    lambda *, record, **kw: services.pool_entry_act(entry=record, **kw), _pool_page, "challenges:pool_detail",
    hidden=frozenset({"raise"}), review_actions=POOL_REVIEW_ACTIONS)


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request):
    """需求征集批次: the bureau opens rounds; staff in scope see them and their entries."""
    user = request.user
    if not is_region_staff(user):
        raise Http404
    from techmarket.accounts.permissions import city_of

    city = city_of(user.region) if user.region_id else None
    can_create = is_bureau_admin(user) and city is not None
    form = RoundForm(request.POST if request.method == "POST" else None)

    def page():
        return render(request, "challenges/round_list.html", {
            **_sidebar(request, "rounds"), "form": form, "can_create": can_create,
            "page_obj": page_of(request, selectors.rounds_visible_to(user)),
        })

    if request.method != "POST":
        return page()
    if not can_create:
        return forbidden(request, PermissionDenied(_("需求征集批次由市科技局管理员创建")))
    return _form_post(
        request, form, call=lambda form: services.round_create(by=user, city=city, data=form.service_data()),
        success=lambda round_: _("已创建征集批次“{t}”，点击“开始征集”后企业即可申报").format(t=round_.title),
        done=lambda round_: reverse("challenges:round_detail", kwargs={"pk": round_.pk}), page=page)


def _round(user, pk) -> CollectionRound:
    if not is_region_staff(user):
        raise Http404
    return selectors.round_get_for_user(user=user, pk=pk)


def _round_page(request, round_, *, bound=None, form=None):
    user = request.user
    actions = _with_urls(workflow_action_panel(round_, user, bound=bound), "challenges:round_action", pk=round_.pk)
    entries = selectors.pool_entries_visible_to(user, round_=round_)
    can_edit = is_bureau_admin(user) and round_.status != "closed"
    return render(request, "challenges/round_detail.html", {
        **_sidebar(request, "rounds"), "object": round_, "actions": actions, "entries": entries,
        "can_edit": can_edit, "form": form or (RoundForm(round_=round_) if can_edit else None),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    user = request.user
    round_ = _round(user, pk)
    if request.method != "POST":
        return _round_page(request, round_)
    form = RoundForm(request.POST, round_=round_)
    return _form_post(
        request, form, call=lambda form: services.round_update(round_=round_, by=user, data=form.service_data()),
        success=_("已保存"), done=reverse("challenges:round_detail", kwargs={"pk": pk}),
        page=lambda: _round_page(request, round_, form=form))


round_action = _action_view(_round, lambda *, record, **kw: services.round_act(round_=record, **kw), _round_page,
                            "challenges:round_detail")

