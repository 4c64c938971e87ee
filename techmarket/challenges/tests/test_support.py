"""Support of a 揭榜挂帅 project (J3): the city's ``share_of_contract`` policy through the subsidy engine —
never above 30 % of the contract nor above the policy's caps; an instalment whose stage is not reached, or a
contract not from a challenge, is excluded; a subsidy round and the independent check agree."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from techmarket.challenges import delivery, support
from techmarket.challenges.models import Challenge
from techmarket.contracts import registration as reg
from techmarket.contracts import services as contract_services
from techmarket.contracts.models import TechContract
from techmarket.contracts.tests.conftest import points, registrar, station  # noqa: F401  (registration)
from techmarket.contracts.tests.factories import national_number
from techmarket.core.errors import ApplicationError
from techmarket.subsidies import check, engine
from techmarket.subsidies import services as subsidy_services
from techmarket.subsidies.models import SubsidyPolicy
from techmarket.subsidies.tests import factories as sf

from .test_review import awarded

pytestmark = pytest.mark.django_db

WAN = 1_000_000  # 1 万元 in fen
PRICE = 50 * WAN  # the winning price of test_review's applications (50 万元)


def share_policy(city, *, by, year=None, **overrides) -> SubsidyPolicy:
    """A 揭榜挂帅 share_of_contract rule for ``city`` (郑州 has none in the seed rules)."""
    data = {"code": "zz-challenge-share", "year": year or timezone.localdate().year, "name": "揭榜挂帅项目支持",
            "rule_kind": "share_of_contract", "recipient_role": "seller", "counterparty_location": "any",
            "unit_location": "any", "transfer_in_city": True, "unit_kind": "challenge_solver", "payer": "province",
            "rate_percent": "30",
            "instalments": [{"code": "signing", "label": "签约", "percent": 50},
                            {"code": "acceptance", "label": "验收", "percent": 50}],
            "citation": "测试：不超过合同额的30%"}
    data.update(overrides)
    return subsidy_services.policy_create(by=by, city=city, data=data)


def register(contract: TechContract, *, seller, registrar, serial: int = 1) -> TechContract:
    """The winner completes the pre-filled draft and a registrar registers it with a national number."""
    contract_services.contract_update(contract=contract, by=seller, data={
        "signed_on": timezone.localdate(), "seller_nature": "21", "buyer_nature": "45"})
    contract = reg.contract_submit(contract=contract, by=seller)
    contract = reg.contract_pre_examine(contract=contract, by=registrar)
    return reg.contract_register(contract=contract, by=registrar, registered_on=timezone.localdate(),
                                 registration_number=national_number(contract.registration_point, serial))


def accept(challenge: Challenge, cast) -> Challenge:
    """Milestones reported and confirmed, acceptance organised, the panel's opinion, passed."""
    for milestone in challenge.milestones.all():
        delivery.milestone_evidence_add(milestone=milestone, by=cast.applicant, upload=SimpleUploadedFile(
            "报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"))
        delivery.milestone_act(milestone=milestone, action="submit", by=cast.applicant, report="完成")
        delivery.milestone_act(milestone=milestone, action="confirm", by=cast.setter)
    review = delivery.acceptance_organise(challenge=challenge, by=cast.bureau, held_on=timezone.localdate())
    delivery.acceptance_opinion_save(review=review, by=cast.expert_user, outcome="passed", opinion="指标均已达到")
    return delivery.acceptance_decide(challenge=challenge, by=cast.bureau, outcome="passed", conclusion="通过验收")


@pytest.fixture
def project(cast, make_challenge, regions, registrar):
    """An awarded challenge of 郑州, started, its contract registered, and 郑州's support rule."""
    challenge, _winner = awarded(cast, make_challenge)
    challenge = delivery.challenge_start(challenge=challenge, by=cast.setter, signed_on=timezone.localdate())
    policy = share_policy(regions["city"], by=cast.bureau)
    register(challenge.contract, seller=cast.applicant, registrar=registrar)
    return Challenge.objects.get(pk=challenge.pk), policy


def _amounts(result) -> dict:
    return {row["code"]: (row["amount_fen"], row["reached"]) for row in result["instalments"]}


