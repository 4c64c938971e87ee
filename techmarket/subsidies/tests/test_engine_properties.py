"""Hypothesis properties of the computation (pure: policy snapshots and facts as dicts, no database)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from techmarket.subsidies import engine

CITY, PROVINCE = "410000/410600/", "410000/"
POLICY = {
    "id": 1, "code": "p", "version": 1, "year": 2026, "name": "测试", "rule_kind": "rate_of_base",
    "recipient_role": "buyer", "base": "paid_amount", "payment_evidence_required": True,
    "counterparty_location": "outside_province", "unit_location": "in_city", "transfer_in_city": True,
    "unit_kind": "enterprise", "platform_kinds": [], "qualification_kind": "", "min_level": "",
    "requires_national_number": True, "payer": "province", "min_amount_fen": None, "max_amount_fen": None,
    "cap_per_unit_year_fen": 100_000_000, "grade_amounts": [], "instalments": [], "citation": "",
    "rate_percent": "10", "city_code": "410600", "city_path": CITY, "province_path": PROVINCE,
}


def facts(payments: list[int], *, blocked: bool = False, org_id: int = 7) -> dict:
    return {
        "organization": {"id": org_id, "name": "单位", "kind": "enterprise", "region_code": "410611",
                         "region_path": CITY + "410611/"},
        "qualifications": [], "platform": None,
        "integrity": [{"id": 1, "type": "科研不端行为", "source_document": "文件"}] if blocked else [],
        "contracts": [{
            "id": 1, "name": "合同", "status": "registered", "registration_number": "1", "has_national_number": True,
            "registered_on": "2025-01-05", "seller_id": None, "buyer_id": org_id, "broker_id": None,
            "seller_name": "省外", "buyer_name": "单位", "seller_path": "110000/110100/110108/",
            "buyer_path": CITY + "410611/", "total_amount_fen": sum(payments), "tech_amount_fen": sum(payments),
            "payments": [{"id": i, "paid_on": "2025-06-01", "amount_fen": a, "evidence": ["invoice", "voucher"]}
                         for i, a in enumerate(payments, 1)]}],
        "qualification_id": None, "contract": None, "instalment": "", "grade": "", "assessed_amount_fen": None,
    }


amounts = st.lists(st.integers(min_value=1, max_value=3_000_000_000), min_size=1, max_size=4)


@given(rounds=st.lists(amounts, min_size=1, max_size=5))
def test_no_unit_above_its_cap_across_rounds_of_a_year(rounds):
    received = 0
    for payments in rounds:
        result = engine.evaluate(POLICY, facts(payments), base_year=2025, received_before_fen=received)
        assert result.capped_fen <= result.raw_fen
        received += result.capped_fen
        assert received <= POLICY["cap_per_unit_year_fen"]
        if result.eligible:
            assert result.capped_fen == min(sum(payments) // 10, 100_000_000 - result.received_before_fen)


@given(payments=amounts, received=st.integers(min_value=0, max_value=200_000_000))
def test_excluded_units_get_nothing(payments, received):
    blocked = engine.evaluate(POLICY, facts(payments, blocked=True), base_year=2025, received_before_fen=received)
    assert not blocked.eligible and blocked.capped_fen == 0
    assert [e.code for e in blocked.exclusions] == ["integrity_record"]
    result = engine.evaluate(POLICY, facts(payments), base_year=2025, received_before_fen=received)
    if received >= POLICY["cap_per_unit_year_fen"]:
        assert not result.eligible and result.capped_fen == 0
        assert result.exclusions[-1].code == "cap_reached"


@given(base=st.integers(min_value=0, max_value=10**13),
       rate=st.decimals(min_value="0.001", max_value="100", places=3))
def test_rate_is_rounded_down_to_the_fen(base, rate):
    raw = engine.apply_rate(base, rate)
    exact = base * rate / 100
    assert raw <= exact < raw + 1


@given(capped=st.lists(st.integers(min_value=1, max_value=100_000_000), min_size=1, max_size=30),
       fixed_flags=st.lists(st.booleans(), min_size=30, max_size=30),
       budget=st.integers(min_value=0, max_value=3_000_000_000))
def test_budget_scaling_is_exact_to_the_fen(capped, fixed_flags, budget):
    scalable = [not fixed_flags[i] for i in range(len(capped))]
    fixed = sum(a for a, s in zip(capped, scalable) if not s)
    if fixed > budget:
        return  # refused with a Chinese message (test_rounds covers it)
    outcome = engine.apply_budget(capped, scalable, budget)
    assert outcome.total_fen == sum(outcome.amounts)
    assert outcome.remainder_fen == budget - outcome.total_fen >= 0
    flexible = sum(a for a, s in zip(capped, scalable) if s)
    for a, s, final in zip(capped, scalable, outcome.amounts):
        assert final <= a
        if not s:
            assert final == a
        elif flexible > budget - fixed:
            assert final == a * (budget - fixed) // flexible
        else:
            assert final == a
    # rounding down loses less than one fen per scaled line
    if flexible > budget - fixed:
        assert outcome.remainder_fen < sum(scalable) or outcome.remainder_fen == 0 or \
            outcome.remainder_fen < len(capped)


def test_budget_smaller_than_fixed_awards_is_refused():
    import pytest

    from techmarket.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        engine.apply_budget([30_000_000, 5_000_000], [False, True], 10_000_000)
    assert exc.value.errors[0].field == "budget"
    assert "不足以支付" in exc.value.errors[0].message
