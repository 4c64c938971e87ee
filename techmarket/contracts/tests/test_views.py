"""Pages of 技术合同: list, detail in 登记表 order, entry and edit with the cost formset, cancel."""
from __future__ import annotations

from django.urls import reverse

from techmarket.contracts import services
from techmarket.contracts.models import TechContract


def login(client, user):
    client.force_login(user)
    return client


def form_post(**overrides) -> dict:
    data = {
        "name": "智能仓储调度系统委托开发合同", "category": "11", "seller_name": "郑州材料研究院",
        "seller_credit_code": "", "seller_region": "410105", "seller_nature": "21",
        "buyer_name": "河南中原物流有限公司", "buyer_credit_code": "", "buyer_region": "410102", "buyer_nature": "45",
        "total_amount": "300000.00", "tech_field": "01", "ip_type": "04", "plan_category": "0",
        "signed_on": "2025-03-01", "valid_from": "2025-03-01", "valid_to": "2026-02-28", "broker": "",
        "broker_agency": "", "expected_new_investment": "", "expected_new_output": "",
        "costs-TOTAL_FORMS": "2", "costs-INITIAL_FORMS": "0", "costs-MIN_NUM_FORMS": "0", "costs-MAX_NUM_FORMS": "50",
        "costs-0-item": "服务器设备", "costs-0-amount": "50000.00", "costs-1-item": "", "costs-1-amount": "",
    }
    data.update(overrides)
    return data


class TestContractPages:
    def test_list_shows_the_callers_contracts_only(self, client, contract, stranger, seller):
        assert contract.name in login(client, seller).get("/manage/contracts/").content.decode()
        page = login(client, stranger).get("/manage/contracts/").content.decode()
        assert contract.name not in page

    def test_anonymous_is_sent_to_login(self, client, contract):
        response = client.get(f"/manage/contracts/{contract.pk}/")
        assert response.status_code == 302 and "login" in response["Location"]

    def test_detail_out_of_scope_is_404(self, client, contract, officer_out, stranger):
        assert login(client, officer_out).get(f"/manage/contracts/{contract.pk}/").status_code == 404
        assert login(client, stranger).get(f"/manage/contracts/{contract.pk}/").status_code == 404

    def test_detail_shows_the_fields_in_registration_order(self, client, deal, seller, officer_buyer):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        deal.contract = contract
        deal.save(update_fields=["contract"])
        page = login(client, officer_buyer).get(reverse("contracts:manage_detail", kwargs={"pk": contract.pk}))
        text = page.content.decode()
        assert page.status_code == 200
        order = [text.index(label) for label in ("合同名称", "合同类别", "卖方（技术提供方）", "买方（技术受让方）",
                                                 "合同成交额", "技术交易额", "技术领域", "知识产权类型", "计划类别",
                                                 "签订日期", "合同有效期", "技术经纪人", "预计新增投入")]
        assert order == sorted(order)
        assert "500,000.00 元" in text and f"成交记录 #{deal.pk}" in text
        assert f"/manage/contracts/{contract.pk}/edit/" not in text  # staff read, the seller edits

    def test_seller_enters_a_contract_with_costs(self, client, seller):
        response = login(client, seller).post("/manage/contracts/new/", form_post())
        contract = TechContract.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/manage/contracts/{contract.pk}/"
        assert contract.tech_amount_fen == 25_000_000 and contract.non_technical_costs.count() == 1

    def test_cost_errors_land_on_their_row(self, client, seller):
        response = login(client, seller).post("/manage/contracts/new/", form_post(**{"costs-1-item": "原材料",
                                                                                      "costs-1-amount": "0"}))
        assert response.status_code == 200
        assert "非技术性费用第 2 项金额应大于 0" in response.content.decode()
        assert TechContract.objects.count() == 0

    def test_costs_above_the_total_are_shown_on_the_total(self, client, seller):
        response = login(client, seller).post("/manage/contracts/new/", form_post(**{"costs-0-amount": "400000"}))
        form = response.context["form"]
        assert "不能超过合同成交额" in form.errors["total_amount"][0]

    def test_edit_replaces_costs_and_a_registry_buyer_is_linked(self, client, contract, seller, buyer_org):
        response = login(client, seller).post(f"/manage/contracts/{contract.pk}/edit/", form_post(**{
            "buyer_credit_code": buyer_org.credit_code, "costs-0-item": "设备", "costs-0-amount": "100000"}))
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.buyer_organization == buyer_org and contract.tech_amount_fen == 20_000_000
        # the history shows the cost change in words
        page = client.get(f"/manage/contracts/{contract.pk}/").content.decode()
        assert f"/manage/contracts/{contract.pk}/edit/" in page
        assert "非技术性费用" in page and "设备 100000.00" in page and "服务器设备 50000.00" in page

    def test_the_buyer_cannot_open_the_edit_page(self, client, deal, seller, buyer):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        assert login(client, buyer).get(f"/manage/contracts/{contract.pk}/edit/").status_code == 403

    def test_the_entry_form_is_prefilled_with_the_seller(self, client, seller, seller_org):
        page = login(client, seller).get("/manage/contracts/new/").content.decode()
        assert f'value="{seller_org.credit_code}"' in page and 'value="410105"' in page

    def test_officers_cannot_open_the_entry_page(self, client, officer_seller):
        assert login(client, officer_seller).get("/manage/contracts/new/").status_code == 404

    def test_cancel_from_the_page(self, client, contract, seller):
        url = f"/manage/contracts/{contract.pk}/actions/cancel/"
        response = login(client, seller).post(url, {"cancel-comment": ""})
        assert response.status_code == 200 and "请填写意见" in response.content.decode()
        response = client.post(url, {"cancel-comment": "重复录入"})
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.status == "cancelled"
