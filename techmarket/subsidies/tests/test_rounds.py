"""Rounds: maker-checker, 公示 by working days, recomputation with a diff, caps across rounds, budget
scaling, the independent check, permissions of district officers, the action × state × role matrix."""
from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import available_actions, policy_allows
from techmarket.scheduling.models import CalendarDay
from techmarket.subsidies import services
from techmarket.subsidies.check import side_by_side
from techmarket.subsidies.workflows import ROUND_TRANSITIONS

from . import factories as f

D = datetime.date


def _buyer_with_payment(name: str, amount: int, region="410611"):
    ent = f.org(name, region)
    c = f.contract(seller_region="110108", buyer=ent, total=amount * 2)
    f.payment(c, D(2025, 5, 5), amount)
    return ent


@pytest.fixture
def computed_round(bureau_hebi, hebi_policies):
    policy = hebi_policies["hb-ent-buy-outside-province"]
    ent = _buyer_with_payment("鹤壁甲企业", 50_000_000)
    round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                    declarations=[{"org": ent, "policy": policy}])
    f.compute(round_, bureau_hebi)
    return round_


@pytest.mark.django_db
class TestRoundApprove:
    def test_whoever_computed_cannot_approve(self, computed_round, bureau_hebi):
        services.round_act(round_=computed_round, action="publish_notice", by=bureau_hebi, today=D(2026, 3, 2))
        with pytest.raises(PermissionDenied) as exc:
            services.round_act(round_=computed_round, action="approve", by=bureau_hebi, today=D(2026, 4, 1))
        assert "测算人不能批准本人测算的批次" in str(exc.value)
        assert "approve" not in available_actions(computed_round, bureau_hebi)

    def test_another_bureau_user_approves_after_the_notice(self, computed_round, bureau_hebi, bureau_hebi_2):
        services.round_act(round_=computed_round, action="publish_notice", by=bureau_hebi, today=D(2026, 3, 2))
        computed_round.refresh_from_db()
        with pytest.raises(ApplicationError) as exc:
            services.round_act(round_=computed_round, action="approve", by=bureau_hebi_2, today=D(2026, 3, 9))
        assert exc.value.errors[0].message == "公示期至 2026-03-09 结束，公示期满后方可批准"
        approved = services.round_act(round_=computed_round, action="approve", by=bureau_hebi_2, today=D(2026, 3, 10))
        assert approved.status == "approved" and approved.approved_by == bureau_hebi_2


@pytest.mark.django_db
class TestRoundPublishNotice:
    def test_notice_ends_after_n_working_days(self, computed_round, bureau_hebi):
        # given: Friday 2026-03-06; a holiday on Wednesday 03-11 (as calendar data)
        CalendarDay.objects.create(date=D(2026, 3, 11), kind="holiday", name="测试假日")
        # when
        round_ = services.round_act(round_=computed_round, action="publish_notice", by=bureau_hebi,
                                    today=D(2026, 3, 6))
        # then: 03-09, 03-10, 03-12, 03-13, 03-16 → ends Monday 03-16
        assert (round_.notice_starts_on, round_.notice_ends_on) == (D(2026, 3, 6), D(2026, 3, 16))


