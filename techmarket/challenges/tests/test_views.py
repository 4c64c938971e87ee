"""Pages of 揭榜挂帅: status codes per role for every page, form errors on their fields, the confidential tier
behind the agreement, reviewer names hidden from applicants, and the project path (award → acceptance) through
the managed page's forms.

Roles: anonymous, the setter (发榜企业), another enterprise, the district officer in and out of scope, the city
bureau and another city's bureau, the panellist (an expert with an account) and the applicant (the institute).
"""
from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from techmarket.challenges import delivery, review, services
from techmarket.challenges.models import (
    AgreementAcceptance,
    Challenge,
    ChallengeApplication,
    CollectionRound,
    Review,
)
from techmarket.demands.tests.factories import demand_in_state
from techmarket.disclosure.models import DisclosureAccess

from . import factories as f

ROLES = ("anonymous", "setter", "other_enterprise", "officer_in", "officer_out", "bureau", "bureau_other",
         "panellist", "applicant")
CONFIDENTIAL = "主轴型号 SP-200"


@pytest.fixture
def who(setter, enterprise, officer_in, officer_out, bureau, bureau_other, expert_user, expert, institution):
    return {"anonymous": None, "setter": setter, "other_enterprise": enterprise, "officer_in": officer_in,
            "officer_out": officer_out, "bureau": bureau, "bureau_other": bureau_other, "panellist": expert_user,
            "applicant": institution}


