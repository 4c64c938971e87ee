"""Services of technology contracts: the draft a deal makes, entry by the seller side, edits with
non-technical costs, validation in Chinese naming the field, and the audit trail."""
from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from techmarket.contracts import services
from techmarket.contracts.models import TechContract
from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.directory.tests.factories import make_person
from techmarket.notifications.models import Notification

from . import factories as f


def errors_of(exc_info) -> dict:
    return {e.field: e.message for e in exc_info.value.errors}


class TestContractCreateFromDeal:
    def test_the_draft_is_prefilled_from_the_deal(self, deal, seller_org, buyer_org, seller):
        # given a deal closed at 23:30 Beijing time on 1 March (15:30 UTC)
        deal.closed_at = datetime.datetime(2025, 3, 1, 15, 30, tzinfo=datetime.UTC)
        deal.save()
        # when
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        # then
        contract.refresh_from_db()
        assert contract.status == "draft" and contract.source == "deal"
        assert contract.name == "《一种高强度铝合金制备方法》技术转让合同"
        assert contract.category.code == "21"  # 发明专利 transferred → 专利权转让
        assert (contract.seller_organization, contract.seller_name, contract.seller_credit_code) == (
            seller_org, seller_org.name, seller_org.credit_code)
        assert contract.seller_region.code == "410105" and contract.seller_nature.code == "21"
        assert (contract.buyer_organization, contract.buyer_name, contract.buyer_credit_code) == (
            buyer_org, buyer_org.name, buyer_org.credit_code)
        assert contract.buyer_region.code == "410102" and contract.buyer_nature.code == "45"
        assert contract.total_amount_fen == contract.tech_amount_fen == 50_000_000
        assert contract.tech_field.code == "01"  # 高新技术领域 10 电子信息 → 合同技术领域 01
        assert contract.ip_type.code == "01"
        assert contract.signed_on == datetime.date(2025, 3, 1)  # the closing day in Asia/Shanghai
        assert contract.achievement == deal.achievement
        assert contract.non_technical_costs.count() == 0

    def test_a_licence_of_a_technical_secret_is_a_secret_licence(self, seller, bureau, buyer_org):
        achievement = f.published_achievement(owner=seller, reviewer=bureau, ip_type=f.term("ip_type", "08"),
                                              tech_field=f.term("hitech_domains", "80705"))
        deal = f.closed_deal(achievement=achievement, buyer=buyer_org, transfer_mode="licence_non_exclusive")
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        assert contract.category.code == "32" and contract.name.endswith("技术许可合同")
        assert contract.tech_field.code == "04"

    def test_broker_and_agency_come_from_the_deal(self, achievement, buyer_org, regions, seller):
        from techmarket.core.tests import factories

        agency = factories.organization("郑州技术市场服务中心", region_obj=regions["jinshui"], kind="agency")
        broker = make_person("王经纪", kind="broker", organization=agency)
        deal = f.closed_deal(achievement=achievement, buyer=buyer_org, broker=broker)
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        assert contract.broker == broker and contract.broker_agency == agency

    def test_it_is_idempotent_once_the_deal_holds_the_contract(self, deal, seller):
        first = services.contract_create_from_deal(deal=deal, by=seller)
        deal.contract = first
        deal.save(update_fields=["contract"])
        again = services.contract_create_from_deal(deal=deal, by=seller)
        assert again == first and TechContract.objects.count() == 1
        assert deal.contract.deal_or_none == deal

    def test_the_scheduler_may_close_a_deal(self, deal):
        from techmarket.core.actors import SYSTEM

        contract = services.contract_create_from_deal(deal=deal, by=SYSTEM)
        assert contract.created_by is None
        assert history_for(contract)[0].actor is None

    def test_creation_is_audited_and_the_seller_is_notified(self, deal, seller, buyer):
        contract = services.contract_create_from_deal(deal=deal, by=buyer)
        assert [row.action for row in history_for(contract)] == [ObjectChange.Action.CREATE]
        note = Notification.objects.get(recipient=seller, topic="contracts")
        assert note.link == f"/manage/contracts/{contract.pk}/"
        assert not Notification.objects.filter(recipient=buyer).exists()


