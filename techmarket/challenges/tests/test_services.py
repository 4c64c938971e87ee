"""The services of 揭榜挂帅 up to the close of applications: rounds and the pool, challenges (raised from a demand,
published and pushed), the agreement and the confidential tier, applications."""
from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from techmarket.challenges import selectors, services
from techmarket.challenges.choices import (
    ApplicationStatus,
    ChallengeStatus,
    ConsortiumRole,
    PoolEntryStatus,
    RoundStatus,
)
from techmarket.challenges.models import AgreementAcceptance, ChallengeApplication, ConsortiumMember
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.core.tests import factories
from techmarket.core.workflows import status_history
from techmarket.demands.tests.factories import demand_in_state
from techmarket.disclosure.selectors import disclosure_accesses_for_record
from techmarket.integrity.tests.factories import org_record
from techmarket.matching.push import PUSH_TOPIC
from techmarket.notifications.models import Notification
from techmarket.notifications.services import digest_send_daily

from . import factories as f


def _code(excinfo) -> str:
    return excinfo.value.errors[0].code


def _field(excinfo) -> str | None:
    return excinfo.value.errors[0].field


@pytest.fixture
def published(make_challenge):
    return make_challenge("published")


# --- raising a challenge from a demand -----------------------------------------------------------------------


class TestChallengeCreate:
    def test_omitted_data_is_prefilled_from_the_demand(self, published_demand, setter):
        # when: only what a demand does not have is given
        challenge = services.challenge_create(by=setter, demand=published_demand, data={
            "application_deadline": f.deadline(), "duration_months": 6,
            "indicators": [{"name": "精度", "target": "≤5", "unit": "μm"}]})
        # then
        assert challenge.status == ChallengeStatus.DRAFT
        assert challenge.title == published_demand.title
        assert challenge.keywords == published_demand.keywords
        assert challenge.problem_statement == published_demand.description
        assert challenge.tech_field == published_demand.tech_field and challenge.region == published_demand.region
        assert (challenge.budget_min_fen, challenge.budget_max_fen) == (20_000_000, 50_000_000)
        assert challenge.owner_organization_id == published_demand.owner_organization_id
        assert [(c.name, c.weight) for c in challenge.criteria.all()] == list(services.DEFAULT_CRITERIA)
        assert "保密" in challenge.agreement_text
        assert ObjectChange.objects.filter(object_id=str(challenge.pk), action=ObjectChange.Action.CREATE).exists()

    def test_given_data_wins_and_links_the_pool_entry(self, setter, officer_in, bureau):
        entry = f.pool_entry_in_state("admitted", setter=setter, officer=officer_in, bureau=bureau)
        challenge = f.challenge(setter=setter, bureau=bureau, demand=entry.demand, title="另拟的榜单名称",
                                criteria=[{"name": "方案", "weight": 60}, {"name": "报价", "weight": 40}],
                                agreement_text="本榜单的揭榜协议。")
        assert challenge.title == "另拟的榜单名称" and challenge.pool_entry_id == entry.pk
        assert [(c.name, c.weight) for c in challenge.criteria.all()] == [("方案", 60), ("报价", 40)]
        assert challenge.agreement_text == "本榜单的揭榜协议。"

    @pytest.mark.parametrize(("overrides", "field", "code"), [
        ({"budget_min": "900000.00", "budget_max": "800000.00"}, "budget_min", "invalid_range"),
        ({"budget_min": "0"}, "budget_min", "not_positive"),
        ({"budget_max": "-1.00"}, "budget_max", "not_positive"),
        ({"budget_max": "1.005"}, "budget_max", "invalid_amount"),
        ({"application_deadline": timezone.now() - datetime.timedelta(hours=1)}, "application_deadline", "in_past"),
        ({"duration_months": 0}, "duration_months", "out_of_range"),
        ({"criteria": [{"name": "方案", "weight": 60}, {"name": "报价", "weight": 30}]}, "criteria", "weights_sum"),
        ({"indicators": [{"name": "精度", "target": ""}]}, "indicators", "required"),
        ({"eligible_kinds": ["agency"]}, "eligible_kinds", "invalid_choice"),
        ({"eligible_qualifications": ["nobel"]}, "eligible_qualifications", "invalid_choice"),
        ({"ip_terms": "mine"}, "ip_terms", "invalid_choice"),
        ({"colour": "red"}, "colour", "not_editable"),
    ])
    def test_bad_input_names_the_field_and_saves_nothing(self, published_demand, setter, overrides, field, code):
        with pytest.raises(ApplicationError) as refused:
            services.challenge_create(by=setter, demand=published_demand, data=f.challenge_data(**overrides))
        assert (_field(refused), _code(refused)) == (field, code)
        assert not published_demand.challenges.exists()

    def test_other_enterprise_is_refused(self, published_demand, enterprise):
        with pytest.raises(PermissionDenied):
            services.challenge_create(by=enterprise, demand=published_demand, data=f.challenge_data())

    def test_unpublished_demand_is_refused(self, setter, bureau):
        draft = demand_in_state("submitted", owner=setter, reviewer=bureau)
        with pytest.raises(ApplicationError) as refused:
            services.challenge_create(by=setter, demand=draft, data=f.challenge_data())
        assert _code(refused) == "invalid_state"


