"""Delivery of an awarded project: the start on signing, milestones (report with evidence, confirm, return) and
acceptance (organised by the city bureau, panellists' opinions, passed / failed / extended)."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.challenges import delivery, services
from techmarket.challenges.choices import ChallengeStatus, MilestoneStatus
from techmarket.challenges.models import AcceptanceReview, Challenge
from techmarket.contracts.models import TechContract
from techmarket.core.errors import ApplicationError
from techmarket.core.models import StatusChange
from techmarket.core.workflows import available_actions

from .test_review import awarded

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str = "检测报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def started(cast, make_challenge, *, signed_on=None):
    challenge, winner = awarded(cast, make_challenge)
    challenge = delivery.challenge_start(challenge=challenge, by=cast.setter,
                                         signed_on=signed_on or timezone.localdate())
    return challenge, winner


def all_confirmed(challenge, cast):
    for milestone in challenge.milestones.all():
        delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.applicant)
        delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="已完成")
        delivery.milestone_act(milestone=milestone, action="confirm", by=cast.setter)


def in_acceptance(cast, make_challenge):
    challenge, _winner = started(cast, make_challenge)
    all_confirmed(challenge, cast)
    review = delivery.acceptance_organise(challenge=challenge, by=cast.bureau, held_on=timezone.localdate())
    return Challenge.objects.get(pk=challenge.pk), review


class TestStart:
    def test_dates_follow_the_signing(self, cast, make_challenge):
        # given: an awarded challenge; the winner plans 10 months, milestones at months 4 and 10
        challenge, winner = awarded(cast, make_challenge)
        signed = timezone.localdate()
        # when
        challenge = delivery.challenge_start(challenge=challenge, by=cast.setter, signed_on=signed.isoformat())
        # then
        from techmarket.achievements.records import add_months

        assert challenge.status == ChallengeStatus.IN_PROGRESS
        assert challenge.started_on == signed and challenge.due_on == add_months(signed, 10)
        assert [m.due_on for m in challenge.milestones.all()] == [add_months(signed, 4), add_months(signed, 10)]
        assert StatusChange.objects.filter(object_id=str(challenge.pk), action="start", actor=cast.setter).exists()

    def test_the_draft_contract_gets_the_signing_date_unless_the_seller_typed_one(self, cast, make_challenge):
        # given: two awarded challenges; on the second the seller already entered a signing date
        first, _w = awarded(cast, make_challenge)
        second, _w2 = awarded(cast, make_challenge)
        typed = timezone.localdate() - datetime.timedelta(days=1)
        TechContract.objects.filter(pk=second.contract_id).update(signed_on=typed)
        today = timezone.localdate()
        # when
        delivery.challenge_start(challenge=first, by=cast.setter, signed_on=today)
        delivery.challenge_start(challenge=second, by=cast.setter, signed_on=today)
        # then
        assert TechContract.objects.get(pk=first.contract_id).signed_on == today
        assert TechContract.objects.get(pk=second.contract_id).signed_on == typed

    @pytest.mark.parametrize("who", ["applicant", "bureau"])
    def test_only_the_setter_starts(self, cast, make_challenge, who):
        challenge, _winner = awarded(cast, make_challenge)
        with pytest.raises(PermissionDenied):
            delivery.challenge_start(challenge=challenge, by=getattr(cast, who), signed_on=timezone.localdate())

    @pytest.mark.parametrize("signed_on, code", [(None, "required"), ("2020-01-01", "invalid_date"),
                                                 ("明天", "invalid_date")])
    def test_the_signing_date_is_checked(self, cast, make_challenge, signed_on, code):
        challenge, _winner = awarded(cast, make_challenge)
        with pytest.raises(ApplicationError) as exc:
            delivery.challenge_start(challenge=challenge, by=cast.setter, signed_on=signed_on)
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("signed_on", code)
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED

    def test_a_future_signing_date_is_refused(self, cast, make_challenge):
        challenge, _winner = awarded(cast, make_challenge)
        with pytest.raises(ApplicationError, match="晚于今天"):
            delivery.challenge_start(challenge=challenge, by=cast.setter,
                                     signed_on=timezone.localdate() + datetime.timedelta(days=1))


class TestMilestones:
    def test_report_with_evidence_then_confirm(self, cast, make_challenge):
        challenge, _winner = started(cast, make_challenge)
        milestone = challenge.milestones.first()
        # the report needs evidence first
        with pytest.raises(ApplicationError) as exc:
            delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="模型已建立")
        assert exc.value.errors[0].code == "required"
        delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.applicant)
        with pytest.raises(ApplicationError) as exc:
            delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="")
        assert exc.value.errors[0].field == "report"
        milestone = delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant,
                                           report="模型已建立，误差≤5μm")
        assert milestone.status == MilestoneStatus.SUBMITTED and milestone.submitted_at is not None
        assert available_actions(milestone, cast.setter) == ["confirm", "return"]
        assert available_actions(milestone, cast.applicant) == []
        milestone = delivery.milestone_act(milestone=milestone, action="confirm", by=cast.setter)
        assert milestone.status == MilestoneStatus.CONFIRMED and milestone.confirmed_at is not None

    def test_returned_with_a_comment_and_reported_again(self, cast, make_challenge):
        challenge, _winner = started(cast, make_challenge)
        milestone = challenge.milestones.first()
        delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.applicant)
        delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="初稿")
        with pytest.raises(ApplicationError):
            delivery.milestone_act(milestone=milestone, action="return", by=cast.setter, comment="")
        milestone = delivery.milestone_act(milestone=milestone, action="return", by=cast.setter, comment="缺测试数据")
        assert milestone.status == MilestoneStatus.RETURNED
        delivery.milestone_evidence_add(milestone=milestone, upload=upload("补充数据.pdf"), by=cast.applicant)
        milestone = delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="已补充")
        assert milestone.status == MilestoneStatus.SUBMITTED and milestone.attachments.count() == 2

    def test_roles_are_kept(self, cast, make_challenge):
        challenge, _winner = started(cast, make_challenge)
        milestone = challenge.milestones.first()
        with pytest.raises(PermissionDenied):
            delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.setter)
        delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.applicant)
        with pytest.raises(PermissionDenied):
            delivery.milestone_act(milestone=milestone, action="submit", by=cast.setter, report="代报")
        delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="完成")
        with pytest.raises(PermissionDenied):
            delivery.milestone_act(milestone=milestone, action="confirm", by=cast.applicant)

    def test_nothing_is_reported_before_the_start(self, cast, make_challenge):
        challenge, _winner = awarded(cast, make_challenge)
        milestone = challenge.milestones.first()
        with pytest.raises(ApplicationError):
            delivery.milestone_evidence_add(milestone=milestone, upload=upload(), by=cast.applicant)


class TestAcceptance:
    def test_organised_only_once_every_milestone_is_confirmed(self, cast, make_challenge):
        challenge, _winner = started(cast, make_challenge)
        first = challenge.milestones.first()
        delivery.milestone_evidence_add(milestone=first, upload=upload(), by=cast.applicant)
        delivery.milestone_act(milestone=first, action="submit", by=cast.applicant, report="完成")
        delivery.milestone_act(milestone=first, action="confirm", by=cast.setter)
        assert "organise_acceptance" not in available_actions(challenge, cast.bureau)
        with pytest.raises(ApplicationError) as exc:
            delivery.acceptance_organise(challenge=challenge, by=cast.bureau, held_on=timezone.localdate())
        assert exc.value.errors[0].code == "milestones_pending" and "样机验证" in exc.value.errors[0].message
        last = challenge.milestones.last()
        delivery.milestone_evidence_add(milestone=last, upload=upload(), by=cast.applicant)
        delivery.milestone_act(milestone=last, action="submit", by=cast.applicant, report="完成")
        delivery.milestone_act(milestone=last, action="confirm", by=cast.setter)
        with pytest.raises(PermissionDenied):
            delivery.acceptance_organise(challenge=challenge, by=cast.officer, held_on=timezone.localdate())
        review = delivery.acceptance_organise(challenge=challenge, by=cast.bureau, held_on=timezone.localdate())
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.ACCEPTANCE
        assert review.organised_by == cast.bureau and delivery.current_acceptance(challenge) == review

    def test_passed_with_the_panels_opinion(self, cast, make_challenge):
        challenge, review = in_acceptance(cast, make_challenge)
        # no decision without an opinion
        with pytest.raises(ApplicationError) as exc:
            delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="passed", conclusion="通过")
        assert exc.value.errors[0].code == "opinions_missing"
        with pytest.raises(PermissionDenied):
            delivery.acceptance_opinion_save(review=review, by=cast.setter, outcome="passed", opinion="好")
        opinion = delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="passed",
                                                   opinion="各项指标均已达到")
        assert opinion.member.person == cast.expert
        # saved again: one opinion per panellist
        delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="passed", opinion="指标达到")
        assert review.opinions.count() == 1
        challenge = delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="passed",
                                               conclusion="同意通过验收")
        assert challenge.status == ChallengeStatus.ACCEPTED and challenge.closed_at is not None
        review.refresh_from_db()
        assert (review.outcome, review.conclusion) == ("passed", "同意通过验收")
        with pytest.raises(ApplicationError):
            delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="failed", opinion="改")

    def test_failed(self, cast, make_challenge):
        challenge, review = in_acceptance(cast, make_challenge)
        delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="failed", opinion="未达指标")
        challenge = delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="failed",
                                               conclusion="定位误差未达到≤5μm")
        assert challenge.status == ChallengeStatus.FAILED
        assert StatusChange.objects.get(object_id=str(challenge.pk), action="fail").comment == "定位误差未达到≤5μm"

    def test_extended_back_to_implementation_then_passed(self, cast, make_challenge):
        challenge, review = in_acceptance(cast, make_challenge)
        delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="extended", opinion="需补测")
        with pytest.raises(ApplicationError) as exc:
            delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="extended", conclusion="延期")
        assert exc.value.errors[0].field == "extended_to"
        with pytest.raises(ApplicationError) as exc:
            delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="extended", conclusion="延期",
                                       extended_to=challenge.due_on)
        assert exc.value.errors[0].code == "invalid_date"
        new_due = challenge.due_on + datetime.timedelta(days=90)
        challenge = delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="extended",
                                               conclusion="补测后再验收", extended_to=new_due)
        assert challenge.status == ChallengeStatus.IN_PROGRESS and challenge.due_on == new_due
        review.refresh_from_db()
        assert (review.outcome, review.extended_to) == ("extended", new_due)
        # a second acceptance meeting, decided through the challenge's action with a comment
        second = delivery.acceptance_organise(challenge=challenge, by=cast.bureau, held_on=timezone.localdate())
        assert second.pk != review.pk
        delivery.acceptance_opinion_save(review=second, by=cast.expert_user, outcome="passed", opinion="已达到")
        challenge = services.challenge_act(challenge=Challenge.objects.get(pk=challenge.pk), action="pass",
                                           by=cast.bureau, comment="通过")
        assert challenge.status == ChallengeStatus.ACCEPTED
        assert AcceptanceReview.objects.filter(challenge=challenge).count() == 2

    def test_decisions_are_the_city_bureaus(self, cast, make_challenge, bureau_other):
        challenge, review = in_acceptance(cast, make_challenge)
        delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="passed", opinion="好")
        for user in (cast.setter, cast.officer, bureau_other):
            with pytest.raises(PermissionDenied):
                delivery.acceptance_decide(challenge=challenge, by=user, outcome="passed", conclusion="通过")

    def test_a_panellist_in_conflict_gives_no_opinion(self, cast, make_challenge, institution_org):
        challenge, review = in_acceptance(cast, make_challenge)
        member = challenge.panel.get()
        person = member.person
        person.organization = institution_org  # the expert has since joined the winner
        person.save(update_fields=["organization"])
        with pytest.raises(PermissionDenied, match="利益冲突"):
            delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="passed", opinion="好")