class TestContractCreate:
    def test_the_seller_is_the_callers_organization_and_costs_are_deducted(self, seller, seller_org):
        contract = f.entered_contract(seller_user=seller)
        assert contract.source == "entered" and contract.seller_organization == seller_org
        assert contract.seller_name == seller_org.name and contract.seller_region.code == "410105"
        assert contract.total_amount_fen == 30_000_000 and contract.tech_amount_fen == 25_000_000
        assert list(contract.non_technical_costs.values_list("item", "amount_fen")) == [("服务器设备", 5_000_000)]
        assert contract.created_by == seller

    def test_a_registry_buyer_fills_the_buyer_fields(self, seller, buyer_org):
        data = f.contract_data(buyer_organization=buyer_org.pk)
        for key in ("buyer_name", "buyer_credit_code", "buyer_region", "buyer_nature"):
            data.pop(key)
        contract = services.contract_create(by=seller, data=data)
        assert contract.buyer_organization == buyer_org and contract.buyer_name == buyer_org.name
        assert contract.buyer_credit_code == buyer_org.credit_code and contract.buyer_region.code == "410102"

    def test_buyer_and_seller_cannot_be_the_same_organization(self, seller, seller_org):
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(buyer_organization=seller_org.pk))
        assert errors_of(exc)["buyer_organization"] == "买方不能与卖方为同一单位"

    def test_district_officers_do_not_enter_contracts(self, officer_seller):
        with pytest.raises(PermissionDenied):
            services.contract_create(by=officer_seller, data=f.contract_data())

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"name": " "}, "name", "请填写合同名称"),
        ({"total_amount": None}, "total_amount", "请填写合同成交额"),
        ({"total_amount": "12.345"}, "total_amount", "合同成交额：金额最多保留两位小数"),
        ({"total_amount": "-1"}, "total_amount", "合同成交额不能为负数"),
        ({"buyer_name": ""}, "buyer_name", "请填写买方名称"),
        ({"buyer_region": "4101"}, "buyer_region", "买方所在地区应为 6 位行政区划代码（GB/T 2260），如 410105"),
        ({"buyer_region": "999999"}, "buyer_region", "买方所在地区“999999”不是有效的行政区划代码"),
        ({"buyer_credit_code": "91410100MA0000000X"}, "buyer_credit_code", "买方统一社会信用代码无效："),
        ({"category": "99"}, "category", "合同类别“99”不是有效的代码"),
        ({"tech_field": "12"}, "tech_field", "技术领域“12”不是有效的代码"),
        ({"buyer_nature": "99"}, "buyer_nature", "买方性质“99”不是有效的代码"),
        ({"signed_on": "2025-13-01"}, "signed_on", "签订日期格式应为 YYYY-MM-DD"),
        ({"valid_from": "2026-01-01", "valid_to": "2025-12-31"}, "valid_to", "有效期止不能早于有效期起"),
        ({"expected_new_output": "abc"}, "expected_new_output", "预计新增产值：“abc”不是有效的金额"),
        ({"non_technical_costs": [{"item": "设备", "amount": "400000.00"}]}, "non_technical_costs",
         "非技术性费用合计 400000.00 元不能超过合同成交额 300000.00 元"),
        ({"non_technical_costs": [{"item": "", "amount": "1.00"}]}, "non_technical_costs.0.item",
         "非技术性费用第 1 项：请填写费用项目"),
        ({"non_technical_costs": [{"item": "设备", "amount": "1"}, {"item": "材料", "amount": "0"}]},
         "non_technical_costs.1.amount", "非技术性费用第 2 项金额应大于 0"),
        ({"achievement": 1}, "achievement", "不能修改字段：achievement"),
    ])
    def test_bad_input_is_refused_in_chinese_naming_the_field(self, seller, overrides, field, message):
        # when
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(**overrides))
        # then
        assert errors_of(exc)[field].startswith(message)
        assert TechContract.objects.count() == 0

    def test_a_term_of_another_scheme_is_refused(self, seller):
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(category=f.term("ip_type", "01")))
        assert errors_of(exc)["category"] == "合同类别不是有效的选项"

    def test_every_bad_field_is_named_at_once(self, seller):
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(name="", buyer_region="x", category="99"))
        assert {"name", "buyer_region", "category"} <= set(errors_of(exc))

    @freeze_time("2025-06-01 10:00:00+08:00")
    def test_a_signing_date_in_the_future_is_refused(self, seller):
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(signed_on="2025-06-02"))
        assert errors_of(exc)["signed_on"] == "签订日期不能晚于今天"

    def test_broker_must_be_a_registered_broker_and_agency_an_agency(self, seller, buyer_org):
        expert = make_person("李专家", kind="expert")
        with pytest.raises(ApplicationError) as exc:
            services.contract_create(by=seller, data=f.contract_data(broker=expert.pk, broker_agency=buyer_org.pk))
        assert errors_of(exc) == {"broker": "技术经纪人应为人才库中登记的技术经纪人",
                                  "broker_agency": "技术转移机构应为单位库中的技术转移机构"}