class TestChallengeSupport:
    def test_a_city_without_a_rule_has_no_policy(self, cast, make_challenge):
        challenge, _winner = awarded(cast, make_challenge)
        result = support.challenge_support(challenge=challenge)
        assert result["policy"] is None and result["instalments"] == [] and result["total_fen"] == 0
        assert "郑州市" in result["message"] and "没有" in result["message"]

    def test_nothing_before_registration(self, cast, make_challenge, regions):
        # given: the awarded project's contract is still a draft
        challenge, _winner = awarded(cast, make_challenge)
        policy = share_policy(regions["city"], by=cast.bureau)
        # when
        result = support.challenge_support(challenge=challenge)
        # then: the ceiling is 30 % of 50 万元; nothing is granted yet
        assert result["policy"] == policy and result["payer_display"] == "省财政（市推荐）"
        assert (result["contract_amount_fen"], result["ceiling_fen"]) == (PRICE, 15 * WAN)
        assert _amounts(result) == {"signing": (0, False), "acceptance": (0, False)}
        assert [row["planned_fen"] for row in result["instalments"]] == [7_500_000, 7_500_000]
        assert all("合同未认定登记" in row["exclusions"] for row in result["instalments"])
        assert result["total_fen"] == 0

    def test_signing_once_registered_acceptance_once_accepted(self, cast, project):
        challenge, policy = project
        # registered: 签约 reached, 验收 not yet
        result = support.challenge_support(challenge=challenge)
        assert _amounts(result) == {"signing": (7_500_000, True), "acceptance": (0, False)}
        acceptance = result["instalments"][1]
        assert acceptance["exclusions"] == ["分期节点“验收”尚未达到（揭榜项目验收通过后支付）"]
        assert result["total_fen"] == 7_500_000
        # accepted: both
        challenge = accept(challenge, cast)
        result = support.challenge_support(challenge=challenge)
        assert _amounts(result) == {"signing": (7_500_000, True), "acceptance": (7_500_000, True)}
        assert result["total_fen"] == 15 * WAN == result["ceiling_fen"]
        assert any("150000.00 元" in step for step in result["steps"])

    def test_the_policys_maximum_and_yearly_cap_bound_the_whole(self, cast, project):
        challenge, policy = project
        challenge = accept(challenge, cast)
        SubsidyPolicy.objects.filter(pk=policy.pk).update(max_amount_fen=10 * WAN)
        result = support.challenge_support(challenge=challenge)
        assert result["ceiling_fen"] == 10 * WAN
        assert _amounts(result) == {"signing": (5 * WAN, True), "acceptance": (5 * WAN, True)}
        SubsidyPolicy.objects.filter(pk=policy.pk).update(max_amount_fen=None, cap_per_unit_year_fen=6 * WAN)
        result = support.challenge_support(challenge=challenge)
        assert result["ceiling_fen"] == 6 * WAN and result["total_fen"] == 6 * WAN
        assert result["instalments"][1]["exclusions"][-1].startswith("本年度已获补助")

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
    @given(amount=st.integers(min_value=1, max_value=10**12),
           rate=st.decimals(min_value="0.001", max_value="100", places=3),
           max_amount=st.one_of(st.none(), st.integers(min_value=0, max_value=10**11)),
           cap=st.one_of(st.none(), st.integers(min_value=0, max_value=10**11)),
           first=st.integers(min_value=1, max_value=99))
    def test_never_above_30_percent_nor_the_caps(self, cast, project, amount, rate, max_amount, cap, first):
        # given: any stored rate (even one the policy service would refuse), caps and instalment split
        challenge, policy = project
        challenge = Challenge.objects.get(pk=challenge.pk)  # the fixture is shared by every example
        if challenge.status != "accepted":
            challenge = accept(challenge, cast)
        TechContract.objects.filter(pk=challenge.contract_id).update(total_amount_fen=amount, tech_amount_fen=amount)
        SubsidyPolicy.objects.filter(pk=policy.pk).update(
            rate_percent=rate, max_amount_fen=max_amount, cap_per_unit_year_fen=cap,
            instalments=[{"code": "signing", "label": "签约", "percent": first},
                         {"code": "acceptance", "label": "验收", "percent": 100 - first}])
        # when
        result = support.challenge_support(challenge=Challenge.objects.get(pk=challenge.pk))
        # then
        granted = [row["amount_fen"] for row in result["instalments"]]
        assert result["total_fen"] == sum(granted) and min(granted) >= 0
        assert result["total_fen"] <= result["ceiling_fen"] <= amount * 30 // 100
        assert result["total_fen"] <= engine.apply_rate(amount, rate)
        for bound in (max_amount, cap):
            if bound is not None:
                assert result["ceiling_fen"] <= bound and result["total_fen"] <= bound
        assert result["planned_total_fen"] <= result["ceiling_fen"]
        # both stages are reached, so only rounding and the yearly cap keep it below the ceiling
        if cap is None or cap >= result["ceiling_fen"]:
            assert result["ceiling_fen"] - result["total_fen"] <= 1


class TestEngineRules:
    def test_a_rate_above_30_percent_is_refused(self, cast, regions):
        with pytest.raises(ApplicationError) as exc:
            share_policy(regions["city"], by=cast.bureau, rate_percent="30.001")
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("rate_percent", "rate_above_limit")
        assert share_policy(regions["city"], by=cast.bureau, rate_percent="25").rate_percent == Decimal("25")

    def test_a_contract_not_from_a_challenge_is_excluded(self, cast, project):
        challenge, policy = project
        snap = engine.policy_snapshot(policy)
        facts = engine.unit_facts(organization=challenge.winner.organization, as_of=timezone.localdate(),
                                  contract=challenge.contract, instalment="signing")
        assert engine.evaluate(snap, facts, base_year=policy.year).eligible
        facts["contract"]["source"] = "entered"
        result = engine.evaluate(snap, facts, base_year=policy.year)
        assert not result.eligible and [e.code for e in result.exclusions] == ["not_challenge_contract"]

    def test_the_stages_a_contract_reached(self, cast, make_challenge, registrar):
        challenge, _winner = awarded(cast, make_challenge)
        assert engine.contract_stages_reached(challenge.contract) == []
        challenge = delivery.challenge_start(challenge=challenge, by=cast.setter, signed_on=timezone.localdate())
        contract = register(challenge.contract, seller=cast.applicant, registrar=registrar)
        assert engine.contract_stages_reached(contract) == ["signing"]
        accept(Challenge.objects.get(pk=challenge.pk), cast)
        contract = TechContract.objects.get(pk=contract.pk)
        assert engine.contract_stages_reached(contract) == ["signing", "acceptance"]


