"""The 鹤壁 (seed 000) and 周口 (seed 003) subsidy rules of SPEC P1, as configuration.

``subsidy_policies_load(city="4106", year=2026)`` creates the rules that the city does not have yet for
that year (idempotent: matched by code); the demo calls it and production runs
``techmarket subsidy_policies_load --city 4106 --year 2026 --commit``. Amounts are fen. Each rule cites
its paragraph in Chinese; docs/features/subsidy-rules.md explains every reading of the seed text.
"""
from __future__ import annotations

from django.db import transaction

WAN = 1_000_000  # 1 万元 in fen
GRADES_10_30 = [{"grade": "优秀", "amount_fen": 30 * WAN}, {"grade": "良好", "amount_fen": 20 * WAN},
                {"grade": "合格", "amount_fen": 10 * WAN}, {"grade": "不合格", "amount_fen": 0}]

HEBI_DOC = "《鹤壁市技术转移体系建设实施方案》"
ZHOUKOU_DOC = "《周口市支持科技成果转化促进产学研用深度融合若干措施》"

SEED_RULES: dict[str, list[dict]] = {
    "4106": [
        {
            "code": "hb-ent-buy-outside-province", "name": "企业购买省外技术成果在鹤转化后补助",
            "rule_kind": "rate_of_base", "recipient_role": "buyer", "base": "paid_amount",
            "payment_evidence_required": True, "counterparty_location": "outside_province", "unit_location": "in_city",
            "transfer_in_city": True, "unit_kind": "enterprise", "payer": "province", "rate_percent": "10",
            "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": HEBI_DOC + "（四）：“对购买省外先进技术成果并在鹤壁转化、产业化的，按其上年度技术合同成交额"
                        "（依据转账凭证和发票），积极争取省财政给予最高10%的后补助，每家企业每年最高不超过100万元。”"
                        "（八）：“在全国技术合同登记系统中登记方可享受相关财政奖补政策。”",
        },
        {
            "code": "hb-univ-inst-transfer", "name": "省内高校、科研院所在鹤实施技术转移转化后补助",
            "rule_kind": "rate_of_base", "recipient_role": "seller", "base": "paid_amount",
            "payment_evidence_required": True, "counterparty_location": "any", "unit_location": "in_province",
            "transfer_in_city": True, "unit_kind": "university_institute", "payer": "province", "rate_percent": "10",
            "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": HEBI_DOC + "（四）：“鼓励省内高校、科研院所在我市实施技术转移转化，按其上年度技术合同成交额"
                        "（依据转账凭证和发票），积极争取省财政给予最高10%的后补助，每家单位每年最高不超过100万元。”"
                        "（八）：全国技术合同登记系统登记方可享受。",
        },
        {
            "code": "hb-demo-agency-rate", "name": "省级以上技术转移示范机构促进市内转化后补助",
            "rule_kind": "rate_of_base", "recipient_role": "broker", "base": "paid_amount",
            "payment_evidence_required": True, "counterparty_location": "any", "unit_location": "any",
            "transfer_in_city": True, "unit_kind": "agency", "qualification_kind": "transfer_demo",
            "min_level": "provincial", "payer": "province", "rate_percent": "2", "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": HEBI_DOC + "（五）：“对促进技术在市内转移转化的省级以上技术转移示范机构，按其上年度技术合同成交额"
                        "（依据转账凭证和发票），积极争取省财政给予最高2%的后补助，每家机构每年最高不超过100万元。”"
                        "（八）：全国技术合同登记系统登记方可享受。",
        },
        {
            "code": "hb-agency-band", "name": "市级以上技术转移示范机构和科技中介服务机构绩效奖励",
            "rule_kind": "band_by_grade", "recipient_role": "unit", "unit_location": "any",
            "unit_kind": "agency_or_intermediary", "qualification_kind": "transfer_demo", "min_level": "municipal",
            "payer": "city", "min_amount_fen": 10 * WAN, "max_amount_fen": 30 * WAN, "grade_amounts": GRADES_10_30,
            "citation": HEBI_DOC + "（五）：“对促成技术在市内转移转化的市级以上技术转移示范机构和科技中介服务机构，"
                        "根据绩效考核情况，给予10—30万元的奖励补助。”",
        },
        {
            "code": "hb-platform-band", "name": "市级以上众创空间、星创天地和科技孵化器绩效奖励",
            "rule_kind": "band_by_grade", "recipient_role": "unit", "unit_location": "in_city", "unit_kind": "platform",
            "platform_kinds": ["maker_space", "xingchuang", "incubator"], "min_level": "municipal", "payer": "city",
            "min_amount_fen": 10 * WAN, "max_amount_fen": 30 * WAN, "grade_amounts": GRADES_10_30,
            "citation": HEBI_DOC + "（九）：“对市级以上众创空间、星创天地和科技孵化器，根据绩效考核情况，给予10—30万元的"
                        "奖励补助。”（奖励拨付载体的运营单位）",
        },
        {
            "code": "hb-new-rd-institution", "name": "新认定国家、省级新型研发机构一次性奖励",
            "rule_kind": "one_time_on_event", "recipient_role": "unit", "unit_location": "in_city",
            "unit_kind": "rd_institution", "qualification_kind": "rd_institution", "min_level": "provincial",
            "payer": "city", "min_amount_fen": 10 * WAN, "max_amount_fen": 50 * WAN,
            "citation": HEBI_DOC + "（四）：“对新认定的国家、省（重大）新型研发机构，给予一次性奖励10—50万元。”"
                        "《鹤壁市创新驱动提速增效工程实施方案》二（四）1：“经省备案的新型研发机构，市财政给予10—50万元的"
                        "奖励性后补助支持。”（市级认定不在支持范围）",
        },
    ],
    "4116": [
        {
            "code": "zk-ent-buy-outside-city", "name": "本市企业购买市外技术成果在市内转化奖补",
            "rule_kind": "rate_of_base", "recipient_role": "buyer", "base": "paid_amount",
            "payment_evidence_required": False, "counterparty_location": "outside_city", "unit_location": "in_city",
            "transfer_in_city": True, "unit_kind": "enterprise", "payer": "province", "rate_percent": "10",
            "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": ZHOUKOU_DOC + "（五）：“本市企业购买市外先进技术成果并在市内转化、产业化的，争取省财政按其上年度"
                        "技术合同实际成交额给予最高10%的奖补，每家企业每年不超过100万元。”（实际成交额按上年度实际支付额计）",
        },
        {
            "code": "zk-univ-inst-transfer", "name": "在周高校、科研院所在本市实施技术转移转化后补助",
            "rule_kind": "rate_of_base", "recipient_role": "seller", "base": "tech_amount",
            "counterparty_location": "any", "unit_location": "in_city", "transfer_in_city": True,
            "unit_kind": "university_institute", "payer": "province", "rate_percent": "10",
            "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": ZHOUKOU_DOC + "（五）：“鼓励在周高校、科研院所在本市范围内实施技术转移转化，争取省财政按上年度"
                        "技术合同交易额给予最高10%的后补助，每家单位每年不超过100万元。”",
        },
        {
            "code": "zk-agency-brokered", "name": "技术转移机构促成交易在周转化奖补",
            "rule_kind": "rate_of_base", "recipient_role": "broker", "base": "tech_amount",
            "counterparty_location": "any", "unit_location": "any", "transfer_in_city": True, "unit_kind": "agency",
            "payer": "district", "rate_percent": "2", "cap_per_unit_year_fen": 100 * WAN,
            "local_transfer_evidence_required": True,
            "citation": ZHOUKOU_DOC + "（八）：“对技术转移机构开展技术成果交易服务并在周实现转化的，由技术转移机构所在地"
                        "受益财政按上年度技术交易额给予最高2%的奖补，每个机构每年不超过100万元。”",
        },
        {
            "code": "zk-challenge-share", "name": "“揭榜挂帅”项目立项支持",
            "rule_kind": "share_of_contract", "recipient_role": "seller", "counterparty_location": "any",
            "unit_location": "any", "transfer_in_city": True, "unit_kind": "challenge_solver", "payer": "province",
            "rate_percent": "30",
            "instalments": [{"code": "signing", "label": "签约", "percent": 50},
                            {"code": "acceptance", "label": "验收", "percent": 50}],
            "citation": ZHOUKOU_DOC + "（六）：“对企业通过‘揭榜挂帅’联合高校、科研院所和其他企业等实施的揭榜项目，"
                        "择优给予……立项支持，争取省财政按不超过合同额的30%给予支持。”",
        },
    ],
}