def as_(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def codes(client, who, url, method="get", data=None) -> dict:
    out = {}
    for role in ROLES:
        response = getattr(as_(client, who[role]), method)(url, data or {})
        out[role] = response.status_code
    return out


def url(name, **kwargs) -> str:
    return reverse(f"challenges:{name}", kwargs=kwargs or None)


def with_panel(challenge, cast):
    review.panel_appoint(challenge=challenge, by=cast.bureau, person=cast.expert)
    return challenge


def scored(challenge, cast):
    """Every application of ``challenge`` (in review, with the expert on its panel) scored and submitted."""
    criteria = list(challenge.criteria.all())
    for application in challenge.applications.filter(status="submitted"):
        saved = review.review_save(application=application, by=cast.expert_user,
                                   scores={c.pk: 80 for c in criteria}, comment="方案可行，团队较强。")
        review.review_submit(review=saved, by=cast.expert_user)
    return challenge


def evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")


def awarded(make_challenge, cast):
    challenge = scored(with_panel(make_challenge("reviewing"), cast), cast)
    winner = challenge.applications.get()
    return review.challenge_award(challenge=challenge, by=cast.setter, winner=winner)


# --- status codes per role ----------------------------------------------------------------------------------


class TestStatusCodesPerRole:
    def test_public_pages_of_a_published_challenge(self, client, who, make_challenge, cast):
        # given a published challenge with the expert on its panel
        challenge = with_panel(make_challenge("published"), cast)
        # then everyone sees the list and the public page
        assert set(codes(client, who, url("list")).values()) == {200}
        assert set(codes(client, who, url("detail", pk=challenge.pk)).values()) == {200}

    def test_a_draft_is_seen_by_its_setter_and_staff_in_scope_only(self, client, who, make_challenge):
        challenge = make_challenge("draft")
        assert codes(client, who, url("detail", pk=challenge.pk)) == {
            "anonymous": 404, "setter": 200, "other_enterprise": 404, "officer_in": 200, "officer_out": 404,
            "bureau": 200, "bureau_other": 404, "panellist": 404, "applicant": 404}
        assert codes(client, who, url("manage_detail", pk=challenge.pk)) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 404, "officer_in": 200, "officer_out": 404,
            "bureau": 200, "bureau_other": 404, "panellist": 404, "applicant": 404}
        assert codes(client, who, url("manage_edit", pk=challenge.pk)) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 404, "officer_in": 403, "officer_out": 404,
            "bureau": 403, "bureau_other": 404, "panellist": 404, "applicant": 404}

    def test_managed_page_of_a_published_challenge(self, client, who, make_challenge, cast):
        challenge = with_panel(make_challenge("published"), cast)
        assert codes(client, who, url("manage_detail", pk=challenge.pk)) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 404, "officer_in": 200, "officer_out": 404,
            "bureau": 200, "bureau_other": 404, "panellist": 200, "applicant": 404}
        # a published challenge is no longer editable, not even by its setter
        assert codes(client, who, url("manage_edit", pk=challenge.pk)) == {
            "anonymous": 302, "setter": 403, "other_enterprise": 404, "officer_in": 403, "officer_out": 404,
            "bureau": 403, "bureau_other": 404, "panellist": 404, "applicant": 404}

    def test_apply_page_is_for_eligible_units(self, client, who, make_challenge):
        challenge = make_challenge("published")
        assert codes(client, who, url("apply", pk=challenge.pk)) == {
            "anonymous": 302, "setter": 403, "other_enterprise": 200, "officer_in": 403, "officer_out": 403,
            "bureau": 403, "bureau_other": 403, "panellist": 403, "applicant": 200}

    def test_create_page_takes_the_setters_published_demand(self, client, who, published_demand, setter, bureau):
        assert codes(client, who, url("manage_create") + f"?demand={published_demand.pk}") == {
            "anonymous": 302, "setter": 200, "other_enterprise": 404, "officer_in": 404, "officer_out": 404,
            "bureau": 404, "bureau_other": 404, "panellist": 404, "applicant": 404}
        # a demand that is not published: its owner is told why
        draft = demand_in_state("draft", owner=setter, reviewer=bureau)
        response = as_(client, setter).get(url("manage_create") + f"?demand={draft.pk}")
        assert response.status_code == 403 and "已发布" in response.content.decode()

    def test_application_page_during_review(self, client, who, make_challenge, cast):
        challenge = with_panel(make_challenge("reviewing"), cast)
        application = challenge.applications.get()
        assert codes(client, who, url("application_detail", pk=application.pk)) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 404, "officer_in": 200, "officer_out": 404,
            "bureau": 200, "bureau_other": 404, "panellist": 200, "applicant": 200}

    def test_setter_does_not_see_applications_while_applications_are_open(self, client, make_challenge, cast):
        challenge = make_challenge("published")
        application = f.submitted_application(challenge=challenge, by=cast.applicant)
        assert as_(client, cast.setter).get(url("application_detail", pk=application.pk)).status_code == 404
        assert as_(client, cast.applicant).get(url("application_detail", pk=application.pk)).status_code == 200

    def test_lists_inbox_pool_and_rounds(self, client, who, make_challenge, cast):
        with_panel(make_challenge("published"), cast)
        assert codes(client, who, url("manage_list")) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 200, "officer_in": 200, "officer_out": 200,
            "bureau": 200, "bureau_other": 200, "panellist": 200, "applicant": 200}
        assert codes(client, who, url("review_inbox")) == {
            "anonymous": 302, "setter": 404, "other_enterprise": 404, "officer_in": 404, "officer_out": 404,
            "bureau": 404, "bureau_other": 404, "panellist": 200, "applicant": 404}
        assert codes(client, who, url("pool_list")) == {
            "anonymous": 302, "setter": 200, "other_enterprise": 200, "officer_in": 200, "officer_out": 200,
            "bureau": 200, "bureau_other": 200, "panellist": 404, "applicant": 200}
        assert codes(client, who, url("round_list")) == {
            "anonymous": 302, "setter": 404, "other_enterprise": 404, "officer_in": 200, "officer_out": 200,
            "bureau": 200, "bureau_other": 200, "panellist": 404, "applicant": 404}

    def test_actions_are_404_out_of_scope_and_403_when_forbidden(self, client, who, make_challenge):
        challenge = make_challenge("pre_approved")
        publish = url("manage_action", pk=challenge.pk, action="publish")
        assert codes(client, who, publish, method="post") == {
            "anonymous": 302, "setter": 403, "other_enterprise": 404, "officer_in": 403, "officer_out": 404,
            "bureau": 302, "bureau_other": 404, "panellist": 404, "applicant": 404}
        challenge.refresh_from_db()
        assert challenge.status == "published"

    def test_panel_and_award_posts_are_refused_to_others(self, client, make_challenge, cast, officer_in, enterprise):
        challenge = with_panel(make_challenge("reviewing"), cast)
        # the district officer may not appoint (the city does), the other enterprise does not see the challenge
        response = as_(client, officer_in).post(url("panel_appoint", pk=challenge.pk), {"person": cast.expert.pk})
        assert response.status_code == 403
        assert as_(client, enterprise).post(url("award", pk=challenge.pk), {}).status_code == 404
        # the applicant may not score
        application = challenge.applications.get()
        response = as_(client, cast.applicant).post(url("application_review", pk=application.pk), {"comment": "x"})
        assert response.status_code == 403
        assert not Review.objects.exists()