class TestSubsidyRound:
    def test_a_round_pays_reached_stages_and_the_check_agrees(self, cast, project):
        # given: the registered project declared for both instalments before acceptance
        challenge, policy = project
        winner = challenge.winner.organization
        year = policy.year

        def round_of(name, instalments):
            return sf.round_through_review(bureau=cast.bureau, city="4101", policy_list=[policy], year=year,
                                           name=name, declarations=[
                                               {"org": winner, "policy": policy, "contract": challenge.contract_id,
                                                "instalment": code} for code in instalments])

        first = round_of("第一批", ["signing", "acceptance"])
        # when
        computation = sf.compute(first, cast.bureau)
        # then: 签约 is paid, 验收 is excluded as not reached
        assert [(line.organization, line.amount_fen) for line in computation.lines.all()] == [(winner, 7_500_000)]
        assert [(e.code, e.subject) for e in computation.exclusions.all()] == [("stage_not_reached", "contract")]
        rows, same = check.side_by_side(first)
        assert same and [r["check_fen"] for r in rows] == [7_500_000, 0]
        # once accepted, the next round pays 验收; 签约 is not paid twice
        accept(challenge, cast)
        second = round_of("第二批", ["acceptance", "signing"])
        computation = sf.compute(second, cast.bureau)
        assert [line.amount_fen for line in computation.lines.all()] == [7_500_000]
        assert [e.code for e in computation.exclusions.all()] == ["instalment_invalid"]
        rows, same = check.side_by_side(second)
        assert same and [r["check_fen"] for r in rows] == [7_500_000, 0]

    def test_the_yearly_cap_counts_the_units_other_contracts_paid_in_rounds(self, cast, project, registrar,
                                                                            make_challenge):
        # given: the same winner has a second registered project whose 签约 instalment a round paid (7.5 万),
        # and the rule allows 10 万 a unit a year
        challenge, policy = project
        challenge = accept(challenge, cast)
        second, _winner = awarded(cast, make_challenge)
        second = delivery.challenge_start(challenge=second, by=cast.setter, signed_on=timezone.localdate())
        register(second.contract, seller=cast.applicant, registrar=registrar, serial=2)
        winner = challenge.winner.organization
        paid = sf.round_through_review(bureau=cast.bureau, city="4101", policy_list=[policy], year=policy.year,
                                       name="第一批", declarations=[{"org": winner, "policy": policy,
                                                                    "contract": second.contract_id,
                                                                    "instalment": "signing"}])
        sf.compute(paid, cast.bureau)
        SubsidyPolicy.objects.filter(pk=policy.pk).update(cap_per_unit_year_fen=10 * WAN)
        # when
        result = support.challenge_support(challenge=challenge)
        # then: 2.5 万 is left for this project, and its 验收 instalment meets the cap
        assert _amounts(result) == {"signing": (2_500_000, True), "acceptance": (0, True)}
        assert any("其他合同已获该政策支持 75000.00 元" in step for step in result["steps"])
        assert any(step.startswith("“签约”节点：") and "本年度已获 75000.00 元" in step for step in result["steps"])
        # and the second project's own paid instalment is not counted against itself
        own = support.challenge_support(challenge=Challenge.objects.get(pk=second.pk))
        assert own["instalments"][0]["amount_fen"] == 7_500_000

    @pytest.mark.parametrize("rate, maximum, expected", [
        ("45", None, 7_500_000),     # a stored rate above 30 % (the policy service refuses it) counts as 30 %
        ("45", 20 * WAN, 7_500_000),
        ("30", 12 * WAN, 6 * WAN),   # the maximum bounds the whole support, each instalment is its share
    ])
    def test_the_check_keeps_the_30_percent_and_the_maximum_too(self, cast, project, rate, maximum, expected):
        # given
        challenge, policy = project
        SubsidyPolicy.objects.filter(pk=policy.pk).update(rate_percent=Decimal(rate), max_amount_fen=maximum)
        round_ = sf.round_through_review(bureau=cast.bureau, city="4101", policy_list=[policy], year=policy.year,
                                         declarations=[{"org": challenge.winner.organization, "policy": policy,
                                                        "contract": challenge.contract_id, "instalment": "signing"}])
        # when
        computation = sf.compute(round_, cast.bureau)
        # then: the 签约 half of min(50 万 × min(rate, 30 %), maximum), in the round and in the independent check
        assert [line.amount_fen for line in computation.lines.all()] == [expected]
        rows, same = check.side_by_side(round_)
        assert same and [r["check_fen"] for r in rows] == [expected]
