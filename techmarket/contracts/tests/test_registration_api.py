"""Registration through the API and the pages: action bodies, 401/403/404/422, representations, the
certificate PDF (text layer in Chinese), registration points, the registrar inbox and the 办理 panel."""
from __future__ import annotations

import datetime
import io

import pytest
from freezegun import freeze_time

import techmarket.urls  # noqa: F401  (ninja before freezegun)
from techmarket.contracts import registration as reg
from techmarket.contracts import services

from . import factories as f

SIGNED = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
BASE = "/api/v1/contracts"


@pytest.fixture
def deal(achievement, buyer_org):
    return f.closed_deal(achievement=achievement, buyer=buyer_org, closed_at=SIGNED)


@pytest.fixture
def draft(deal, seller, points):
    return services.contract_create_from_deal(deal=deal, by=seller)


def post_action(client, user, contract, action, **body):
    client.force_login(user)
    return client.post(f"{BASE}/{contract.pk}/actions/{action}", body, content_type="application/json")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


class TestRegistrationApi:
    def test_from_draft_to_registered_through_the_api(self, client, draft, seller, registrar, points):
        # submit (seller)
        response = post_action(client, seller, draft, "submit", point="01", comment="请审查")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "submitted" and body["registration_point"]["code"] == "01"
        assert body["decision_due_on"] and body["is_overdue"] is False and body["available_actions"] == ["withdraw"]
        # pre_examine (registrar) with costs
        response = post_action(client, registrar, draft, "pre_examine", category="23", tech_field="02",
                               non_technical_costs=[{"item": "设备", "amount": "100000.00"}])
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["tech_amount"] == "400000.00" and body["category"]["code"] == "23"
        assert body["examined_by"]["id"] == registrar.pk
        # register with the national number
        number = f.national_number(points["zz01"], 42)
        response = post_action(client, registrar, draft, "register", registration_number=number,
                               registered_on=datetime.date.today().isoformat())
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "registered" and body["registration_number"] == number
        assert body["has_national_number"] is True and body["registration_number_source"] == "national"
        assert body["certificate_url"] == f"{BASE}/{draft.pk}/certificate.pdf"
        assert body["available_actions"] == ["amend", "deregister"]
        # amend (registrar) with changes
        response = post_action(client, registrar, draft, "amend", comment="补充协议", changes={"total_amount": "550000"})
        assert response.status_code == 200 and response.json()["tech_amount"] == "450000.00"

    def test_status_codes(self, client, draft, seller, registrar, registrar_other_point, stranger, bureau):
        reg.contract_submit(contract=draft, by=seller)
        url = f"{BASE}/{draft.pk}/actions/pre_examine"
        assert client.post(url, {}, content_type="application/json").status_code == 401
        assert post_action(client, stranger, draft, "pre_examine").status_code == 404
        response = post_action(client, bureau, draft, "pre_examine")  # sees it, may not examine
        assert response.status_code == 403 and "持证" in response.json()["errors"][0]["message"]
        assert post_action(client, registrar_other_point, draft, "pre_examine").status_code == 404  # not its point
        response = post_action(client, registrar, draft, "register")  # wrong state
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "invalid_state"
        response = post_action(client, registrar, draft, "refuse")
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason_code"
        response = post_action(client, registrar, draft, "return", registration_number="1")
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "not_applicable"
        response = post_action(client, registrar, draft, "pre_examine", non_technical_costs=[{"item": "x", "amount": "1e9"}])
        assert response.status_code == 422
        assert post_action(client, registrar, draft, "bogus").status_code == 422

    def test_registration_points(self, client, points):
        body = client.get("/api/v1/registration-points", {"city": "410100"}).json()
        assert [p["code"] for p in body["items"]] == ["01", "02"] and body["items"][0]["city"]["code"] == "410100"
        assert client.get("/api/v1/registration-points").json()["count"] == 3
        response = client.get("/api/v1/registration-points", {"city": "41"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "city"


class TestCertificate:
    def test_the_pdf_holds_the_registration_in_chinese(self, client, deal, seller, registrar, buyer):
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar, serial=77)
        client.force_login(buyer)
        response = client.get(f"{BASE}/{contract.pk}/certificate.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        for expected in ("技术合同认定登记证明", contract.registration_number, "郑州市技术合同登记站", contract.seller_name,
                         contract.buyer_name, "专利权转让", "电子信息", "合同成交额", "500,000.00元", "技术交易额",
                         registrar.name, contract.registered_on.isoformat()):
            assert expected.replace(" ", "") in text, expected

    def test_who_gets_the_certificate(self, client, deal, seller, registrar, stranger, officer_seller):
        contract = f.contract_in_state("registered", deal=deal, seller=seller, registrar=registrar)
        page = f"/manage/contracts/{contract.pk}/certificate.pdf"
        assert client.get(f"{BASE}/{contract.pk}/certificate.pdf").status_code == 401
        for user, code in ((seller, 200), (officer_seller, 200), (registrar, 200), (stranger, 404)):
            client.force_login(user)
            assert client.get(page).status_code == code
            assert client.get(f"{BASE}/{contract.pk}/certificate.pdf").status_code == code

    def test_no_certificate_before_registration(self, client, draft, seller):
        client.force_login(seller)
        response = client.get(f"{BASE}/{draft.pk}/certificate.pdf")
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "not_registered"
        assert client.get(f"/manage/contracts/{draft.pk}/certificate.pdf").status_code == 404


class TestRegistrationPages:
    def test_inbox_flags_overdue_contracts(self, client, achievement, buyer_org, seller, registrar, stranger):
        for day in ("2025-05-01", "2025-06-20"):
            with freeze_time(f"{day} 09:00:00+08:00"):
                contract = services.contract_create_from_deal(
                    deal=f.closed_deal(achievement=achievement, buyer=buyer_org), by=seller)
                reg.contract_submit(contract=contract, by=seller)
        with freeze_time("2025-06-25 09:00:00+08:00"):
            client.force_login(registrar)
            text = client.get("/manage/contracts/registration/").content.decode()
            assert text.count("tm-overdue-row") == 1 and "已逾期 25 天" in text and "1 份已逾期" in text
            listed = client.get("/manage/contracts/", {"overdue": "on"}).content.decode()
            assert "逾期 25 天" in listed
            client.force_login(stranger)
            assert client.get("/manage/contracts/registration/").status_code == 404

    def test_the_panel_registers_with_the_typed_number(self, client, draft, seller, registrar, points):
        contract = reg.contract_pre_examine(contract=reg.contract_submit(contract=draft, by=seller), by=registrar)
        client.force_login(registrar)
        page = client.get(f"/manage/contracts/{contract.pk}/").content.decode()
        assert "register-registration_number" in page and "予以登记" in page
        url = f"/manage/contracts/{contract.pk}/actions/register/"
        response = client.post(url, {"register-registration_number": "123", "register-registered_on":
                                     datetime.date.today().isoformat(), "register-comment": ""})
        assert response.status_code == 200 and "16 位数字" in response.content.decode()
        number = f.national_number(points["zz01"], 8)
        response = client.post(url, {"register-registration_number": number, "register-registered_on":
                                     datetime.date.today().isoformat(), "register-comment": "准予登记"})
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.status == "registered" and contract.registration_number == number
        assert "下载登记证明" in client.get(f"/manage/contracts/{contract.pk}/").content.decode()

    def test_the_panel_pre_examines_with_costs_and_submits_to_a_point(self, client, draft, seller, registrar):
        client.force_login(seller)
        response = client.post(f"/manage/contracts/{draft.pk}/actions/submit/", {"submit-point": "02"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.registration_point.code == "02"
        reg.contract_withdraw(contract=draft, by=seller)
        reg.contract_submit(contract=draft, by=seller)
        client.force_login(registrar)
        response = client.post(f"/manage/contracts/{draft.pk}/actions/pre_examine/", {
            "pre_examine-category": "21", "pre_examine-tech_field": "01",
            "pre_examine-costs": "检测设备 50000.00\n原材料 1000"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == "pre_examined" and draft.tech_amount_fen == 50_000_000 - 5_100_000

    def test_a_registrar_without_jurisdiction_gets_the_reason(self, client, draft, seller, bureau):
        reg.contract_submit(contract=draft, by=seller)
        client.force_login(bureau)
        response = client.post(f"/manage/contracts/{draft.pk}/actions/pre_examine/", {})
        assert response.status_code == 403 and "持证" in response.content.decode()