# --- forms with bad input ----------------------------------------------------------------------------------


def challenge_form(**overrides) -> dict:
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "主轴热变形补偿揭榜", "problem_statement": "主轴温升导致加工精度下降。", "keywords": "数控机床、热变形",
            "budget_min": "30", "budget_max": "80", "application_deadline": deadline, "duration_months": "12",
            "ip_terms": "shared", "ip_terms_note": "", "eligible_region": "", "eligibility_note": "",
            "agreement_text": "", "confidential_detail": CONFIDENTIAL,
            "indicators-TOTAL_FORMS": "1", "indicators-INITIAL_FORMS": "0",
            "indicators-0-name": "定位误差", "indicators-0-target": "≤5", "indicators-0-unit": "μm",
            "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


class TestFormsShowFieldErrors:
    def test_create_saves_a_draft_with_the_demand_prefilled(self, client, published_demand, setter):
        page = as_(client, setter).get(url("manage_create") + f"?demand={published_demand.pk}").content.decode()
        assert published_demand.title in page  # pre-filled from the demand
        response = client.post(url("manage_create") + f"?demand={published_demand.pk}", challenge_form())
        challenge = Challenge.objects.get()
        assert response.status_code == 302 and response["Location"] == url("manage_detail", pk=challenge.pk)
        assert challenge.budget_min_fen == 30_000_000 and challenge.budget_max_fen == 80_000_000
        assert challenge.indicators == [{"name": "定位误差", "target": "≤5", "unit": "μm"}]
        assert challenge.criteria.count() == 5  # the default criteria
        assert challenge.tech_field_id == published_demand.tech_field_id

    @pytest.mark.parametrize("overrides, field, message", [
        ({"budget_min": "90"}, "budget_min", "合同金额下限不能高于上限"),
        ({"application_deadline": "2020-01-01T09:00"}, "application_deadline", "揭榜截止时间应晚于当前时间"),
        ({"duration_months": "0"}, "duration_months", None),
        ({"title": ""}, "title", None),
    ])
    def test_create_with_bad_input_shows_the_field_error(self, client, published_demand, setter, overrides, field,
                                                          message):
        response = as_(client, setter).post(url("manage_create") + f"?demand={published_demand.pk}",
                                            challenge_form(**overrides))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        if message:
            assert message in errors[field][0]
        assert f'id="id_{field}_errors"' in response.content.decode()
        assert not Challenge.objects.exists()

    def test_criteria_not_summing_to_100_go_on_the_criteria_rows(self, client, published_demand, setter):
        data = challenge_form(**{"criteria-TOTAL_FORMS": "2", "criteria-0-name": "方案", "criteria-0-weight": "50",
                                 "criteria-1-name": "团队", "criteria-1-weight": "20"})
        response = as_(client, setter).post(url("manage_create") + f"?demand={published_demand.pk}", data)
        assert response.status_code == 200
        assert "应为 100" in " ".join(response.context["criteria"].non_form_errors())
        assert not Challenge.objects.exists()

    def test_add_row_posts_back_without_saving(self, client, published_demand, setter):
        response = as_(client, setter).post(url("manage_create") + f"?demand={published_demand.pk}",
                                            challenge_form(add_row="indicators"))
        assert response.status_code == 200 and response.context["indicators"].total_form_count() == 2
        assert not Challenge.objects.exists()

    def test_agreement_must_be_ticked(self, client, make_challenge, enterprise):
        challenge = make_challenge("published")
        response = as_(client, enterprise).post(url("apply", pk=challenge.pk), {})
        assert response.status_code == 200 and "请勾选接受揭榜协议" in response.content.decode()
        assert not AgreementAcceptance.objects.exists()

    def test_price_above_the_budget_is_refused_on_the_price_field(self, client, make_challenge, cast):
        challenge = make_challenge("published")
        services.agreement_accept(challenge=challenge, by=cast.applicant)
        data = {"technical_plan": "热误差补偿方案", "price": "900000.00", "duration_months": "10",
                "contact": str(cast.researcher.pk),
                "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
                "team-TOTAL_FORMS": "1", "team-INITIAL_FORMS": "0", "team-0-person": str(cast.researcher.pk),
                "team-0-role": "负责人", "team-0-is_leader": "on",
                "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "0",
                "milestones-0-title": "样机", "milestones-0-month": "10", "save": "1"}
        response = as_(client, cast.applicant).post(url("apply", pk=challenge.pk), data)
        assert response.status_code == 200
        assert "报价不能高于榜单合同金额上限" in response.context["form"].errors["price"][0]
        assert not ChallengeApplication.objects.exists()
        # and with a price inside the budget the draft is saved with its team and milestones
        response = client.post(url("apply", pk=challenge.pk), {**data, "price": "500000.00"})
        application = ChallengeApplication.objects.get()
        assert response.status_code == 302 and response["Location"] == url("application_detail", pk=application.pk)
        assert application.price_fen == 50_000_000 and application.team.get().is_leader
        assert application.planned_milestones.get().month == 10

    def test_score_out_of_range_shows_the_field_error(self, client, make_challenge, cast):
        challenge = with_panel(make_challenge("reviewing"), cast)
        application = challenge.applications.get()
        first = challenge.criteria.first()
        response = as_(client, cast.expert_user).post(url("application_review", pk=application.pk),
                                                      {f"score_{first.pk}": "101", "comment": "好"})
        assert response.status_code == 200 and f"score_{first.pk}" in response.context["score_form"].errors
        assert not Review.objects.exists()

    def test_submitting_scores_without_a_comment_is_refused(self, client, make_challenge, cast):
        challenge = with_panel(make_challenge("reviewing"), cast)
        application = challenge.applications.get()
        data = {f"score_{c.pk}": "80" for c in challenge.criteria.all()}
        response = as_(client, cast.expert_user).post(url("application_review", pk=application.pk),
                                                      {**data, "submit": "1"})
        assert response.status_code == 200 and response.context["score_form"].errors
        assert not Review.objects.filter(status="submitted").exists()

    def test_award_without_a_winner_shows_the_field_error(self, client, make_challenge, cast):
        challenge = scored(with_panel(make_challenge("reviewing"), cast), cast)
        response = as_(client, cast.setter).post(url("award", pk=challenge.pk), {"winner": ""})
        assert response.status_code == 200 and "winner" in response.context["award_form"].errors
        challenge.refresh_from_db()
        assert challenge.status == "reviewing"

    def test_return_without_a_comment_keeps_the_state(self, client, make_challenge, officer_in):
        challenge = make_challenge("submitted")
        response = as_(client, officer_in).post(url("manage_action", pk=challenge.pk, action="return"), {})
        assert response.status_code == 200 and "请填写意见" in response.content.decode()
        challenge.refresh_from_db()
        assert challenge.status == "submitted"


