"""Each seed rule of SPEC P1 as a worked example: hand-made contracts and payments → exact fen.

Every test names its seed paragraph. Amounts: 1 yuan = 100 fen; rates are applied to the summed base
and rounded down to the fen.
"""
from __future__ import annotations

import datetime

import pytest

from techmarket.contracts.models import TechContract
from techmarket.integrity.models import IntegrityRecord

from . import factories as f

D = datetime.date


def _lines(computation):
    return {(line.organization.name, line.policy.code): line.amount_fen for line in computation.lines.all()}


def _exclusions(computation):
    return {(e.subject_label, e.code) for e in computation.exclusions.all()}


@pytest.mark.django_db
class TestHebiEnterpriseBuyingOutsideProvince:
    """seed 000 技术转移方案 (四): 购买省外先进技术成果并在鹤壁转化 … 按上年度技术合同成交额（依据转账凭证和发票）
    最高10%，每家企业每年最高不超过100万元；(八) 全国技术合同登记系统登记方可享受。"""

    def test_paid_evidenced_amounts_from_outside_the_province_count(self, bureau_hebi, hebi_policies):
        # given: an enterprise of 淇滨区 buying from 北京 (counts), 郑州 (same province) and 南京 (no national number)
        policy = hebi_policies["hb-ent-buy-outside-province"]
        ent = f.org("鹤壁华创电子有限公司", "410611")
        beijing = f.contract(seller_region="110108", buyer=ent, total=200_000_000, registered_on=D(2024, 11, 3),
                             name="北京技术转让合同")
        f.payment(beijing, D(2025, 4, 1), 123_456_789)                     # counted
        f.payment(beijing, D(2025, 9, 1), 30_000_000, evidence=("voucher",))  # no invoice
        zhengzhou = f.contract(seller_region="410105", buyer=ent, total=10_000_000, name="郑州技术开发合同")
        f.payment(zhengzhou, D(2025, 6, 1), 10_000_000)
        nanjing = f.contract(seller_region="320102", buyer=ent, total=50_000_000, national=False, name="南京许可合同")
        f.payment(nanjing, D(2025, 7, 1), 50_000_000)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}])
        # when
        computation = f.compute(round_, bureau_hebi)
        # then: 1,234,567.89 × 10% = 123,456.789 → 123,456.78 yuan
        assert _lines(computation) == {("鹤壁华创电子有限公司", "hb-ent-buy-outside-province"): 12_345_678}
        line = computation.lines.get()
        assert line.base_fen == 123_456_789
        assert [i["amount_fen"] for i in line.explanation["items"]] == [123_456_789]
        assert _exclusions(computation) == {
            ("北京技术转让合同 2025-09-01 付款 300000.00 元", "payment_not_evidenced"),
            ("郑州技术开发合同", "counterparty_not_outside_province"),
            ("南京许可合同", "no_national_number"),
        }
        missing = computation.exclusions.get(code="payment_not_evidenced")
        assert missing.message == "付款缺少发票"

    def test_cap_of_one_million_per_enterprise(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        ent = f.org("鹤壁中宇材料有限公司", "410622")
        c = f.contract(seller_region="310104", buyer=ent, total=2_000_000_000)
        f.payment(c, D(2025, 2, 1), 1_500_000_000)  # 15,000,000 yuan → 1,500,000 → capped to 1,000,000
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}])
        line = f.compute(round_, bureau_hebi).lines.get()
        assert (line.raw_fen, line.cap_fen, line.amount_fen) == (150_000_000, 100_000_000, 100_000_000)

    def test_active_integrity_record_blocks_with_the_reason(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-ent-buy-outside-province"]
        ent = f.org("鹤壁博远机械有限公司", "410611")
        c = f.contract(seller_region="110108", buyer=ent, total=10_000_000)
        f.payment(c, D(2025, 2, 1), 10_000_000)
        IntegrityRecord.objects.create(
            subject_kind="organization", organization=ent, subject_name=ent.name, record_type="false_declaration",
            facts="虚报项目", source_document="鹤科〔2025〕12号", source_authority="鹤壁市科学技术局",
            effective_from=D(2025, 1, 1), region=ent.region)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}])
        computation = f.compute(round_, bureau_hebi)
        assert computation.lines.count() == 0
        exclusion = computation.exclusions.get()
        assert exclusion.code == "integrity_record"
        assert exclusion.message == "存在科研失信记录：虚假申报、骗取财政资金（鹤科〔2025〕12号）"