# Rules whose seed sentence makes commercialisation in the city a condition (在鹤壁转化、产业化 / 在我市实施技术
# 转移转化 / 促进技术在市内转移转化 / 在市内转化、产业化 / 在本市范围内实施 / 在周实现转化): a declaration needs at
# least one “在本市实施转化证明” file before it is submitted.
LOCAL_TRANSFER_EVIDENCE_CODES = ("hb-ent-buy-outside-province", "hb-univ-inst-transfer", "hb-demo-agency-rate",
                                 "zk-ent-buy-outside-city", "zk-univ-inst-transfer", "zk-agency-brokered")


def city_region(city: str):
    from techmarket.regions.models import Region

    code = city if len(city) == 6 else f"{city}00"
    return Region.objects.get(code=code)


@transaction.atomic
def subsidy_policies_load(*, city: str, year: int, by=None) -> list:
    """Create the seed rules of ``city`` (4 or 6 digits) for ``year`` that do not exist yet; returns the
    created policies (empty when all are there)."""
    from .models import SubsidyPolicy
    from .services import policy_create

    region = city_region(city)
    created = []
    for spec in SEED_RULES[region.code[:4]]:
        if SubsidyPolicy.objects.filter(city=region, year=year, code=spec["code"]).exists():
            continue
        created.append(policy_create(by=by, city=region, data={**spec, "year": year}, seed=True))
    return created
