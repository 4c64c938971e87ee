"""The panel, its scores and the award (开榜): conflicts of interest, hidden scores, the ranking, the award's
transaction (coded feedback, pre-filled contract, milestones, notifications).

The helpers at the top (``expert_person``, ``reviewing``, ``score_all``, ``awarded``) are shared with
test_delivery.py and test_support.py.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from techmarket.accounts.roles import Role
from techmarket.challenges import review, services
from techmarket.challenges.choices import ApplicationStatus, ChallengeStatus, MilestoneStatus
from techmarket.challenges.models import ChallengeApplication, Review
from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.core.tests import factories
from techmarket.core.workflows import available_actions
from techmarket.notifications.models import Notification

from . import factories as f

pytestmark = pytest.mark.django_db

SCORES = {"技术方案可行性": 80, "研发团队能力": 70, "指标承诺": 90, "报价合理性": 60, "进度安排": 100}


# --- helpers (shared with test_delivery.py and test_support.py) ------------------------------------------------

def expert_person(name: str, *, organization, username: str):
    """An expert of the talent registry with an account, working for ``organization``."""
    user = factories.user(username, roles=[Role.EXPERT], name=name)
    return f.person(name, organization=organization, kind="expert", user=user)


def reviewing(cast, make_challenge, *, applicants, panel=(), **application_overrides):
    """A challenge in review with one submitted application per user of ``applicants`` and ``panel``
    (people) appointed by the bureau while it was published. Returns (challenge, applications)."""
    challenge = make_challenge("published")
    for person in panel:
        review.panel_appoint(challenge=challenge, by=cast.bureau, person=person)
    applications = [f.submitted_application(challenge=challenge, by=user, **application_overrides)
                    for user in applicants]
    challenge = f.close_applications(challenge, by=cast.bureau)
    assert challenge.status == ChallengeStatus.REVIEWING
    return challenge, applications


def scores_for(challenge, by_name=None) -> dict[int, int]:
    by_name = by_name or SCORES
    return {c.pk: by_name[c.name] for c in challenge.criteria.all()}


def score(application, user, by_name=None, comment="方案可行，团队较强。") -> Review:
    saved = review.review_save(application=application, by=user, scores=scores_for(application.challenge, by_name),
                               comment=comment)
    return review.review_submit(review=saved, by=user)


def score_all(challenge, users) -> None:
    for application in challenge.applications.filter(status=ApplicationStatus.SUBMITTED):
        for user in users:
            score(application, user)


def awarded(cast, make_challenge, *, expert=None):
    """A challenge awarded to ``cast.applicant``'s application after ``cast.expert`` (or ``expert``) scored it.
    Returns (challenge, winner application)."""
    expert = expert or cast.expert
    challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant], panel=[expert])
    score(application, expert.user)
    challenge = review.challenge_award(challenge=challenge, by=cast.setter, winner=application, comment="综合评分第一")
    application.refresh_from_db()
    return challenge, application


# --- conflicts of interest -----------------------------------------------------------------------------------

class TestConflictOfInterest:
    def test_an_expert_of_the_setting_enterprise_is_refused(self, cast, make_challenge, setter_org):
        # given
        challenge = make_challenge("published")
        insider = expert_person("钱工", organization=setter_org, username="expert-setter")
        # when
        with pytest.raises(ApplicationError) as exc:
            review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        # then
        error = exc.value.errors[0]
        assert (error.field, error.code) == ("person", "conflict_of_interest")
        assert "发榜企业" in error.message and setter_org.name in error.message
        assert not challenge.panel.exists()

    def test_an_expert_of_an_applicant_is_refused(self, cast, make_challenge, institution_org):
        challenge = make_challenge("published")
        f.submitted_application(challenge=challenge, by=cast.applicant)
        insider = expert_person("孙研究员", organization=institution_org, username="expert-applicant")
        with pytest.raises(ApplicationError) as exc:
            review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        assert "揭榜单位" in exc.value.errors[0].message and institution_org.name in exc.value.errors[0].message

    def test_an_expert_of_a_consortium_member_is_refused(self, cast, make_challenge, university_org):
        challenge = make_challenge("published")
        f.submitted_application(challenge=challenge, by=cast.applicant,
                                members=[{"organization": university_org, "responsibility": "样机测试"}])
        insider = expert_person("李教授", organization=university_org, username="expert-member")
        with pytest.raises(ApplicationError) as exc:
            review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        assert "联合体成员" in exc.value.errors[0].message

    def test_a_team_member_is_refused_even_after_changing_unit(self, cast, make_challenge, institution_org, expert):
        # given: the team leader moved to the expert's institute after the application was made
        challenge = make_challenge("published")
        leader = expert_person("周研究员", organization=institution_org, username="expert-team")
        f.submitted_application(challenge=challenge, by=cast.applicant, leader=leader)
        leader.organization = expert.organization
        leader.save(update_fields=["organization"])
        # when / then
        with pytest.raises(ApplicationError) as exc:
            review.panel_appoint(challenge=challenge, by=cast.bureau, person=leader)
        assert "团队成员" in exc.value.errors[0].message
        assert review.conflict_reason(challenge=challenge, person=expert) is None

    def test_a_withdrawn_application_no_longer_conflicts(self, cast, make_challenge, institution_org):
        challenge = make_challenge("published")
        application = f.submitted_application(challenge=challenge, by=cast.applicant)
        insider = expert_person("吴研究员", organization=institution_org, username="expert-withdrawn")
        services.application_act(application=application, action="withdraw", by=cast.applicant)
        member = review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        assert member.person == insider

    def test_conflict_arising_after_appointment_blocks_scoring(self, cast, make_challenge, university_org):
        # given: an expert of the university is appointed before the university joins a consortium
        challenge = make_challenge("published")
        insider = expert_person("郑教授", organization=university_org, username="expert-late")
        review.panel_appoint(challenge=challenge, by=cast.bureau, person=insider)
        application = f.submitted_application(challenge=challenge, by=cast.applicant,
                                               members=[{"organization": university_org, "responsibility": "测试"}])
        f.close_applications(challenge, by=cast.bureau)
        application.refresh_from_db()
        # when / then
        with pytest.raises(PermissionDenied, match="利益冲突"):
            review.review_save(application=application, by=insider.user, scores=scores_for(challenge))
        assert not Review.objects.exists()
        # and the award says why it waits, without naming the expert to the enterprise
        assert review.conflicted_members(challenge) == {
            challenge.panel.get(person=insider).pk: "郑教授所在单位“{o}”是揭榜联合体成员".format(o=university_org.name)}
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=application)
        message = exc.value.errors[0].message
        assert "1 名评审专家与揭榜单位存在利益冲突" in message and "郑教授" not in message

    def test_an_expert_without_account_cannot_be_appointed(self, cast, make_challenge, expert):
        challenge = make_challenge("published")
        offline = f.person("冯专家", organization=expert.organization, kind="expert")
        with pytest.raises(ApplicationError, match="账号"):
            review.panel_appoint(challenge=challenge, by=cast.bureau, person=offline)

    @pytest.mark.parametrize("who", ["setter", "officer", "applicant"])
    def test_only_the_city_bureau_appoints(self, cast, make_challenge, who):
        challenge = make_challenge("published")
        with pytest.raises(PermissionDenied):
            review.panel_appoint(challenge=challenge, by=getattr(cast, who), person=cast.expert)

    def test_candidates_show_their_conflict(self, cast, make_challenge, setter_org, reindex):
        # given: two experts on the challenge's subject, one of them working for the setter
        challenge = make_challenge("published")
        insider = expert_person("钱工", organization=setter_org, username="expert-setter")
        insider.expertise = cast.expert.expertise
        insider.save(update_fields=["expertise"])
        insider.tech_fields.set(cast.expert.tech_fields.all())
        reindex()
        # when
        candidates = dict(review.panel_candidates(challenge=challenge))
        # then
        assert cast.expert in candidates and candidates[cast.expert] is None
        if insider in candidates:  # matching leaves out people of the setter itself; if listed, flagged
            assert "发榜企业" in candidates[insider]
        review.panel_appoint(challenge=challenge, by=cast.bureau, person=cast.expert)
        assert cast.expert not in dict(review.panel_candidates(challenge=challenge))


# --- scoring -------------------------------------------------------------------------------------------------

class TestScoring:
    def test_submit_computes_the_weighted_total_and_the_ranking(self, cast, make_challenge, university):
        # given: two applications, one panellist
        challenge, (first, second) = reviewing(cast, make_challenge, applicants=[cast.applicant, university],
                                               panel=[cast.expert])
        # when
        a = score(first, cast.expert_user)
        b = score(second, cast.expert_user, by_name={**SCORES, "指标承诺": 50})
        # then: 80×30 + 70×25 + 90×20 + 60×15 + 100×10 = 7850 → 78.50; with 50 for 指标承诺 → 70.50
        assert a.total == Decimal("78.50") and b.total == Decimal("70.50")
        assert a.status == "submitted" and a.submitted_at is not None
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.score, first.rank, second.score, second.rank) == (Decimal("78.50"), 1, Decimal("70.50"), 2)
        assert StatusChange.objects.filter(action="submit", object_id=str(a.pk), to_status="submitted").exists()

    def test_the_score_is_the_mean_of_the_submitted_reviews(self, cast, make_challenge, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[expert, other])
        score(application, expert.user)
        review.review_save(application=application, by=other.user, scores=scores_for(challenge, {
            k: 100 for k in SCORES}), comment="很好")
        application.refresh_from_db()
        assert application.score == Decimal("78.50")  # the draft does not count
        review.review_submit(review=Review.objects.get(member__person=other), by=other.user)
        application.refresh_from_db()
        assert application.score == Decimal("89.25")  # (78.50 + 100) / 2

    @pytest.mark.parametrize("scores, field", [({"技术方案可行性": 101}, "scores."), ({"技术方案可行性": -1}, "scores."),
                                               ({"技术方案可行性": "高"}, "scores.")])
    def test_scores_outside_0_to_100_are_refused(self, cast, make_challenge, scores, field):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        criteria = {c.name: c.pk for c in challenge.criteria.all()}
        with pytest.raises(ApplicationError) as exc:
            review.review_save(application=application, by=cast.expert_user,
                               scores={criteria[k]: v for k, v in scores.items()})
        assert exc.value.errors[0].field.startswith(field)

    def test_a_criterion_of_another_challenge_is_refused(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        with pytest.raises(ApplicationError, match="不属于本榜单"):
            review.review_save(application=application, by=cast.expert_user, scores={999999: 50})

    def test_submit_needs_every_criterion_and_a_comment(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        partial = {c.pk: 50 for c in challenge.criteria.all() if c.name != "进度安排"}
        draft = review.review_save(application=application, by=cast.expert_user, scores=partial, comment="")
        with pytest.raises(ApplicationError, match="进度安排"):
            review.review_submit(review=draft, by=cast.expert_user)
        draft = review.review_save(application=application, by=cast.expert_user, scores=scores_for(challenge))
        with pytest.raises(ApplicationError) as exc:
            review.review_submit(review=draft, by=cast.expert_user)
        assert exc.value.errors[0].field == "comment"

    def test_a_submitted_review_cannot_change(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        with pytest.raises(ApplicationError, match="已提交"):
            review.review_save(application=application, by=cast.expert_user, scores=scores_for(challenge))

    def test_only_panellists_score_and_only_their_own_review(self, cast, make_challenge, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant], panel=[expert])
        with pytest.raises(PermissionDenied):
            review.review_save(application=application, by=other.user, scores=scores_for(challenge))
        with pytest.raises(PermissionDenied):
            review.review_save(application=application, by=cast.bureau, scores=scores_for(challenge))
        draft = review.review_save(application=application, by=expert.user, scores=scores_for(challenge), comment="好")
        with pytest.raises(PermissionDenied):
            review.review_submit(review=draft, by=cast.setter)

    def test_scoring_waits_for_the_close_of_applications(self, cast, make_challenge):
        challenge = make_challenge("published")
        review.panel_appoint(challenge=challenge, by=cast.bureau, person=cast.expert)
        application = f.submitted_application(challenge=challenge, by=cast.applicant)
        with pytest.raises(ApplicationError) as exc:
            review.review_save(application=application, by=cast.expert_user, scores=scores_for(challenge))
        assert exc.value.errors[0].code == "invalid_state"

    def test_a_removed_panellist_stops_counting(self, cast, make_challenge, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[expert, other])
        score(application, expert.user)
        score(application, other.user, by_name={k: 100 for k in SCORES})
        member = challenge.panel.get(person=other)
        with pytest.raises(ApplicationError):  # a comment is required
            review.panel_remove(member=member, by=cast.bureau, comment="")
        review.panel_remove(member=member, by=cast.bureau, comment="回避")
        application.refresh_from_db()
        assert application.score == Decimal("78.50")
        with pytest.raises(PermissionDenied):
            review.review_save(application=application, by=other.user, scores=scores_for(challenge))


class TestCriteria:
    def test_weights_must_sum_to_100(self, cast, make_challenge):
        challenge = make_challenge("published")
        with pytest.raises(ApplicationError) as exc:
            review.criteria_set(challenge=challenge, by=cast.bureau, rows=[{"name": "技术方案", "weight": 60},
                                                                           {"name": "报价", "weight": 30}])
        assert exc.value.errors[0].field == "criteria"

    def test_a_kept_criterion_keeps_its_draft_score(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        draft = review.review_save(application=application, by=cast.expert_user, scores=scores_for(challenge))
        kept = review.criteria_set(challenge=challenge, by=cast.bureau, rows=[
            {"name": "技术方案可行性", "weight": 60}, {"name": "报价合理性", "weight": 40}])
        draft.refresh_from_db()
        assert {c.name: c.weight for c in kept} == {"技术方案可行性": 60, "报价合理性": 40}
        assert draft.scores == {str(c.pk): SCORES[c.name] for c in kept}

    def test_a_criterion_renamed_by_id_keeps_its_draft_score(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        draft = review.review_save(application=application, by=cast.expert_user, scores=scores_for(challenge))
        plan = challenge.criteria.get(name="技术方案可行性")
        kept = review.criteria_set(challenge=challenge, by=cast.bureau, rows=[
            {"id": plan.pk, "name": "技术路线可行性", "weight": 100}])
        draft.refresh_from_db()
        assert [(c.pk, c.name) for c in kept] == [(plan.pk, "技术路线可行性")]
        assert draft.scores == {str(plan.pk): 80}

    def test_locked_once_a_review_is_submitted(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        with pytest.raises(ApplicationError) as exc:
            review.criteria_set(challenge=challenge, by=cast.bureau, rows=[{"name": "综合", "weight": 100}])
        assert exc.value.errors[0].code == "locked"

    def test_the_setter_edits_only_its_draft(self, cast, make_challenge):
        draft = make_challenge("draft")
        assert len(review.criteria_set(challenge=draft, by=cast.setter, rows=[{"name": "综合", "weight": 100}])) == 1
        published = make_challenge("published")
        with pytest.raises(PermissionDenied):
            review.criteria_set(challenge=published, by=cast.setter, rows=[{"name": "综合", "weight": 100}])


# --- hidden scores and who reads reviews ---------------------------------------------------------------------

class TestHiddenScores:
    def test_a_panellist_sees_others_only_after_submitting_its_own(self, cast, make_challenge, expert):
        # given: two panellists; the first has submitted
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[expert, other])
        score(application, expert.user)
        # when / then: the second sees nothing before writing, then only its own draft
        assert review.reviews_visible_to(user=other.user, application=application) == []
        review.review_save(application=application, by=other.user, scores=scores_for(challenge), comment="草稿")
        rows = review.reviews_visible_to(user=other.user, application=application)
        assert [(r["reviewer"], r["is_own"], r["status"]) for r in rows] == [("陈专家", True, "draft")]
        # and the first does not see the second's draft
        rows = review.reviews_visible_to(user=expert.user, application=application)
        assert [r["reviewer"] for r in rows] == ["赵专家"]
        # once the second submits, each sees both
        review.review_submit(review=Review.objects.get(member__person=other), by=other.user)
        assert {r["reviewer"] for r in review.reviews_visible_to(user=other.user, application=application)} == {
            "赵专家", "陈专家"}
        assert {r["reviewer"] for r in review.reviews_visible_to(user=expert.user, application=application)} == {
            "赵专家", "陈专家"}

    def test_staff_see_names_the_setter_sees_them_anonymised(self, cast, make_challenge, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[expert, other])
        score(application, expert.user)
        review.review_save(application=application, by=other.user, scores=scores_for(challenge), comment="草稿")
        staff = review.reviews_visible_to(user=cast.bureau, application=application)
        assert [(r["reviewer"], r["total"]) for r in staff] == [("赵专家", Decimal("78.50"))]
        setter = review.reviews_visible_to(user=cast.setter, application=application)
        assert [r["reviewer"] for r in setter] == ["专家1"]
        assert "赵专家" not in repr(setter) and "陈专家" not in repr(setter)

    def test_applicants_never_see_reviewer_names(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        assert review.reviews_visible_to(user=cast.applicant, application=application) == []  # under review
        review.challenge_award(challenge=challenge, by=cast.setter, winner=application)
        application = ChallengeApplication.objects.get(pk=application.pk)
        rows = review.reviews_visible_to(user=cast.applicant, application=application)
        assert [r["reviewer"] for r in rows] == ["专家1"]
        assert "赵专家" not in repr(rows)

    def test_strangers_see_nothing(self, cast, make_challenge, enterprise):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        assert review.reviews_visible_to(user=enterprise, application=application) == []

    def test_ranking_for_staff_and_setter_only(self, cast, make_challenge, university, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (first, second) = reviewing(cast, make_challenge, applicants=[cast.applicant, university],
                                               panel=[expert, other])
        score(second, expert.user)
        rows = review.ranking(challenge=challenge, user=cast.bureau)
        assert [(r["application"], r["rank"], r["submitted_reviews"], r["expected_reviews"]) for r in rows] == [
            (second, 1, 1, 2), (first, None, 0, 2)]
        assert review.ranking(challenge=challenge, user=cast.setter)[0]["application"] == second
        for user in (cast.applicant, university, expert.user):
            with pytest.raises(PermissionDenied):
                review.ranking(challenge=challenge, user=user)


# --- the award (开榜) -----------------------------------------------------------------------------------------

class TestAward:
    def test_refused_while_a_panellist_has_not_reviewed_everything(self, cast, make_challenge, university, expert):
        other = expert_person("陈专家", organization=expert.organization, username="expert-2")
        challenge, (first, second) = reviewing(cast, make_challenge, applicants=[cast.applicant, university],
                                               panel=[expert, other])
        score_all(challenge, [expert.user])
        score(first, other.user)
        assert "award" not in available_actions(challenge, cast.setter)
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=first)
        assert exc.value.errors[0].code == "reviews_missing" and "1 份" in exc.value.errors[0].message
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.REVIEWING and challenge.contract_id is None
        score(second, other.user)
        assert "award" in available_actions(challenge, cast.setter)

    def test_refused_without_a_panel(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant])
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=application)
        assert exc.value.errors[0].code == "no_panel"

    @pytest.mark.parametrize("who", ["bureau", "applicant", "expert_user"])
    def test_only_the_setter_awards(self, cast, make_challenge, who):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        with pytest.raises(PermissionDenied):
            review.challenge_award(challenge=challenge, by=getattr(cast, who), winner=application)

    def test_award_moves_everyone_with_coded_feedback(self, cast, make_challenge, university, enterprise,
                                                      django_capture_on_commit_callbacks):
        # given: three applications scored
        challenge, (first, second, third) = reviewing(cast, make_challenge,
                                                      applicants=[cast.applicant, university, enterprise],
                                                      panel=[cast.expert])
        score_all(challenge, [cast.expert_user])
        # when
        with django_capture_on_commit_callbacks(execute=True):
            challenge = review.challenge_award(challenge=challenge, by=cast.setter, winner=first, comment="择优",
                                               feedback={second.pk: ("price_high", "报价高于同类方案")})
        # then
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED
        assert challenge.winner == first and challenge.awarded_at is not None
        statuses = dict(ChallengeApplication.objects.filter(challenge=challenge).values_list("pk", "status"))
        assert statuses == {first.pk: "awarded", second.pk: "not_awarded", third.pk: "not_awarded"}
        second.refresh_from_db()
        third.refresh_from_db()
        assert (second.feedback_code, second.feedback) == ("price_high", "报价高于同类方案")
        assert (third.feedback_code, third.feedback) == ("lower_score", "")
        change = StatusChange.objects.get(object_id=str(second.pk), action="not_award")
        assert change.reason_code == "price_high" and change.actor == cast.setter
        # the losers are told their coded reason; the winner and the panel are told too
        loser_note = Notification.objects.get(recipient=university, topic="challenges")
        assert "未中榜" in loser_note.title and "报价偏高" in loser_note.body
        assert Notification.objects.filter(recipient=enterprise, body__contains="综合评分较低").exists()
        assert Notification.objects.filter(recipient=cast.applicant, title__contains="已中榜").exists()
        assert Notification.objects.filter(recipient=cast.expert_user, title__contains="已开榜").exists()

    def test_the_contract_comes_pre_filled_for_registration(self, cast, make_challenge):
        challenge, winner = awarded(cast, make_challenge)
        contract = challenge.contract
        assert contract.source == "challenge" and contract.status == "draft"
        assert contract.name == "《数控机床主轴热变形补偿揭榜》技术开发合同"
        assert (contract.category.scheme.code, contract.category.code) == ("contract_category", "11")
        assert contract.seller_organization == winner.organization and contract.seller_name == winner.organization.name
        assert contract.seller_credit_code == winner.organization.credit_code
        assert contract.buyer_organization == challenge.owner_organization
        assert contract.buyer_region == challenge.owner_organization.region
        assert contract.total_amount_fen == contract.tech_amount_fen == winner.price_fen == 50_000_000
        from techmarket.contracts import prefill

        assert contract.tech_field == prefill.contract_field_for(challenge.tech_field)
        # idempotent: a second call returns the same draft
        from techmarket.contracts.services import contract_create_from_challenge

        assert contract_create_from_challenge(challenge=challenge, by=cast.setter) == contract

    def test_the_winners_planned_milestones_become_the_projects(self, cast, make_challenge):
        challenge, winner = awarded(cast, make_challenge)
        milestones = list(challenge.milestones.all())
        assert [(m.title, m.status, m.sort_order) for m in milestones] == [
            ("补偿模型建立", MilestoneStatus.PENDING, 0), ("样机验证", MilestoneStatus.PENDING, 1)]
        assert milestones[0].deliverable == "热误差模型与测试报告"

    def test_feedback_must_be_a_code_of_the_context_for_a_loser(self, cast, make_challenge, university):
        challenge, (first, second) = reviewing(cast, make_challenge, applicants=[cast.applicant, university],
                                               panel=[cast.expert])
        score_all(challenge, [cast.expert_user])
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=first,
                                   feedback={second.pk: ("not_technical", "")})
        assert exc.value.errors[0].field == "reason_code"
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=first,
                                   feedback={first.pk: ("price_high", "")})
        assert exc.value.errors[0].field == "feedback"
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.REVIEWING

    def test_the_winner_must_be_a_submitted_application_of_the_challenge(self, cast, make_challenge):
        challenge, (application,) = reviewing(cast, make_challenge, applicants=[cast.applicant],
                                              panel=[cast.expert])
        score(application, cast.expert_user)
        other, (stranger,) = reviewing(cast, make_challenge, applicants=[cast.applicant], panel=[cast.expert])
        with pytest.raises(ApplicationError) as exc:
            review.challenge_award(challenge=challenge, by=cast.setter, winner=stranger)
        assert exc.value.errors[0].field == "winner"