# --- the confidential tier and the panel's anonymity -------------------------------------------------------


class TestConfidentialAndAnonymity:
    def test_confidential_detail_only_after_the_agreement(self, client, make_challenge, enterprise):
        challenge = make_challenge("published")
        page = as_(client, enterprise).get(url("detail", pk=challenge.pk)).content.decode()
        assert CONFIDENTIAL not in page and "接受揭榜协议并揭榜" in page
        assert "主轴型号" not in as_(client, None).get(url("detail", pk=challenge.pk)).content.decode()
        # when the unit accepts the agreement
        response = as_(client, enterprise).post(url("apply", pk=challenge.pk), {"agree": "on"})
        assert response.status_code == 302
        page = client.get(url("detail", pk=challenge.pk)).content.decode()
        # then the detail is shown and the showing is logged
        assert CONFIDENTIAL in page and "填写揭榜申请" in page
        assert DisclosureAccess.objects.filter(user=enterprise, object_id=str(challenge.pk)).count() == 1

    def test_reviewer_names_never_reach_the_applicant(self, client, make_challenge, cast):
        challenge = awarded(make_challenge, cast)
        application = challenge.applications.get()
        name = cast.expert.name
        for page_url in (url("application_detail", pk=application.pk), url("detail", pk=challenge.pk),
                         url("manage_list") + "?tab=applications"):
            text = as_(client, cast.applicant).get(page_url).content.decode()
            assert name not in text, page_url
        text = client.get(url("application_detail", pk=application.pk)).content.decode()
        assert "专家1" in text  # the scores are shown anonymised
        # while the bureau sees the names
        assert name in as_(client, cast.bureau).get(url("application_detail", pk=application.pk)).content.decode()

    def test_setter_sees_the_ranking_with_anonymous_reviewers(self, client, make_challenge, cast):
        challenge = scored(with_panel(make_challenge("reviewing"), cast), cast)
        text = as_(client, cast.setter).get(url("manage_detail", pk=challenge.pk)).content.decode()
        assert 'id="ranking"' in text and 'id="award-form"' in text
        assert cast.expert.name not in text


    def test_the_bureau_sees_a_panellist_fallen_into_conflict(self, client, make_challenge, cast, university_org):
        # given: the panel's expert is appointed, then a university joins an application as the expert's unit
        from techmarket.challenges.tests.test_review import expert_person

        challenge = make_challenge("published")
        insider = expert_person("郑教授", organization=university_org, username="expert-late")
        review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        f.submitted_application(challenge=challenge, by=cast.applicant,
                                members=[{"organization": university_org, "responsibility": "测试"}])
        # when / then: the panel table flags the conflict for the bureau, the enterprise sees no names
        page = as_(client, cast.bureau).get(url("manage_detail", pk=challenge.pk)).content.decode()
        assert 'class="text-danger panel-conflict"' in page and "揭榜联合体成员" in page
        page = as_(client, cast.setter).get(url("manage_detail", pk=challenge.pk)).content.decode()
        assert "panel-conflict" not in page and "郑教授" not in page