@pytest.mark.django_db
class TestHebiUniversitiesOfTheProvince:
    """seed 000 技术转移方案 (四): 鼓励省内高校、科研院所在我市实施技术转移转化，按其上年度技术合同成交额
    （依据转账凭证和发票）… 最高10%的后补助，每家单位每年最高不超过100万元。"""

    def test_provincial_university_transferring_into_hebi(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-univ-inst-transfer"]
        univ = f.org("郑州某大学", "410105", kind="university")
        buyer_hebi = f.org("鹤壁吸纳企业", "410611")
        buyer_zz = f.org("郑州吸纳企业", "410102")
        ok = f.contract(seller=univ, buyer=buyer_hebi, total=100_000_000, name="在鹤转化合同")
        f.payment(ok, D(2025, 3, 15), 80_000_000)
        elsewhere = f.contract(seller=univ, buyer=buyer_zz, total=100_000_000, name="在郑转化合同")
        f.payment(elsewhere, D(2025, 3, 15), 60_000_000)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": univ, "policy": policy}])
        computation = f.compute(round_, bureau_hebi)
        assert _lines(computation) == {("郑州某大学", "hb-univ-inst-transfer"): 8_000_000}  # 80,000.00 yuan
        assert _exclusions(computation) == {("在鹤转化合同" if False else "在郑转化合同", "transfer_not_in_city")}

    def test_university_outside_the_province_is_out_of_scope(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-univ-inst-transfer"]
        univ = f.org("北京某研究所", "110108", kind="institute")
        buyer = f.org("鹤壁吸纳企业二", "410611")
        c = f.contract(seller=univ, buyer=buyer, total=10_000_000)
        f.payment(c, D(2025, 3, 15), 10_000_000)
        # an out-of-province unit cannot declare in Hebi's round itself: computed through the engine
        from techmarket.subsidies import engine

        facts = engine.unit_facts(organization=univ, as_of=D(2026, 3, 1), contracts=[c])
        result = engine.evaluate(engine.policy_snapshot(policy), facts, base_year=2025)
        assert not result.eligible
        assert [e.code for e in result.exclusions] == ["unit_not_in_province"]


@pytest.mark.django_db
class TestHebiTransferAgencies:
    """seed 000 技术转移方案 (五): 省级以上技术转移示范机构 … 上年度技术合同成交额（依据转账凭证和发票）最高2%，
    每家机构每年最高不超过100万元；市级以上示范机构和科技中介服务机构根据绩效考核给予10—30万元。"""

    def test_provincial_demonstration_agency_gets_two_percent(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-demo-agency-rate"]
        agency = f.org("鹤壁市技术转移中心", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "provincial")
        buyer = f.org("鹤壁受让企业", "410602")
        c = f.contract(seller_region="410105", buyer=buyer, total=400_000_000, broker=agency)
        f.payment(c, D(2025, 8, 8), 333_333_333)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": agency, "policy": policy}])
        # 3,333,333.33 × 2% = 66,666.6666 → 66,666.66
        assert _lines(f.compute(round_, bureau_hebi)) == {("鹤壁市技术转移中心", "hb-demo-agency-rate"): 6_666_666}

    def test_municipal_demonstration_agency_is_below_the_level(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-demo-agency-rate"]
        agency = f.org("鹤壁市级示范机构", "410611", kind="agency")
        f.qualification(agency, "transfer_demo", "municipal")
        buyer = f.org("鹤壁受让企业三", "410602")
        c = f.contract(seller_region="410105", buyer=buyer, total=100_000_000, broker=agency)
        f.payment(c, D(2025, 8, 8), 100_000_000)
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy],
                                        declarations=[{"org": agency, "policy": policy}])
        computation = f.compute(round_, bureau_hebi)
        assert computation.lines.count() == 0
        assert computation.exclusions.get().code == "qualification_level"
        assert "省级及以上技术转移示范机构" in computation.exclusions.get().message

    def test_municipal_agency_band_by_grade(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-agency-band"]
        good = f.org("鹤壁良好机构", "410611", kind="agency")
        f.qualification(good, "transfer_demo", "municipal")
        ungraded = f.org("鹤壁未定档机构", "410611", kind="service_provider")
        f.qualification(ungraded, "transfer_demo", "municipal")
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], declarations=[
            {"org": good, "policy": policy, "grade": "良好"}, {"org": ungraded, "policy": policy}])
        computation = f.compute(round_, bureau_hebi)
        assert _lines(computation) == {("鹤壁良好机构", "hb-agency-band"): 20_000_000}
        assert _exclusions(computation) == {("鹤壁未定档机构", "grade_missing")}


@pytest.mark.django_db
class TestHebiPlatforms:
    """seed 000 技术转移方案 (九): 市级以上众创空间、星创天地和科技孵化器，根据绩效考核情况，给予10—30万元。"""

    def test_platform_operator_gets_the_band_of_its_grade(self, bureau_hebi, hebi_policies):
        policy = hebi_policies["hb-platform-band"]
        operator = f.org("鹤壁创业服务有限公司", "410611")
        space = f.platform(operator, "maker_space", "municipal", name="淇河众创空间")
        small = f.org("鹤壁县级孵化器运营公司", "410621")
        incubator = f.platform(small, "incubator", "district", name="浚县孵化器")
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], declarations=[
            {"org": operator, "policy": policy, "platform": space.pk, "grade": "优秀"},
            {"org": small, "policy": policy, "platform": incubator.pk, "grade": "优秀"}])
        computation = f.compute(round_, bureau_hebi)
        assert _lines(computation) == {("鹤壁创业服务有限公司", "hb-platform-band"): 30_000_000}
        assert _exclusions(computation) == {("鹤壁县级孵化器运营公司", "qualification_level")}