@pytest.mark.django_db
class TestRoundRecompute:
    def test_recomputation_is_a_new_version_with_a_diff(self, bureau_hebi, hebi_policies):
        band = hebi_policies["hb-agency-band"]
        agency = f.org("鹤壁乙机构", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "municipal")
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[band],
                                        declarations=[{"org": agency, "policy": band, "grade": "合格"}])
        first = f.compute(round_, bureau_hebi)
        declaration = round_.declarations.get()
        services.declaration_assess(declaration=declaration, by=bureau_hebi, grade="优秀")
        second = f.compute(round_, bureau_hebi)
        first.refresh_from_db()
        assert (first.version, first.is_current, second.version, second.is_current) == (1, False, 2, True)
        assert second.diff == [{"declaration_id": declaration.pk, "organization": "鹤壁乙机构",
                                "policy": band.name, "before_fen": 10_000_000, "after_fen": 30_000_000,
                                "change_fen": 20_000_000, "kind": "changed"}]
        assert first.lines.get().amount_fen == 10_000_000  # the old version is kept as it was

    def test_editing_a_used_policy_makes_a_new_version(self, computed_round, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        new = services.policy_update(policy=policy, by=bureau_hebi, data={"rate_percent": "8"})
        policy.refresh_from_db()
        assert (new.version, new.is_current, policy.is_current) == (2, True, False)
        assert computed_round.current_computation.policies_snapshot[0]["rate_percent"] == "10.000"
        assert computed_round.current_computation.lines.get().policy_id == policy.pk


@pytest.mark.django_db
class TestCapsAcrossRounds:
    def test_a_cap_is_never_exceeded_across_rounds_of_a_year(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        ent = _buyer_with_payment("鹤壁丙企业", 800_000_000)  # 10% = 800,000.00
        first = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                       declarations=[{"org": ent, "policy": policy}], name="第一批")
        assert f.compute(first, bureau_hebi).lines.get().amount_fen == 80_000_000
        second = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}], name="第二批")
        line = f.compute(second, bureau_hebi).lines.get()
        assert (line.received_before_fen, line.amount_fen) == (80_000_000, 20_000_000)
        third = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                       declarations=[{"org": ent, "policy": policy}], name="第三批")
        computation = f.compute(third, bureau_hebi)
        assert computation.lines.count() == 0
        assert computation.exclusions.get().code == "cap_reached"