class TestChallengeUpdate:
    def test_setter_edits_a_returned_challenge_and_the_change_is_audited(self, make_challenge, setter):
        challenge = make_challenge("returned")
        services.challenge_update(challenge=challenge, by=setter, data={"title": "修改后的榜单",
                                                                      "confidential_detail": "新的保密内容"})
        change = ObjectChange.objects.filter(object_id=str(challenge.pk), action=ObjectChange.Action.UPDATE).get()
        assert change.after["title"] == "修改后的榜单"
        assert "新的保密内容" not in str(change.before) + str(change.after)

    def test_published_challenge_cannot_be_edited(self, published, setter):
        with pytest.raises(PermissionDenied):
            services.challenge_update(challenge=published, by=setter, data={"title": "改名"})

    def test_submit_needs_an_indicator(self, make_challenge, setter):
        challenge = make_challenge("draft", indicators=[])
        with pytest.raises(ApplicationError) as refused:
            services.challenge_act(challenge=challenge, action="submit", by=setter)
        assert _field(refused) == "indicators"


# --- publication and push --------------------------------------------------------------------------------------


class TestPublish:
    def test_publish_dates_the_challenge_and_tells_the_setter(self, make_challenge, bureau, setter,
                                                              django_capture_on_commit_callbacks):
        challenge = make_challenge("pre_approved")
        with django_capture_on_commit_callbacks(execute=True):
            challenge = services.challenge_act(challenge=challenge, action="publish", by=bureau)
        assert challenge.status == ChallengeStatus.PUBLISHED and challenge.published_at is not None
        assert Notification.objects.filter(recipient=setter, topic=services.TOPIC, title__contains="已发榜").exists()

    def test_publish_pushes_to_the_matched_expert(self, make_challenge, bureau, expert, expert_user, reindex,
                                                  django_capture_on_commit_callbacks, settings):
        # given: an expert whose expertise and field match the challenge, in the index
        settings.TECHMARKET_PUSH_TOP_N = 10
        challenge = make_challenge("pre_approved")
        reindex()
        # when
        with django_capture_on_commit_callbacks(execute=True):
            services.challenge_act(challenge=challenge, action="publish", by=bureau)
        # then: the expert is notified under the push topic, and the setter's push log shows it
        note = Notification.objects.get(recipient=expert_user, topic=PUSH_TOPIC)
        assert note.about == challenge and note.link == challenge.get_absolute_url()
        assert challenge.title in note.title
        assert [r.name for r in selectors.push_log(challenge)] == [expert_user.display_name]

    def test_the_pushed_challenge_reaches_the_experts_daily_digest_once(
            self, make_challenge, bureau, expert, expert_user, reindex, django_capture_on_commit_callbacks,
            settings, mailoutbox):
        # given: a published challenge pushed to a matched expert with an e-mail address
        settings.TECHMARKET_PUSH_TOP_N = 10
        expert_user.email = "zhao@example.com"
        expert_user.save()
        challenge = make_challenge("pre_approved")
        reindex()
        with django_capture_on_commit_callbacks(execute=True):
            services.challenge_act(challenge=challenge, action="publish", by=bureau)
        # when: the daily digest runs twice on the same day
        digest_send_daily()
        digest_send_daily()
        # then: one e-mail naming the challenge, linking to it (through the opening record) and to unsubscribe
        to_expert = [m for m in mailoutbox if m.to == ["zhao@example.com"]]
        assert len(to_expert) == 1
        assert challenge.title in to_expert[0].body
        note = Notification.objects.get(recipient=expert_user, topic=PUSH_TOPIC, emailed_at__isnull=False)
        assert note.link == challenge.get_absolute_url() and note.get_open_url() in to_expert[0].body
        assert "/unsubscribe/" in to_expert[0].body

    def test_publish_after_the_deadline_is_refused(self, make_challenge, bureau):
        challenge = make_challenge("pre_approved")
        with f.after_deadline(challenge):
            with pytest.raises(ApplicationError) as refused:
                services.challenge_act(challenge=challenge, action="publish", by=bureau)
        assert _field(refused) == "application_deadline"