@pytest.mark.django_db
class TestHebiNewRdInstitutions:
    """seed 000 创新驱动 二(四)1 (经省备案 … 10—50万元) and 技术转移方案 (四) (新认定的国家、省（重大）新型研发机构，
    一次性奖励10—50万元): municipal recognition is not eligible; once per unit per qualification."""

    def test_one_time_award_once(self, bureau_hebi, bureau_hebi_2, hebi_policies):
        policy = hebi_policies["hb-new-rd-institution"]
        rd = f.org("鹤壁新型研发研究院", "410611", kind="rd_institution")
        f.qualification(rd, "rd_institution", "provincial", recognised_on=D(2025, 6, 1))
        city_level = f.org("鹤壁市级研发机构", "410611", kind="rd_institution")
        f.qualification(city_level, "rd_institution", "municipal", recognised_on=D(2025, 6, 1))
        round_ = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], declarations=[
            {"org": rd, "policy": policy, "assessed_amount": "400000"},
            {"org": city_level, "policy": policy}])
        computation = f.compute(round_, bureau_hebi)
        assert _lines(computation) == {("鹤壁新型研发研究院", "hb-new-rd-institution"): 40_000_000}
        assert _exclusions(computation) == {("鹤壁市级研发机构", "qualification_level")}
        # a second round of the same year cannot award the same recognition again
        second = f.round_through_review(bureau=bureau_hebi, city="4106", policy_list=[policy], name="第二批",
                                        declarations=[{"org": rd, "policy": policy, "assessed_amount": "100000"}])
        again = f.compute(second, bureau_hebi)
        assert again.lines.count() == 0
        assert again.exclusions.get().code == "already_awarded"


@pytest.mark.django_db
class TestZhoukouEnterpriseBuyingOutsideCity:
    """seed 003 (五): 本市企业购买市外先进技术成果并在市内转化 … 按其上年度技术合同实际成交额给予最高10%，
    每家企业每年不超过100万元 (实际成交额 = amounts actually paid in the year)."""

    def test_payments_for_technology_from_outside_the_city(self, bureau_zhoukou, zhoukou_policies):
        policy = zhoukou_policies["zk-ent-buy-outside-city"]
        ent = f.org("周口川汇食品有限公司", "411602")
        zz = f.contract(seller_region="410105", buyer=ent, total=300_000_000, name="郑州成果转让")
        f.payment(zz, D(2025, 1, 20), 150_000_001, evidence=())  # evidence is not a condition of 003 (五)
        f.payment(zz, D(2025, 11, 20), 50_000_000, evidence=())
        local = f.contract(seller_region="411621", buyer=ent, total=10_000_000, name="扶沟县内合同")
        f.payment(local, D(2025, 5, 1), 10_000_000)
        round_ = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy],
                                        declarations=[{"org": ent, "policy": policy}])
        computation = f.compute(round_, bureau_zhoukou)
        # 2,000,000.01 × 10% = 200,000.001 → 200,000.00
        assert _lines(computation) == {("周口川汇食品有限公司", "zk-ent-buy-outside-city"): 20_000_000}
        assert _exclusions(computation) == {("扶沟县内合同", "counterparty_not_outside_city")}


