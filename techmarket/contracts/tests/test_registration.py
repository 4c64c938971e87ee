"""Registration services (认定登记, SPEC C2, C4): submission and its 30-day due date, pre-examination with
技术交易额 deductions, national and issued registration numbers, refusal, return, amendment and
deregistration with their statistics calls, registrar jurisdiction (持证上岗), the overdue flag."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

import techmarket.urls  # noqa: F401  (ninja before freezegun, see common rules)
from techmarket.contracts import registration as reg
from techmarket.contracts import selectors, services
from techmarket.contracts.models import RegistrationSerial, RegistrationSetting, TechContract
from techmarket.contracts.permissions import registrar_refusal
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange, StatusChange
from techmarket.core.workflows import status_history

from . import factories as f


SIGNED = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def deal(achievement, buyer_org):
    """Closed (and the contract signed) on 2025-01-15, before every frozen date of this module."""
    return f.closed_deal(achievement=achievement, buyer=buyer_org, closed_at=SIGNED)


@pytest.fixture
def draft(deal, seller, points):
    return services.contract_create_from_deal(deal=deal, by=seller)


def submitted(draft, seller, **kwargs):
    return reg.contract_submit(contract=draft, by=seller, **kwargs)


def pre_examined(draft, seller, registrar, **kwargs):
    return reg.contract_pre_examine(contract=submitted(draft, seller), by=registrar, **kwargs)


def issue_here(regions, *, layout=None):
    setting = RegistrationSetting(city=regions["city"], issues_numbers=True)
    if layout:
        setting.number_layout = layout
    setting.save()
    return setting


def codes(exc) -> list[str]:
    return [e.code for e in exc.value.errors]


class TestContractSubmit:
    @freeze_time("2025-06-10 09:00:00+08:00")
    def test_submit_goes_to_point_01_with_a_30_day_due_date(self, draft, seller, points):
        # when
        contract = submitted(draft, seller)
        # then
        assert contract.status == "submitted"
        assert contract.registration_point == points["zz01"]
        assert contract.decision_due_on == datetime.date(2025, 7, 10)  # 30 calendar days
        assert status_history(contract).filter(action="submit", actor=seller).exists()

    def test_the_seller_may_choose_another_point_of_the_city(self, draft, seller, points):
        assert submitted(draft, seller, point="02").registration_point == points["zz02"]

    def test_a_point_of_another_city_is_refused(self, draft, seller, points):
        points["zz02"].is_active = False
        points["zz02"].save()
        for code in ("02", "09"):
            with pytest.raises(ApplicationError) as exc:
                submitted(draft, seller, point=code)
            assert exc.value.errors[0].field == "point"
        draft.refresh_from_db()
        assert draft.status == "draft" and draft.registration_point is None

    def test_without_a_point_in_the_city_submission_is_refused(self, deal, seller, regions):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        with pytest.raises(ApplicationError) as exc:
            submitted(contract, seller)
        assert codes(exc) == ["no_point"] and "登记点" in exc.value.errors[0].message

    def test_an_incomplete_contract_names_each_missing_field(self, seller, points):
        contract = services.contract_create(by=seller, data=f.contract_data(category="", tech_field="",
                                                                            signed_on=""))
        with pytest.raises(ApplicationError) as exc:
            submitted(contract, seller)
        fields = {e.field for e in exc.value.errors}
        assert fields == {"category", "tech_field", "signed_on"}
        assert all("提交登记前请填写" in e.message for e in exc.value.errors)

    def test_resubmission_after_return_starts_a_new_period(self, draft, seller, registrar):
        with freeze_time("2025-06-10 09:00:00+08:00"):
            contract = submitted(draft, seller)
            contract = reg.contract_return(contract=contract, by=registrar, comment="请补充技术秘密说明")
        with freeze_time("2025-08-01 09:00:00+08:00"):
            contract = submitted(contract, seller)
        assert contract.decision_due_on == datetime.date(2025, 8, 31)
        assert contract.examined_by is None

    def test_withdraw_takes_it_back_to_draft(self, draft, seller):
        contract = reg.contract_withdraw(contract=submitted(draft, seller), by=seller)
        assert contract.status == "draft" and contract.registration_point is None and contract.decision_due_on is None


class TestContractPreExamine:
    def test_pre_examination_classifies_and_deducts_costs(self, draft, seller, registrar):
        # given a 500,000.00 contract without costs
        # when the registrar corrects category and field and itemises equipment
        contract = pre_examined(draft, seller, registrar, category="24", tech_field="02",
                                non_technical_costs=[{"item": "检测设备", "amount": "80000.00"},
                                                     {"item": "原材料", "amount": "20000.50"}])
        # then 技术交易额 = 合同成交额 − costs, recomputed
        assert contract.status == "pre_examined"
        assert contract.category.code == "24" and contract.tech_field.code == "02"
        assert contract.total_amount_fen == 50_000_000 and contract.tech_amount_fen == 50_000_000 - 10_000_050
        assert contract.examined_by == registrar
        change = ObjectChange.objects.filter(object_id=str(contract.pk), comment__startswith="初审").get()
        assert change.before["tech_amount_fen"] == 50_000_000 and change.after["tech_amount_fen"] == 39_999_950

    def test_costs_above_the_total_are_refused_and_nothing_changes(self, draft, seller, registrar):
        contract = submitted(draft, seller)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_pre_examine(contract=contract, by=registrar,
                                     non_technical_costs=[{"item": "设备", "amount": "600000.00"}])
        assert codes(exc) == ["exceeds_total"]
        contract.refresh_from_db()
        assert contract.status == "submitted" and contract.tech_amount_fen == 50_000_000
        assert not contract.non_technical_costs.exists()

    def test_a_bad_cost_row_is_named(self, draft, seller, registrar):
        with pytest.raises(ApplicationError) as exc:
            pre_examined(draft, seller, registrar, non_technical_costs=[{"item": "设备", "amount": "-1"}])
        assert exc.value.errors[0].field == "non_technical_costs.0.amount"
        assert "第 1 项" in exc.value.errors[0].message

    def test_category_cannot_be_removed(self, draft, seller, registrar):
        with pytest.raises(ApplicationError) as exc:
            pre_examined(draft, seller, registrar, category=None)
        assert exc.value.errors[0].field == "category"


class TestContractRegisterWithNationalNumber:
    def test_registration_records_number_and_date(self, draft, seller, registrar, points, stats_calls):
        contract = pre_examined(draft, seller, registrar)
        today = datetime.date.today()
        number = f.national_number(points["zz01"], 123)
        # when
        contract = reg.contract_register(contract=contract, by=registrar, registration_number=number,
                                         registered_on=today)
        # then
        assert contract.status == "registered" and contract.registration_number == number
        assert contract.registered_on == today and contract.has_national_number
        assert contract.registration_number_source == "national" and contract.examined_by == registrar
        assert stats_calls == [(contract.pk, +1, "registered", contract.tech_amount_fen)]

    @pytest.mark.parametrize(("number", "code"), [
        ("", "required"),
        ("202541010100012", "invalid_format"),          # 15 digits
        ("2025410101000123X", "invalid_format"),
        ("20254101O1000123", "invalid_format"),         # a letter O
        ("{prev}410101000123", "year_mismatch"),
        ("{year}410201000123", "city_mismatch"),
        ("{year}410102000123", "point_mismatch"),
        ("{year}410101000000", "invalid_serial"),
    ])
    def test_invalid_numbers_are_refused_in_chinese(self, number, code, draft, seller, registrar, stats_calls):
        contract = pre_examined(draft, seller, registrar)
        today = datetime.date.today()
        number = number.format(year=today.year, prev=today.year - 1)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=contract, by=registrar, registration_number=number, registered_on=today)
        assert code in codes(exc)
        assert all(e.field == "registration_number" for e in exc.value.errors)
        contract.refresh_from_db()
        assert contract.status == "pre_examined" and contract.registration_number is None and stats_calls == []

    def test_a_number_in_use_is_refused(self, deal, achievement, buyer_org, seller, registrar, points):
        first = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar, serial=5)
        other = f.contract_in_state("pre_examined", deal=f.closed_deal(achievement=achievement, buyer=buyer_org),
                                    seller=seller, registrar=registrar)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=other, by=registrar, registration_number=first.registration_number,
                                  registered_on=datetime.date.today())
        assert codes(exc) == ["duplicate"] and first.name in exc.value.errors[0].message

    def test_date_is_required_and_not_in_the_future(self, draft, seller, registrar, points):
        contract = pre_examined(draft, seller, registrar)
        number = f.national_number(points["zz01"], 9)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=contract, by=registrar, registration_number=number)
        assert exc.value.errors[0].field == "registered_on"
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=contract, by=registrar, registration_number=number,
                                  registered_on=datetime.date.today() + datetime.timedelta(days=1))
        assert codes(exc) == ["in_future"]


class TestContractRegisterIssuingNumbers:
    @freeze_time("2025-03-05 10:00:00+08:00")
    def test_numbers_are_consecutive_per_point_and_year(self, achievement, buyer_org, seller, registrar,
                                                        bureau_registrar, regions, points):
        # given 郑州 issues numbers here
        issue_here(regions)
        contracts = [f.contract_in_state("pre_examined", deal=f.closed_deal(achievement=achievement, buyer=buyer_org),
                                         seller=seller, registrar=registrar) for _ in range(3)]
        # when
        numbers = [reg.contract_register(contract=c, by=registrar).registration_number for c in contracts]
        # then: 16 digits, year + 4101 + point 01 + serial 1, 2, 3
        assert numbers == ["2025410101000001", "2025410101000002", "2025410101000003"]
        assert RegistrationSerial.objects.get(point=points["zz01"], year=2025).last_serial == 3
        registered = TechContract.objects.get(registration_number=numbers[0])
        assert registered.registration_number_source == "issued" and not registered.has_national_number
        assert registered.registered_on == datetime.date(2025, 3, 5)

    def test_a_new_year_and_another_point_start_at_one(self, achievement, buyer_org, seller, registrar, regions,
                                                       points, station):
        from techmarket.contracts.models import RegistrarCertificate

        issue_here(regions)
        RegistrarCertificate.objects.create(user=registrar, point=points["zz02"], number="DJY-a-02",
                                            valid_from="2020-01-01", valid_to="2030-12-31")
        made = []
        for moment, point in (("2025-12-31 20:00:00+08:00", "01"), ("2026-01-01 09:00:00+08:00", "01"),
                              ("2026-01-01 10:00:00+08:00", "02")):
            with freeze_time(moment):
                contract = services.contract_create_from_deal(
                    deal=f.closed_deal(achievement=achievement, buyer=buyer_org), by=seller)
                contract = reg.contract_submit(contract=contract, by=seller, point=point)
                contract = reg.contract_pre_examine(contract=contract, by=registrar)
                made.append(reg.contract_register(contract=contract, by=registrar).registration_number)
        assert made == ["2025410101000001", "2026410101000001", "2026410102000001"]

    def test_the_layout_is_the_citys_setting(self, draft, seller, registrar, regions):
        issue_here(regions, layout="{year}{city}{point}{serial:08d}")
        contract = reg.contract_register(contract=pre_examined(draft, seller, registrar), by=registrar)
        assert contract.registration_number == f"{datetime.date.today().year}410101" + "00000001"

    def test_a_failed_registration_gives_its_serial_back(self, achievement, buyer_org, deal, seller, registrar,
                                                         regions, points):
        # given serial 1 of this year is already taken by a nationally registered contract
        taken = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar, serial=1)
        issue_here(regions)
        other = f.contract_in_state("pre_examined", deal=f.closed_deal(achievement=achievement, buyer=buyer_org),
                                    seller=seller, registrar=registrar)
        # when the issued number collides
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=other, by=registrar)
        # then nothing is kept: no serial consumed, the contract still waits
        assert codes(exc) == ["duplicate"] and taken.registration_number in exc.value.errors[0].message
        assert not RegistrationSerial.objects.filter(point=points["zz01"], last_serial__gt=0).exists()
        other.refresh_from_db()
        assert other.status == "pre_examined" and other.registration_number is None
        assert not StatusChange.objects.filter(object_id=str(other.pk), action="register").exists()

    def test_a_typed_number_is_refused_when_issuing(self, draft, seller, registrar, regions, points):
        issue_here(regions)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_register(contract=pre_examined(draft, seller, registrar), by=registrar,
                                  registration_number=f.national_number(points["zz01"], 3))
        assert codes(exc) == ["issued_here"]

    def test_the_layout_setting_is_validated(self, regions):
        from django.core.exceptions import ValidationError

        for layout in ("{year}{town}{serial:06d}", "{year}{city}{point}", "NO{serial:06d}"):
            with pytest.raises(ValidationError):
                RegistrationSetting(city=regions["city"], number_layout=layout).clean()


class TestRefuseReturnAmendDeregister:
    def test_refusal_needs_a_coded_reason(self, draft, seller, registrar):
        contract = submitted(draft, seller)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_refuse(contract=contract, by=registrar, reason_code=None)
        assert exc.value.errors[0].field == "reason_code"
        contract = reg.contract_refuse(contract=contract, by=registrar, reason_code="incomplete_elements",
                                       comment="缺少价款支付条款")
        assert contract.status == "refused"
        assert status_history(contract).get(action="refuse").reason_code == "incomplete_elements"

    def test_return_needs_a_comment(self, draft, seller, registrar):
        contract = submitted(draft, seller)
        with pytest.raises(ApplicationError) as exc:
            reg.contract_return(contract=contract, by=registrar, comment="  ")
        assert exc.value.errors[0].field == "comment"

    def test_amendment_changes_fields_with_history_and_statistics(self, deal, seller, registrar, stats_calls):
        # given a registered 500,000.00 contract
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar)
        stats_calls.clear()
        # when the registrar amends the total and the costs
        contract = reg.contract_amend(contract=contract, by=registrar, comment="补充协议增加价款",
                                      data={"total_amount": "600000.00",
                                            "non_technical_costs": [{"item": "设备", "amount": "100000.00"}]})
        # then: still registered, amounts recomputed, statistics −1 old then +1 new, history kept
        assert contract.status == "registered"
        assert (contract.total_amount_fen, contract.tech_amount_fen) == (60_000_000, 50_000_000)
        assert stats_calls == [(contract.pk, -1, "registered", 50_000_000), (contract.pk, +1, "registered", 50_000_000)]
        change = ObjectChange.objects.filter(object_id=str(contract.pk), comment__startswith="登记变更").get()
        assert change.before["total_amount_fen"] == 50_000_000 and change.after["total_amount_fen"] == 60_000_000
        assert status_history(contract).filter(action="amend", from_status="registered",
                                               to_status="registered").exists()

    def test_amendment_statistics_see_the_old_values_first(self, deal, seller, registrar, stats_calls):
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar)
        stats_calls.clear()
        reg.contract_amend(contract=contract, by=registrar, comment="核减",
                           data={"non_technical_costs": [{"item": "设备", "amount": "100000.00"}]})
        assert [(sign, amount) for _pk, sign, _s, amount in stats_calls] == [(-1, 50_000_000), (+1, 40_000_000)]

    def test_an_amendment_that_changes_nothing_is_refused(self, deal, seller, registrar, stats_calls):
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar)
        stats_calls.clear()
        with pytest.raises(ApplicationError) as exc:
            reg.contract_amend(contract=contract, by=registrar, comment="无", data={"total_amount": "500000.00"})
        assert codes(exc) == ["unchanged"] and stats_calls == []
        with pytest.raises(ApplicationError) as exc:
            reg.contract_amend(contract=contract, by=registrar, comment="无", data={"status": "draft"})
        assert codes(exc) == ["not_editable"]

    def test_deregistration_takes_the_contract_out(self, deal, seller, registrar, stats_calls):
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar)
        contract = reg.contract_deregister(contract=contract, by=registrar, comment="合同已解除")
        assert contract.status == "deregistered" and contract.deregistered_on == datetime.date.today()
        assert [(sign, status) for _pk, sign, status, _a in stats_calls] == [(+1, "registered"), (-1, "registered")]


class TestRegistrarJurisdiction:
    def test_the_registrar_of_the_point_may(self, draft, seller, registrar):
        assert registrar_refusal(registrar, submitted(draft, seller)) is None

    @pytest.mark.parametrize(("who", "words"), [
        ("registrar_other_point", "不是受理该合同的登记点"),
        ("registrar_expired", "不在有效期内"),
        ("registrar_revoked", "吊销"),
        ("registrar_of_seller", "本单位作为当事人"),
        ("superuser", "只有持证的技术合同登记员"),
        ("bureau", "只有持证的技术合同登记员"),
    ])
    def test_others_are_refused_with_a_reason(self, who, words, request, draft, seller):
        user = request.getfixturevalue(who)
        contract = submitted(draft, seller)
        assert words in registrar_refusal(user, contract)
        with pytest.raises(PermissionDenied) as exc:
            reg.contract_pre_examine(contract=contract, by=user)
        assert words in str(exc.value)

    def test_a_registrar_of_the_buyer_or_the_agency_is_refused(self, draft, seller, points, buyer_org):
        from .conftest import _registrar

        contract = submitted(draft, seller)
        of_buyer = _registrar("registrar-f", organization=buyer_org, points=points)
        assert "本单位作为当事人" in registrar_refusal(of_buyer, contract)
        agency_org = of_buyer.organization
        TechContract.objects.filter(pk=contract.pk).update(buyer_organization=None, broker_agency=agency_org)
        contract.refresh_from_db()
        assert "中介机构" in registrar_refusal(of_buyer, contract)

    def test_a_bureau_administrator_holding_the_role_and_a_certificate_may(self, draft, seller, bureau_registrar):
        contract = reg.contract_pre_examine(contract=submitted(draft, seller), by=bureau_registrar)
        assert contract.status == "pre_examined"

    def test_the_certificate_counts_on_the_decision_date(self, draft, seller, registrar):
        from techmarket.contracts.models import RegistrarCertificate

        RegistrarCertificate.objects.filter(user=registrar).update(valid_to="2025-06-30")
        with freeze_time("2025-06-20 10:00:00+08:00"):
            contract = submitted(draft, seller)
        with freeze_time("2025-06-30 23:00:00+08:00"):
            assert registrar_refusal(registrar, contract) is None
        with freeze_time("2025-07-01 00:30:00+08:00"):
            assert "2025-07-01 不在有效期内" in registrar_refusal(registrar, contract)
            with pytest.raises(PermissionDenied):
                reg.contract_pre_examine(contract=contract, by=registrar)


class TestOverdue:
    def test_overdue_after_the_due_date(self, draft, seller, registrar):
        with freeze_time("2025-06-10 09:00:00+08:00"):
            contract = submitted(draft, seller)
        assert contract.days_overdue(datetime.date(2025, 7, 10)) == 0
        assert contract.days_overdue(datetime.date(2025, 7, 11)) == 1
        assert contract.days_overdue(datetime.date(2025, 7, 20)) == 10
        with freeze_time("2025-07-12 09:00:00+08:00"):
            assert list(selectors.contract_list(user=registrar, overdue=True)) == [contract]
            assert list(selectors.registrar_inbox(user=registrar)) == [contract]
            contract = reg.contract_pre_examine(contract=contract, by=registrar)
            assert contract.days_overdue(datetime.date(2025, 7, 12)) == 2  # still pending
            contract = reg.contract_return(contract=contract, by=registrar, comment="请补正")
            assert contract.days_overdue(datetime.date(2025, 7, 12)) == 0  # decided
            assert list(selectors.contract_list(user=registrar, overdue=True)) == []

    def test_the_inbox_is_oldest_first_and_only_the_registrars_points(self, achievement, buyer_org, seller,
                                                                       registrar, registrar_other_point):
        made = []
        for day, point in (("2025-05-02", "01"), ("2025-05-01", "01"), ("2025-05-03", "02")):
            with freeze_time(f"{day} 09:00:00+08:00"):
                contract = services.contract_create_from_deal(
                    deal=f.closed_deal(achievement=achievement, buyer=buyer_org), by=seller)
                made.append(reg.contract_submit(contract=contract, by=seller, point=point))
        assert list(selectors.registrar_inbox(user=registrar)) == [made[1], made[0]]
        assert list(selectors.registrar_inbox(user=registrar_other_point)) == [made[2]]