# --- closing --------------------------------------------------------------------------------------------------


class TestClose:
    def test_closing_before_the_deadline_is_refused(self, published, bureau):
        with pytest.raises(ApplicationError) as refused:
            services.challenge_act(challenge=published, action="close_applications", by=bureau)
        assert _code(refused) == "too_early"

    def test_close_due_without_applications_goes_to_unawarded(self, published, setter):
        f.application(challenge=published, by=factories.user(
            "inst-9", organization_obj=factories.organization("郑州第二研究所", region_obj=published.region,
                                                             kind="institute")))  # a draft never submitted
        with f.after_deadline(published):
            assert services.challenges_close_due() == 1
        published.refresh_from_db()
        assert published.status == ChallengeStatus.UNAWARDED and published.closed_at is not None
        history = list(status_history(published).order_by("pk"))
        assert [h.action for h in history[-2:]] == ["close_applications", "unaward"]
        assert history[-1].comment == services.UNAWARDED_NO_APPLICATION and history[-1].actor is None

    def test_close_due_with_an_application_goes_to_review(self, published, institution, make_challenge):
        f.submitted_application(challenge=published, by=institution)
        later = make_challenge("published", application_deadline=f.deadline(60))
        with f.after_deadline(published):
            assert services.challenges_close_due() == 1
        published.refresh_from_db()
        later.refresh_from_db()
        assert published.status == ChallengeStatus.REVIEWING and later.status == ChallengeStatus.PUBLISHED

    def test_the_periodic_jobs_are_declared(self):
        from techmarket.challenges import tasks
        from techmarket.scheduling.registry import PERIODIC_JOBS

        assert PERIODIC_JOBS["challenges_close_due"].task == tasks.close_due_challenges.module_path
        assert PERIODIC_JOBS["challenges_rounds_close_due"].task == tasks.close_due_rounds.module_path

    def test_withdraw_tells_the_units_that_accepted_the_agreement(self, published, institution, setter,
                                                                  django_capture_on_commit_callbacks):
        services.agreement_accept(challenge=published, by=institution)
        with django_capture_on_commit_callbacks(execute=True):
            services.challenge_act(challenge=published, action="withdraw", by=setter, comment="需求已自行解决")
        note = Notification.objects.get(recipient=institution, topic=services.TOPIC)
        assert "撤榜" in note.title and "需求已自行解决" in note.body


# --- the agreement and the confidential tier (B3) ------------------------------------------------------------