class TestContractUpdate:
    def test_costs_are_replaced_and_the_tech_amount_recomputed(self, contract, seller):
        # when
        services.contract_update(contract=contract, by=seller, data={
            "total_amount": "500000.00",
            "non_technical_costs": [{"item": "设备", "amount": "100000.00"}, {"item": "原材料", "amount": "20000.50"}]})
        # then
        contract.refresh_from_db()
        assert contract.total_amount_fen == 50_000_000 and contract.tech_amount_fen == 37_999_950
        assert contract.non_technical_costs.count() == 2

    def test_a_new_total_keeps_the_stored_costs(self, contract, seller):
        services.contract_update(contract=contract, by=seller, data={"total_amount": "60000.00"})
        contract.refresh_from_db()
        assert contract.tech_amount_fen == 1_000_000

    def test_a_total_below_the_stored_costs_is_refused_and_nothing_changes(self, contract, seller):
        with pytest.raises(ApplicationError) as exc:
            services.contract_update(contract=contract, by=seller, data={"total_amount": "40000.00", "name": "新名称"})
        assert "non_technical_costs" in errors_of(exc)
        contract.refresh_from_db()
        assert contract.total_amount_fen == 30_000_000 and contract.name != "新名称"

    def test_changes_are_audited_with_the_costs(self, contract, seller):
        services.contract_update(contract=contract, by=seller,
                                 data={"non_technical_costs": [{"item": "设备", "amount": "1000.00"}]})
        change = [row for row in history_for(contract) if getattr(row, "action", "") == "update"][-1]
        assert change.actor == seller
        assert change.before["non_technical_costs"] == [{"item": "服务器设备", "amount": "50000.00"}]
        assert change.after["non_technical_costs"] == [{"item": "设备", "amount": "1000.00"}]
        assert change.after["tech_amount_fen"] == 29_900_000

    def test_an_edit_that_changes_nothing_writes_no_history(self, contract, seller):
        before = len(history_for(contract))
        services.contract_update(contract=contract, by=seller, data={"name": contract.name})
        assert len(history_for(contract)) == before

    def test_the_buyer_cannot_edit(self, contract, seller_org, buyer, buyer_org):
        contract.buyer_organization = buyer_org
        contract.save()
        with pytest.raises(PermissionDenied, match="只有卖方单位可以修改技术合同"):
            services.contract_update(contract=contract, by=buyer, data={"name": "改"})

    def test_a_cancelled_contract_cannot_be_edited(self, contract, seller):
        services.contract_cancel(contract=contract, by=seller, comment="重复录入")
        with pytest.raises(PermissionDenied, match="只有草稿状态的技术合同可以修改"):
            services.contract_update(contract=contract, by=seller, data={"name": "改"})

    def test_a_deal_draft_is_completed_by_the_seller(self, deal, seller):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        services.contract_update(contract=contract, by=seller, data={
            "plan_category": "0", "valid_from": "2025-01-01", "valid_to": "2027-12-31",
            "non_technical_costs": [{"item": "样机", "amount": "80000.00"}]})
        contract.refresh_from_db()
        assert contract.tech_amount_fen == 50_000_000 - 8_000_000 and contract.plan_category.code == "0"