@pytest.mark.django_db
class TestZhoukouUniversitiesInTheCity:
    """seed 003 (五): 在周高校、科研院所在本市范围内实施技术转移转化 … 按上年度技术合同交易额最高10%，
    每家单位每年不超过100万元 (SPEC: 技术交易额, by registration date)."""

    def test_tech_amount_of_contracts_registered_last_year(self, bureau_zhoukou, zhoukou_policies):
        policy = zhoukou_policies["zk-univ-inst-transfer"]
        univ = f.org("周口某学院", "411602", kind="university")
        buyer = f.org("周口淮阳企业", "411603")
        outside = f.org("郑州受让企业", "410105")
        f.contract(seller=univ, buyer=buyer, total=120_000_000, tech=90_000_000, registered_on=D(2025, 7, 1),
                   name="本市转化合同")
        f.contract(seller=univ, buyer=buyer, total=50_000_000, registered_on=D(2024, 12, 30), name="上上年合同")
        f.contract(seller=univ, buyer=outside, total=50_000_000, registered_on=D(2025, 3, 1), name="市外转化合同")
        round_ = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy],
                                        declarations=[{"org": univ, "policy": policy}])
        computation = f.compute(round_, bureau_zhoukou)
        assert _lines(computation) == {("周口某学院", "zk-univ-inst-transfer"): 9_000_000}  # 90,000.00
        # the 2024 contract is not pre-filled (registered outside the base year); the 郑州 one is excluded
        assert _exclusions(computation) == {("市外转化合同", "transfer_not_in_city")}


@pytest.mark.django_db
class TestZhoukouAgencies:
    """seed 003 (八): 技术转移机构开展技术成果交易服务并在周实现转化的，由机构所在地受益财政按上年度技术交易额
    给予最高2%，每个机构每年不超过100万元 — any agency, wherever it sits."""

    def test_any_agency_with_deals_converted_in_zhoukou(self, bureau_zhoukou, zhoukou_policies):
        policy = zhoukou_policies["zk-agency-brokered"]
        agency = f.org("周口技术转移服务有限公司", "411602", kind="agency")
        buyer = f.org("周口转化企业", "411602")
        f.contract(seller_region="110108", buyer=buyer, total=500_000_000, tech=456_789_012, broker=agency,
                   registered_on=D(2025, 10, 1))
        round_ = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy],
                                        declarations=[{"org": agency, "policy": policy}])
        computation = f.compute(round_, bureau_zhoukou)
        # 4,567,890.12 × 2% = 91,357.8024 → 91,357.80
        assert _lines(computation) == {("周口技术转移服务有限公司", "zk-agency-brokered"): 9_135_780}
        assert computation.lines.get().policy.payer == "district"


@pytest.mark.django_db
class TestZhoukouChallengeShare:
    """seed 003 (六) 揭榜挂帅: 争取省财政按不超过合同额的30%给予支持 (instalments 50% 签约, 50% 验收)."""

    def test_each_instalment_once_when_its_stage_is_reached(self, bureau_zhoukou, zhoukou_policies):
        policy = zhoukou_policies["zk-challenge-share"]
        solver = f.org("周口揭榜研究院", "411602", kind="institute")
        issuer = f.org("周口发榜企业", "411602")
        c = f.contract(seller=solver, buyer=issuer, total=100_000_001)
        TechContract.objects.filter(pk=c.pk).update(source="challenge")  # the contract of a 揭榜挂帅 project
        round_ = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy], declarations=[
            {"org": solver, "policy": policy, "contract": c.pk, "instalment": "signing"}])
        # 1,000,000.01 × 30% = 300,000.003 → 300,000.00; 签约 (reached: registered) 50% = 150,000.00
        assert _lines(f.compute(round_, bureau_zhoukou)) == {("周口揭榜研究院", "zk-challenge-share"): 15_000_000}
        second = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy], name="验收批",
                                        declarations=[
            {"org": solver, "policy": policy, "contract": c.pk, "instalment": "acceptance"},
            {"org": solver, "policy": policy, "contract": c.pk, "instalment": "signing"}])
        computation = f.compute(second, bureau_zhoukou)
        # 验收: no accepted 揭榜挂帅 project behind the contract (challenges/tests/test_support.py pays it);
        # 签约: already granted
        assert list(computation.lines.values_list("amount_fen", flat=True)) == []
        assert sorted(computation.exclusions.values_list("code", flat=True)) == ["instalment_invalid",
                                                                                 "stage_not_reached"]

    def test_a_contract_not_from_a_challenge_gets_nothing(self, bureau_zhoukou, zhoukou_policies):
        policy = zhoukou_policies["zk-challenge-share"]
        solver = f.org("周口技术研究院", "411602", kind="institute")
        c = f.contract(seller=solver, buyer=f.org("周口企业", "411602"), total=100_000_000)
        round_ = f.round_through_review(bureau=bureau_zhoukou, city="4116", policy_list=[policy], declarations=[
            {"org": solver, "policy": policy, "contract": c.pk, "instalment": "signing"}])
        computation = f.compute(round_, bureau_zhoukou)
        assert _lines(computation) == {}
        assert computation.exclusions.get().code == "not_challenge_contract"