class TestAgreementAndConfidential:
    def test_confidential_detail_only_after_the_agreement_and_every_view_logged(self, published, institution):
        # given: no agreement yet
        with pytest.raises(PermissionDenied):
            services.confidential_view(challenge=published, by=institution)
        assert not disclosure_accesses_for_record(published).exists()
        # when: the unit accepts the agreement
        acceptance = services.agreement_accept(challenge=published, by=institution)
        shown = services.confidential_view(challenge=published, by=institution, ip="10.0.0.8")
        services.confidential_view(challenge=published, by=institution)
        # then
        assert acceptance.agreement_text == published.agreement_text
        assert shown["detail"] == published.confidential_detail
        accesses = disclosure_accesses_for_record(published)
        assert accesses.count() == 2 and {a.user_id for a in accesses} == {institution.pk}
        assert {a.ip for a in accesses} == {"10.0.0.8", None}

    def test_confidential_attachments_are_listed_apart(self, make_challenge, setter):
        from django.core.files.uploadedfile import SimpleUploadedFile

        challenge = make_challenge("draft")
        services.challenge_attachment_add(challenge=challenge, by=setter, is_confidential=True,
                                          upload=SimpleUploadedFile("温升曲线.pdf", b"%PDF-1.4 test"))
        services.challenge_attachment_add(challenge=challenge, by=setter,
                                          upload=SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test"))
        shown = services.confidential_view(challenge=challenge, by=setter)
        assert [a.original_name for a in shown["attachments"]] == ["温升曲线.pdf"]

    def test_accepting_twice_keeps_the_first_acceptance(self, published, institution):
        first = services.agreement_accept(challenge=published, by=institution)
        assert services.agreement_accept(challenge=published, by=institution) == first
        assert AgreementAcceptance.objects.filter(challenge=published).count() == 1

    def test_ineligible_unit_cannot_accept(self, make_challenge, institution):
        challenge = make_challenge("published", eligible_kinds=["university"])
        with pytest.raises(ApplicationError) as refused:
            services.agreement_accept(challenge=challenge, by=institution)
        assert _code(refused) == "not_eligible" and "高等院校" in refused.value.errors[0].message

    def test_anonymous_cannot_accept(self, published, anonymous):
        with pytest.raises(PermissionDenied):
            services.agreement_accept(challenge=published, by=anonymous)


# --- applications (揭榜) ---------------------------------------------------------------------------------------


class TestApplicationCreate:
    def test_consortium_application_with_team_and_milestones(self, published, institution, institution_org,
                                                             university_org, researcher, university_researcher):
        app = f.application(challenge=published, by=institution, leader=researcher, price="600000.50",
                            members=[{"organization": university_org, "responsibility": "样机测试"}],
                            team=[{"person": researcher, "role": "总体", "is_leader": True},
                                  {"person": university_researcher, "role": "测试"}])
        assert app.status == ApplicationStatus.DRAFT and app.price_fen == 60_000_050
        assert app.organization == institution_org
        assert {(m.organization_id, m.role) for m in app.members.all()} == {
            (institution_org.pk, ConsortiumRole.LEAD), (university_org.pk, ConsortiumRole.MEMBER)}
        assert [t.person for t in app.team.all()] == [researcher, university_researcher]
        assert [m.month for m in app.planned_milestones.all()] == [4, 10]
        assert ObjectChange.objects.filter(object_id=str(app.pk), action=ObjectChange.Action.CREATE).exists()

    def test_agreement_comes_first(self, published, institution):
        with pytest.raises(ApplicationError) as refused:
            services.application_create(challenge=published, by=institution,
                                        data=f.application_data(lead=institution))
        assert _code(refused) == "agreement_required"

    def test_integrity_record_refuses_with_the_reason_and_the_unit(self, published, institution, institution_org,
                                                                    bureau):
        services.agreement_accept(challenge=published, by=institution)
        org_record(by=bureau, organization=institution_org, effective_from=timezone.localdate(), effective_to=None)
        with pytest.raises(ApplicationError) as refused:
            services.application_create(challenge=published, by=institution,
                                        data=f.application_data(lead=institution))
        message = refused.value.errors[0].message
        assert institution_org.name in message and "科研诚信记录" in message and "郑科〔2025〕12号" in message
        assert not ChallengeApplication.objects.exists()

    def test_member_with_an_integrity_record_is_refused(self, published, institution, university_org, bureau):
        org_record(by=bureau, organization=university_org, effective_from=timezone.localdate(), effective_to=None)
        with pytest.raises(ApplicationError) as refused:
            f.application(challenge=published, by=institution,
                          members=[{"organization": university_org, "responsibility": "测试"}])
        assert _field(refused) == "members" and university_org.name in refused.value.errors[0].message

    def test_one_application_per_unit_as_lead(self, published, institution):
        f.application(challenge=published, by=institution)
        with pytest.raises(ApplicationError) as refused:
            f.application(challenge=published, by=institution)
        assert "已参与" in refused.value.errors[0].message
        assert ChallengeApplication.objects.filter(challenge=published).count() == 1

    def test_one_application_per_unit_as_consortium_member(self, published, institution, university,
                                                           university_org, regions):
        # given: the university is a member of the institute's application
        f.application(challenge=published, by=institution,
                      members=[{"organization": university_org, "responsibility": "测试"}])
        third = factories.user("inst-3", organization_obj=factories.organization(
            "郑州光电研究所", region_obj=regions["jinshui"], kind="institute"))
        # then: it accepts the agreement (a member sees the confidential tier too) but cannot lead its own
        # application, nor join a third unit's
        services.agreement_accept(challenge=published, by=university)
        assert services.confidential_view(challenge=published, by=university)["detail"] == published.confidential_detail
        with pytest.raises(ApplicationError) as led:
            services.application_create(challenge=published, by=university, data=f.application_data(lead=university))
        assert "一个单位只能参与一份申请" in led.value.errors[0].message
        with pytest.raises(ApplicationError) as refused:
            f.application(challenge=published, by=third,
                          members=[{"organization": university_org, "responsibility": "测试"}])
        assert _field(refused) == "members"

    def test_the_database_keeps_one_unit_per_challenge_when_checks_race(self, published, institution, university,
                                                                       university_org):
        """The last line: two requests that both passed the checks; the constraint refuses the second."""
        f.application(challenge=published, by=institution,
                      members=[{"organization": university_org, "responsibility": "测试"}])
        AgreementAcceptance.objects.create(challenge=published, organization=university_org, user=university,
                                           agreement_text=published.agreement_text)
        with mock.patch.object(services, "apply_refusal", return_value=None):
            with pytest.raises(ApplicationError) as refused:
                services.application_create(challenge=published, by=university,
                                            data=f.application_data(lead=university))
        assert _code(refused) == "duplicate"
        assert ConsortiumMember.objects.filter(challenge=published, organization=university_org).count() == 1

    @pytest.mark.parametrize(("overrides", "field", "code"), [
        ({"price": "800000.01"}, "price", "over_budget"),
        ({"price": "0"}, "price", "not_positive"),
        ({"duration_months": 13}, "duration_months", "out_of_range"),
        ({"milestones": [{"title": "验收", "month": 11}]}, "milestones", "out_of_range"),
        ({"technical_plan": " "}, "technical_plan", "required"),
    ])
    def test_bad_input_names_the_field(self, published, institution, overrides, field, code):
        with pytest.raises(ApplicationError) as refused:
            f.application(challenge=published, by=institution, **overrides)
        assert (_field(refused), _code(refused)) == (field, code)

    def test_team_must_come_from_the_units(self, published, institution, expert):
        with pytest.raises(ApplicationError) as refused:
            f.application(challenge=published, by=institution,
                          team=[{"person": expert, "role": "顾问", "is_leader": True}])
        assert _field(refused) == "team" and expert.name in refused.value.errors[0].message

    def test_after_the_deadline_nobody_applies(self, published, institution):
        services.agreement_accept(challenge=published, by=institution)
        with f.after_deadline(published):
            with pytest.raises(ApplicationError) as refused:
                services.application_create(challenge=published, by=institution,
                                            data=f.application_data(lead=institution))
        assert "截止" in refused.value.errors[0].message


class TestApplicationUpdateAndSubmit:
    def test_update_replaces_the_team(self, published, institution, researcher):
        app = f.application(challenge=published, by=institution)
        services.application_update(application=app, by=institution, data={
            "team": [{"person": researcher, "role": "负责人", "is_leader": True}], "price": "400000"})
        app.refresh_from_db()
        assert [t.person for t in app.team.all()] == [researcher] and app.price_fen == 40_000_000

    def test_submit_dates_it_and_tells_the_setter_without_naming_the_unit(
            self, published, institution, institution_org, setter, django_capture_on_commit_callbacks):
        app = f.application(challenge=published, by=institution)
        with django_capture_on_commit_callbacks(execute=True):
            app = services.application_act(application=app, action="submit", by=institution)
        assert app.status == ApplicationStatus.SUBMITTED and app.submitted_at is not None
        note = Notification.objects.get(recipient=setter, topic=services.TOPIC)
        assert "揭榜申请" in note.title and institution_org.name not in note.title + note.body

    def test_submitted_application_cannot_be_edited(self, published, institution):
        app = f.submitted_application(challenge=published, by=institution)
        with pytest.raises(PermissionDenied):
            services.application_update(application=app, by=institution, data={"price": "1"})

    def test_submit_needs_one_leader(self, published, institution, researcher):
        app = f.application(challenge=published, by=institution,
                            team=[{"person": researcher, "role": "研究", "is_leader": False}])
        with pytest.raises(ApplicationError) as refused:
            services.application_act(application=app, action="submit", by=institution)
        assert (_field(refused), _code(refused)) == ("team", "leader_required")

    def test_submit_needs_a_milestone(self, published, institution):
        app = f.application(challenge=published, by=institution, milestones=[])
        with pytest.raises(ApplicationError) as refused:
            services.application_act(application=app, action="submit", by=institution)
        assert _field(refused) == "milestones"

    def test_submit_checks_integrity_again(self, published, institution, institution_org, bureau):
        app = f.application(challenge=published, by=institution)
        org_record(by=bureau, organization=institution_org, effective_from=timezone.localdate(), effective_to=None)
        with pytest.raises(ApplicationError) as refused:
            services.application_act(application=app, action="submit", by=institution)
        assert "科研诚信记录" in refused.value.errors[0].message
        app.refresh_from_db()
        assert app.status == ApplicationStatus.DRAFT

    def test_ineligible_application_carries_the_coded_reason(self, published, institution, bureau):
        app = f.application_in_state("ineligible", challenge=published, by=institution, bureau=bureau)
        assert (app.feedback_code, app.feedback) == ("indicators", "承诺指标未达到榜单要求")
        assert status_history(app).get(action="mark_ineligible").reason_code == "indicators"


# --- rounds and the pool ----------------------------------------------------------------------------------------


class TestRoundsAndPool:
    def test_entry_in_an_open_round(self, setter, officer_in, bureau, regions):
        round_ = f.collection_round(bureau=bureau, city=regions["city"])
        entry = f.pool_entry_in_state("submitted", setter=setter, officer=officer_in, bureau=bureau, round_=round_)
        assert entry.round == round_ and entry.status == PoolEntryStatus.SUBMITTED
        assert list(selectors.pool_entries_visible_to(officer_in)) == [entry]

    def test_round_of_another_city_is_refused(self, setter, bureau_other, regions, published_demand):
        round_ = f.collection_round(bureau=bureau_other, city=regions["hebi"])
        with pytest.raises(ApplicationError) as refused:
            services.pool_entry_submit(demand=published_demand, by=setter, round_=round_)
        assert _field(refused) == "round"

    def test_closed_round_is_refused(self, setter, bureau, regions, published_demand):
        round_ = f.collection_round(bureau=bureau, city=regions["city"], state="closed")
        with pytest.raises(ApplicationError) as refused:
            services.pool_entry_submit(demand=published_demand, by=setter, round_=round_)
        assert _code(refused) == "invalid_state"

    def test_one_entry_per_demand(self, setter, published_demand):
        services.pool_entry_submit(demand=published_demand, by=setter)
        with pytest.raises(ApplicationError) as refused:
            services.pool_entry_submit(demand=published_demand, by=setter)
        assert _code(refused) == "duplicate"

    def test_only_the_demands_enterprise_submits(self, enterprise, published_demand):
        with pytest.raises(PermissionDenied):
            services.pool_entry_submit(demand=published_demand, by=enterprise)

    def test_district_officer_cannot_open_a_round(self, officer_in, regions):
        with pytest.raises(PermissionDenied):
            services.round_create(by=officer_in, city=regions["city"], data=f.round_data())

    def test_round_is_for_a_city(self, bureau, regions):
        with pytest.raises(ApplicationError) as refused:
            services.round_create(by=bureau, city=regions["jinshui"], data=f.round_data())
        assert _field(refused) == "city"

    def test_rounds_visible_to(self, bureau, officer_in, setter, bureau_other, regions):
        draft = f.collection_round(bureau=bureau, city=regions["city"], state="draft")
        open_ = f.collection_round(bureau=bureau, city=regions["city"])
        assert set(selectors.rounds_visible_to(officer_in)) == {draft, open_}
        assert set(selectors.rounds_visible_to(setter)) == {open_}
        assert not selectors.rounds_visible_to(bureau_other).exists()
        assert open_.status == RoundStatus.OPEN


# --- selectors ---------------------------------------------------------------------------------------------------


class TestSelectors:
    def test_public_list_and_managed_lists(self, make_challenge, setter, institution, officer_out, bureau_other,
                                           anonymous):
        draft = make_challenge("draft")
        published = make_challenge("published", title="精密主轴热补偿")
        withdrawn = make_challenge("withdrawn")
        assert list(selectors.challenges_public()) == [published]
        assert list(selectors.challenges_public(q="精密主轴")) == [published]
        assert list(selectors.challenges_public(region="410105", field="10")) == [published]
        assert not selectors.challenges_public(region="410102").exists()
        assert set(selectors.challenges_visible_to(setter)) == {draft, published, withdrawn}
        assert not selectors.challenges_visible_to(officer_out).exists()
        assert not selectors.challenges_visible_to(anonymous).exists()
        f.application(challenge=published, by=institution)
        assert list(selectors.challenges_visible_to(institution)) == [published]

    def test_get_for_user_hides_what_is_not_yours(self, make_challenge, officer_out, institution, setter):
        from django.http import Http404

        draft = make_challenge("draft")
        published = make_challenge("published")
        with pytest.raises(Http404):
            selectors.challenge_get_for_user(user=officer_out, pk=draft.pk)
        with pytest.raises(Http404):
            selectors.challenge_get_for_user(user=institution, pk=published.pk, managed=True)
        assert selectors.challenge_get_for_user(user=institution, pk=published.pk) == published
        assert selectors.challenge_get_for_user(user=setter, pk=published.pk, managed=True) == published

    def test_applications_visible_to(self, published, institution, university, university_org, setter, bureau):
        app = f.submitted_application(challenge=published, by=institution,
                                      members=[{"organization": university_org, "responsibility": "测试"}])
        assert list(selectors.applications_visible_to(user=university, challenge=published)) == [app]
        assert not selectors.applications_visible_to(user=setter, challenge=published).exists()
        assert list(selectors.my_applications(university)) == [app]
        closed = f.close_applications(published, by=bureau)
        assert list(selectors.applications_visible_to(user=setter, challenge=closed)) == [app]
        assert selectors.application_get_for_user(user=setter, pk=app.pk) == app
