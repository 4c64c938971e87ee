"""/api/v1/contracts: shapes (money strings, 6-digit regions, {code, name} terms), 401/403/404/422."""
from __future__ import annotations

from techmarket.contracts import services

from . import factories as f

BASE = "/api/v1/contracts"


def as_user(client, user):
    client.force_login(user)
    return client


class TestContractApiRead:
    def test_detail_has_every_c1_field(self, client, deal, seller):
        # given
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        deal.contract = contract
        deal.save(update_fields=["contract"])
        services.contract_update(contract=contract, by=seller,
                                 data={"non_technical_costs": [{"item": "样机", "amount": "1234.50"}]})
        # when
        body = as_user(client, seller).get(f"{BASE}/{contract.pk}").json()
        # then
        assert body["total_amount"] == "500000.00" and body["tech_amount"] == "498765.50"
        assert body["non_technical_costs"][0]["item"] == "样机" and body["non_technical_costs"][0]["amount"] == "1234.50"
        assert body["seller_region"]["code"] == "410105" and body["buyer_region"]["code"] == "410102"
        assert body["category"] == {"code": "21", "name": "专利权转让"}
        assert body["tech_field"] == {"code": "01", "name": "电子信息"}
        assert body["seller_nature"]["code"] == "21" and body["ip_type"]["code"] == "01"
        assert body["deal"] == deal.pk and body["achievement"]["id"] == deal.achievement_id
        assert body["status"] == "draft" and body["status_display"] == "草稿"
        assert body["available_actions"] == ["submit", "cancel"] and body["can_edit"] is True
        assert body["source"] == "deal" and body["signed_on"]
        for key in ("plan_category", "valid_from", "valid_to", "broker", "broker_agency", "expected_new_investment",
                    "expected_new_output", "seller_credit_code", "buyer_credit_code", "history"):
            assert key in body

    def test_the_buyer_sees_it_without_actions(self, client, deal, seller, buyer):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        body = as_user(client, buyer).get(f"{BASE}/{contract.pk}").json()
        assert body["available_actions"] == [] and body["can_edit"] is False

    def test_out_of_scope_is_404_and_anonymous_401(self, client, deal, seller, officer_out):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        assert client.get(f"{BASE}/{contract.pk}").status_code == 401
        assert client.get(BASE).status_code == 401
        response = as_user(client, officer_out).get(f"{BASE}/{contract.pk}")
        assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"

    def test_list_envelope_and_filters(self, client, contract, seller, officer_seller):
        body = as_user(client, seller).get(BASE, {"status": "draft", "year": 2025}).json()
        assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
        assert body["items"][0]["id"] == contract.pk and body["items"][0]["total_amount"] == "300000.00"
        assert as_user(client, seller).get(BASE, {"year": 2024}).json()["count"] == 0
        assert as_user(client, officer_seller).get(BASE).json()["count"] == 1
        response = as_user(client, seller).get(BASE, {"status": "bogus"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


class TestContractApiWrite:
    def test_create_is_201(self, client, seller, seller_org):
        payload = f.contract_data()
        response = as_user(client, seller).post(BASE, payload, content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["seller_name"] == seller_org.name and body["tech_amount"] == "250000.00"
        assert body["source"] == "entered" and body["buyer_region"]["code"] == "410102"

    def test_create_validation_is_422_naming_the_field(self, client, seller):
        payload = f.contract_data(non_technical_costs=[{"item": "设备", "amount": "999999.00"}])
        response = as_user(client, seller).post(BASE, payload, content_type="application/json")
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["field"] == "non_technical_costs" and "不能超过合同成交额" in error["message"]

    def test_officer_create_is_403(self, client, officer_seller):
        response = as_user(client, officer_seller).post(BASE, f.contract_data(), content_type="application/json")
        assert response.status_code == 403

    def test_patch_recomputes_and_the_buyer_gets_403(self, client, deal, seller, buyer):
        contract = services.contract_create_from_deal(deal=deal, by=seller)
        response = as_user(client, seller).patch(f"{BASE}/{contract.pk}", {
            "total_amount": "600000.00", "non_technical_costs": [{"item": "设备", "amount": "100000.00"}]},
            content_type="application/json")
        assert response.status_code == 200 and response.json()["tech_amount"] == "500000.00"
        response = as_user(client, buyer).patch(f"{BASE}/{contract.pk}", {"name": "改"},
                                                content_type="application/json")
        assert response.status_code == 403

    def test_patch_of_an_unknown_region_is_422(self, client, contract, seller):
        response = as_user(client, seller).patch(f"{BASE}/{contract.pk}", {"buyer_region": "41"},
                                                 content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "buyer_region"

    def test_cancel_action_needs_a_comment_then_answers_the_record(self, client, contract, seller):
        url = f"{BASE}/{contract.pk}/actions/cancel"
        response = as_user(client, seller).post(url, {"comment": ""}, content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "comment"
        response = client.post(url, {"comment": "重复录入", "reason_code": None}, content_type="application/json")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "cancelled" and body["status_display"] == "已作废" and body["available_actions"] == []
        assert client.patch(f"{BASE}/{contract.pk}", {"name": "改"}, content_type="application/json").status_code == 403

    def test_unknown_action_is_422(self, client, contract, seller):
        response = as_user(client, seller).post(f"{BASE}/{contract.pk}/actions/approve", {"comment": ""},
                                                content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "unknown_action"