# --- the project after the award, through the managed page --------------------------------------------------


class TestProjectPath:
    def test_start_milestones_and_acceptance(self, client, make_challenge, cast):
        # given an awarded challenge with its pre-filled contract
        challenge = awarded(make_challenge, cast)
        assert challenge.contract_id is not None
        page = as_(client, cast.setter).get(url("manage_detail", pk=challenge.pk)).content.decode()
        assert 'id="contract-link"' in page and 'id="start-form"' in page
        # when the setter records the signing
        response = client.post(url("start", pk=challenge.pk), {"signed_on": timezone.localdate().isoformat()})
        assert response.status_code == 302
        challenge.refresh_from_db()
        assert challenge.status == "in_progress"
        # and the winner (who reaches the project's page) reports each milestone, which the setter confirms
        page = as_(client, cast.applicant).get(url("manage_detail", pk=challenge.pk)).content.decode()
        assert "提交完成情况" in page and cast.expert.name not in page
        first = challenge.milestones.first()
        response = client.post(url("milestone_report", pk=challenge.pk, milestone_pk=first.pk), {"report": "已完成"})
        assert response.status_code == 200 and "请先上传佐证材料" in response.content.decode()
        for milestone in challenge.milestones.all():
            response = as_(client, cast.applicant).post(
                url("milestone_report", pk=challenge.pk, milestone_pk=milestone.pk),
                {"report": "已完成", "file": evidence()})
            assert response.status_code == 302
            response = as_(client, cast.setter).post(url("milestone_confirm", pk=challenge.pk,
                                                         milestone_pk=milestone.pk))
            assert response.status_code == 302
        assert set(challenge.milestones.values_list("status", flat=True)) == {"confirmed"}
        # then the bureau organises acceptance, the panellist gives an opinion and the bureau decides
        as_(client, cast.bureau).post(url("acceptance_organise", pk=challenge.pk),
                                      {"held_on": timezone.localdate().isoformat()})
        as_(client, cast.expert_user).post(url("acceptance_opinion", pk=challenge.pk),
                                           {"outcome": "passed", "opinion": "指标全部达到。"})
        response = as_(client, cast.bureau).post(url("acceptance_decide", pk=challenge.pk),
                                                 {"outcome": "extended", "conclusion": "补充材料"})
        assert response.status_code == 200 and "extended_to" in response.context["decide_form"].errors
        response = client.post(url("acceptance_decide", pk=challenge.pk),
                               {"outcome": "passed", "conclusion": "验收通过。"})
        assert response.status_code == 302
        challenge.refresh_from_db()
        assert challenge.status == "accepted"
        public = as_(client, None).get(url("detail", pk=challenge.pk)).content.decode()
        assert challenge.winner.organization.name in public and "验收通过" in public

    def test_milestone_report_by_someone_else_is_refused(self, client, make_challenge, cast):
        challenge = awarded(make_challenge, cast)
        delivery.challenge_start(challenge=challenge, by=cast.setter, signed_on=timezone.localdate())
        milestone = challenge.milestones.first()
        response = as_(client, cast.setter).post(url("milestone_report", pk=challenge.pk, milestone_pk=milestone.pk),
                                                 {"report": "已完成"})
        assert response.status_code == 403
        milestone.refresh_from_db()
        assert milestone.status == "pending"