class TestContractCancel:
    def test_a_comment_is_required(self, contract, seller):
        with pytest.raises(ApplicationError) as exc:
            services.contract_cancel(contract=contract, by=seller, comment=" ")
        assert errors_of(exc) == {"comment": "请填写意见"}
        contract.refresh_from_db()
        assert contract.status == "draft"

    def test_cancel_keeps_the_reason_in_the_history(self, contract, seller):
        services.contract_cancel(contract=contract, by=seller, comment="合同已解除")
        contract.refresh_from_db()
        assert contract.status == "cancelled"
        assert history_for(contract)[-1].comment == "合同已解除"


class TestContractClean:
    """The one validation path: validate only, nothing saved, errors naming the field."""

    def test_a_new_contract_is_validated_without_saving(self, seller_org):
        # when
        clean = services.contract_clean(data=f.contract_data(), seller_organization=seller_org)
        # then
        assert TechContract.objects.count() == 0
        assert clean.values["seller_organization"] == seller_org and clean.values["seller_name"] == seller_org.name
        assert clean.values["total_amount_fen"] == 30_000_000 and clean.tech_amount_fen == 25_000_000
        assert clean.values["buyer_region"].code == "410102" and clean.values["category"].code == "11"
        assert clean.costs == [("服务器设备", 5_000_000)]
        contract = clean.new_contract(source="import")
        assert contract.pk is None and contract.tech_amount_fen == 25_000_000 and contract.source == "import"

    def test_a_new_contract_without_costs_has_an_empty_cost_list(self, seller_org):
        clean = services.contract_clean(data=f.contract_data(non_technical_costs=None), seller_organization=seller_org)
        assert clean.costs == [] and clean.tech_amount_fen == clean.values["total_amount_fen"]

    def test_the_input_states_the_seller_otherwise(self, seller_org):
        clean = services.contract_clean(data=f.contract_data(seller_name="郑州材料研究院（分院）"),
                                        seller_organization=seller_org)
        assert clean.values["seller_name"] == "郑州材料研究院（分院）"

    def test_a_seller_outside_the_registry_is_named_by_the_input(self, regions):
        clean = services.contract_clean(data=f.contract_data(seller_name="外省某大学", seller_region="410102"))
        assert "seller_organization" not in clean.values
        assert clean.values["seller_name"] == "外省某大学" and clean.values["seller_region"].code == "410102"

    def test_a_new_contract_needs_name_total_and_buyer(self, seller_org):
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data={}, seller_organization=seller_org)
        assert errors_of(exc) == {"name": "请填写合同名称", "buyer_name": "请填写买方名称",
                                  "total_amount": "请填写合同成交额"}

    @freeze_time("2025-06-01 10:00:00+08:00")
    def test_today_may_be_given(self, seller_org):
        data = f.contract_data(signed_on="2025-05-20")
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data=data, seller_organization=seller_org, today=datetime.date(2025, 5, 19))
        assert errors_of(exc) == {"signed_on": "签订日期不能晚于今天"}
        assert services.contract_clean(data=data, seller_organization=seller_org).values["signed_on"] == \
            datetime.date(2025, 5, 20)

    def test_an_edit_sees_the_stored_values_and_leaves_the_contract_alone(self, contract):
        # given a stored contract of 300000.00 with 50000.00 of costs
        # when only the total changes
        clean = services.contract_clean(data={"total_amount": "60000.00"}, contract=contract)
        # then the stored costs are kept (None) and deducted; the contract object is not touched
        assert clean.costs is None and clean.values == {"total_amount_fen": 6_000_000, "tech_amount_fen": 1_000_000}
        assert contract.total_amount_fen == 30_000_000
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data={"total_amount": "40000.00"}, contract=contract)
        assert errors_of(exc) == {"non_technical_costs": "非技术性费用合计 50000.00 元不能超过合同成交额 40000.00 元"}
        clean.apply_to(contract)
        assert contract.total_amount_fen == 6_000_000 and contract.tech_amount_fen == 1_000_000

    def test_an_edit_checks_dates_against_the_stored_ones(self, contract):
        contract.valid_from = datetime.date(2025, 3, 1)
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data={"valid_to": "2025-02-28"}, contract=contract)
        assert [(e.field, e.message) for e in exc.value.errors] == [
            ("valid_to", "有效期止不能早于有效期起"), ("valid_to", "有效期止不能早于签订日期")]

    def test_the_buyer_is_not_the_stored_seller(self, contract, seller_org):
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data={"buyer_organization": seller_org.pk}, contract=contract)
        assert errors_of(exc) == {"buyer_organization": "买方不能与卖方为同一单位"}

    def test_an_edit_and_a_seller_are_not_both_given(self, contract, seller_org):
        with pytest.raises(TypeError):
            services.contract_clean(data={}, contract=contract, seller_organization=seller_org)

    def test_unknown_fields_are_refused(self, seller_org):
        with pytest.raises(ApplicationError) as exc:
            services.contract_clean(data={**f.contract_data(), "status": "registered"}, seller_organization=seller_org)
        assert errors_of(exc) == {"status": "不能修改字段：status"}

    def test_every_editable_field_has_one_rule_and_a_label(self):
        assert set(services._FIELD_RULES) == set(services.EDITABLE_FIELDS) == set(services.FIELD_LABELS)
        assert set(services.TERM_SCHEMES) == {"category", "seller_nature", "buyer_nature", "tech_field", "ip_type",
                                              "plan_category"}