@pytest.mark.django_db
class TestBudgetScaling:
    def test_up_to_lines_scale_pro_rata_and_fixed_awards_stay(self, bureau_hebi, hebi_policies):
        rate, band = hebi_policies["hb-ent-buy-outside-province"], hebi_policies["hb-agency-band"]
        a = _buyer_with_payment("鹤壁丁企业", 100_000_000)  # 100,000.00
        b = _buyer_with_payment("鹤壁戊企业", 200_000_001)  # 200,000.00 (rounded down)
        agency = f.org("鹤壁己机构", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "municipal")
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[rate, band], budget="300000.00",
                                        declarations=[{"org": a, "policy": rate}, {"org": b, "policy": rate},
                                                      {"org": agency, "policy": band, "grade": "合格"}])
        computation = f.compute(round_, bureau_hebi)
        amounts = {l.organization.name: l.amount_fen for l in computation.lines.all()}
        # 300,000 − 100,000 fixed = 200,000 for 300,000.00 of rate lines
        assert amounts == {"鹤壁丁企业": 10_000_000 * 20_000_000 // 30_000_000,
                           "鹤壁戊企业": 20_000_000 * 20_000_000 // 30_000_000, "鹤壁己机构": 10_000_000}
        assert computation.total_fen == sum(amounts.values())
        assert computation.remainder_fen == 30_000_000 - computation.total_fen == 1


@pytest.mark.django_db
class TestIndependentCheck:
    def test_demo_like_round_agrees_with_the_independent_calculation(self, bureau_hebi, hebi_policies, capsys):
        p = hebi_policies
        ent = _buyer_with_payment("鹤壁庚企业", 123_456_789)
        local = f.org("鹤壁辛企业", "410611")
        c = f.contract(seller_region="410105", buyer=local, total=1_000_000)
        f.payment(c, D(2025, 2, 2), 1_000_000)
        agency = f.org("鹤壁壬机构", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "provincial")
        deal = f.contract(seller_region="410105", buyer=ent, total=90_000_000, broker=agency)
        f.payment(deal, D(2025, 10, 1), 77_777_777, evidence=("voucher",))
        f.payment(deal, D(2025, 11, 1), 12_222_223)
        rd = f.org("鹤壁癸研究院", "410611", kind="rd_institution")
        f.qualification(rd, "rd_institution", "national", recognised_on=D(2025, 2, 1))
        round_ = f.round_through_review(
            bureau=bureau_hebi, city="4106", budget="350000.00",
            policy_list=[p["hb-ent-buy-outside-province"], p["hb-demo-agency-rate"], p["hb-agency-band"],
                         p["hb-new-rd-institution"]],
            declarations=[{"org": ent, "policy": p["hb-ent-buy-outside-province"]},
                          {"org": local, "policy": p["hb-ent-buy-outside-province"]},
                          {"org": agency, "policy": p["hb-demo-agency-rate"]},
                          {"org": agency, "policy": p["hb-agency-band"], "grade": "合格"},
                          {"org": rd, "policy": p["hb-new-rd-institution"], "assessed_amount": "200000"}])
        f.compute(round_, bureau_hebi)
        rows, same = side_by_side(round_)
        assert same and len(rows) == 5
        assert sum(r["check_fen"] for r in rows) == round_.current_computation.total_fen
        out = io.StringIO()
        call_command("subsidy_check", "--round", str(round_.pk), stdout=out)
        assert "鹤壁辛企业 · 合同" in out.getvalue() and "交易对方位于本省" in out.getvalue()


@pytest.mark.django_db
class TestDistrictOfficer:
    def test_cannot_edit_policies_compute_or_approve(self, computed_round, officer_qibin, hebi_policies):
        with pytest.raises(PermissionDenied):
            services.policy_update(policy=hebi_policies["hb-agency-band"], by=officer_qibin, data={"name": "改"})
        with pytest.raises(PermissionDenied):
            services.round_act(round_=computed_round, action="compute", by=officer_qibin)
        assert available_actions(computed_round, officer_qibin) == []

    def test_pre_reviews_only_declarations_of_the_district(self, bureau_hebi, officer_qibin, officer_qixian,
                                                           hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        round_ = services.round_create(by=bureau_hebi, city=f.region("410600"), data={
            "name": "批次", "year": 2026, "declaration_deadline": D(2099, 1, 1), "policies": [policy.pk]})
        services.round_act(round_=round_, action="open", by=bureau_hebi)
        round_.refresh_from_db()
        ent = _buyer_with_payment("鹤壁淇滨企业", 10_000_000, region="410611")
        user = f.unit_user(ent)
        d = services.declaration_create(round_=round_, by=user, data={"policy": policy.pk})
        f.evidence(d, user)
        d = services.declaration_act(declaration=d, action="submit", by=user)
        assert available_actions(d, officer_qixian) == []
        assert set(available_actions(d, officer_qibin)) == {"pre_approve", "pre_return"}
        with pytest.raises(PermissionDenied):
            services.declaration_act(declaration=d, action="pre_approve", by=officer_qixian)
        d = services.declaration_act(declaration=d, action="pre_approve", by=officer_qibin)
        assert available_actions(d, officer_qibin) == []  # 复审 stays with the city
        assert set(available_actions(d, bureau_hebi)) == {"accept", "return", "reject"}


ROLES = ("bureau", "bureau_2", "officer", "unit", "other_city_bureau")
# who may take each round action (maker-checker: "bureau" computed the round)
EXPECTED = {"open": {"bureau", "bureau_2"}, "close_declarations": {"bureau", "bureau_2"},
            "compute": {"bureau", "bureau_2"}, "publish_notice": {"bureau", "bureau_2"},
            "approve": {"bureau_2"}, "close": {"bureau", "bureau_2"}, "cancel": {"bureau", "bureau_2"}}


@pytest.mark.django_db
def test_round_action_state_role_matrix(computed_round, bureau_hebi, bureau_hebi_2, officer_qibin, bureau_zhoukou):
    users = {"bureau": bureau_hebi, "bureau_2": bureau_hebi_2, "officer": officer_qibin,
             "unit": f.unit_user(f.org("鹤壁单位用户", "410611")), "other_city_bureau": bureau_zhoukou}
    for action, spec in ROUND_TRANSITIONS.items():
        for state in {s for s in spec.sources}:
            computed_round.status = state
            for role in ROLES:
                allowed = policy_allows(users[role], spec.permission, computed_round)
                assert allowed == (role in EXPECTED[action]), (action, state, role)
                assert (action in available_actions(computed_round, users[role])) == (role in EXPECTED[action])