# --- the pool and its rounds ---------------------------------------------------------------------------------


class TestPoolAndRounds:
    def test_enterprise_submits_its_demand_and_the_officer_pre_approves(self, client, published_demand, setter,
                                                                       officer_in, officer_out):
        page = as_(client, setter).get(url("pool_list") + f"?demand={published_demand.pk}").content.decode()
        assert published_demand.title in page
        response = client.post(url("pool_list"), {"demand": published_demand.pk, "round": "", "note": "急需"})
        entry = published_demand.__class__.objects.get(pk=published_demand.pk).pool_entry
        assert response.status_code == 302 and response["Location"] == url("pool_detail", pk=entry.pk)
        assert as_(client, officer_out).get(url("pool_detail", pk=entry.pk)).status_code == 404
        response = as_(client, officer_in).post(url("pool_action", pk=entry.pk, action="pre_approve"), {})
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.status == "pre_approved"

    def test_bureau_creates_a_round_and_bad_dates_show_on_the_field(self, client, bureau, officer_in):
        past = "2020-01-01T09:00"
        response = as_(client, bureau).post(url("round_list"), {"title": "2025年第一批", "opens_on": "2020-01-01",
                                                                "deadline": past})
        assert response.status_code == 200 and "deadline" in response.context["form"].errors
        deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
        response = client.post(url("round_list"), {"title": "2025年第一批", "opens_on": timezone.localdate().isoformat(),
                                                   "deadline": deadline})
        round_ = CollectionRound.objects.get()
        assert response.status_code == 302 and response["Location"] == url("round_detail", pk=round_.pk)
        assert "开始征集" in client.get(url("round_detail", pk=round_.pk)).content.decode()
        assert client.post(url("round_action", pk=round_.pk, action="open"), {}).status_code == 302
        round_.refresh_from_db()
        assert round_.status == "open"
        # a district officer sees the round but may not create one
        assert as_(client, officer_in).post(url("round_list"), {"title": "区级征集"}).status_code == 403