class TestContractFieldClean:
    @pytest.mark.parametrize(("field", "value", "expected"), [
        ("total_amount", "1234.50", 123_450),
        ("expected_new_output", "", None),
        ("signed_on", "2025-03-01", datetime.date(2025, 3, 1)),
        ("name", "  合同  ", "合同"),
        ("non_technical_costs", [{"item": "设备", "amount": "1.00"}], [("设备", 100)]),
    ])
    def test_one_field_as_contract_clean_reads_it(self, field, value, expected):
        assert services.contract_field_clean(field, value) == expected

    def test_a_region_code_becomes_the_region(self, regions):
        assert services.contract_field_clean("seller_region", "410105") == regions["jinshui"]

    @pytest.mark.parametrize(("field", "value", "message"), [
        ("seller_region", "4101", "卖方所在地区应为 6 位行政区划代码（GB/T 2260），如 410105"),
        ("total_amount", "", "请填写合同成交额"),
        ("category", "99", "合同类别“99”不是有效的代码"),
        ("tech_amount", "1.00", "不能修改字段：tech_amount"),
    ])
    def test_a_bad_value_is_refused_naming_the_field(self, db, field, value, message):
        with pytest.raises(ApplicationError) as exc:
            services.contract_field_clean(field, value)
        assert errors_of(exc) == {field: message}

    def test_clean_amount_labels_an_amount_that_is_not_a_field(self):
        assert services.clean_amount("10.00", field="tech_amount", label="技术交易额") == 1000
        with pytest.raises(ApplicationError) as exc:
            services.clean_amount("-1", field="tech_amount", label="技术交易额")
        assert errors_of(exc) == {"tech_amount": "技术交易额不能为负数"}
        with pytest.raises(ApplicationError) as exc:
            services.clean_amount(None, field="tech_amount", label="技术交易额", required=True)
        assert errors_of(exc) == {"tech_amount": "请填写技术交易额"}
