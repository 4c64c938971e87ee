"""Payment records (付款记录): the cumulative cap, dates, voucher and invoice attachments, "evidenced",
who may record and download, nothing half-saved; the API and the page."""
from __future__ import annotations

import datetime
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.contracts import registration as reg
from techmarket.contracts import selectors
from techmarket.contracts.models import ContractPayment
from techmarket.contracts.payments import payment_evidence_add, payment_record
from techmarket.core.errors import ApplicationError

from . import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SIGNED = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(root) -> list[str]:
    return [os.path.join(d, n) for d, _dirs, names in os.walk(root) for n in names]


def pdf(name="凭证.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def deal(achievement, buyer_org):
    return f.closed_deal(achievement=achievement, buyer=buyer_org, closed_at=SIGNED)  # 500,000.00


@pytest.fixture
def submitted(deal, seller, points):
    from techmarket.contracts import services

    return reg.contract_submit(contract=services.contract_create_from_deal(deal=deal, by=seller), by=seller)


class TestPaymentRecord:
    def test_the_buyer_records_a_payment_with_voucher_and_invoice(self, submitted, buyer):
        # when
        payment = payment_record(submitted, by=buyer, paid_on="2025-02-01", amount="200000.00", note="首期款",
                                 voucher=pdf("转账回单.pdf"), invoice=SimpleUploadedFile("发票.png", PNG))
        # then
        assert payment.amount_fen == 20_000_000 and payment.paid_on == datetime.date(2025, 2, 1)
        assert sorted(a.kind for a in payment.attachments.all()) == ["invoice", "voucher"]
        assert payment.is_evidenced and payment.recorded_by == buyer
        assert selectors.payments_evidenced().get(pk=payment.pk).evidenced is True

    def test_a_payment_without_invoice_is_not_evidenced_until_one_is_added(self, submitted, seller):
        payment = payment_record(submitted, by=seller, paid_on="2025-02-01", amount="1000", voucher=pdf())
        assert not payment.is_evidenced
        assert selectors.payments_evidenced().get(pk=payment.pk).evidenced is False
        payment_evidence_add(payment, by=seller, kind="invoice", upload=pdf("发票.pdf"))
        payment = ContractPayment.objects.get(pk=payment.pk)
        assert payment.is_evidenced and selectors.payments_evidenced().get(pk=payment.pk).evidenced is True

    def test_the_cumulative_amount_may_not_exceed_the_total(self, submitted, seller, buyer):
        payment_record(submitted, by=buyer, paid_on="2025-02-01", amount="300000.00")
        payment_record(submitted, by=seller, paid_on="2025-03-01", amount="200000.00")  # exactly the total
        with pytest.raises(ApplicationError) as exc:
            payment_record(submitted, by=buyer, paid_on="2025-03-02", amount="0.01")
        error = exc.value.errors[0]
        assert error.field == "amount" and error.code == "exceeds_total"
        assert "500000.01" in error.message and "500000.00" in error.message
        assert submitted.payments.count() == 2

    @pytest.mark.parametrize(("paid_on", "amount", "field", "code"), [
        ("2025-02-01", "0", "amount", "not_positive"),
        ("2025-02-01", "-5", "amount", "not_positive"),
        ("2025-02-01", "1.234", "amount", "invalid_amount"),
        ("2025-02-01", "abc", "amount", "invalid_amount"),
        ("", "100", "paid_on", "required"),
        ("2025/02/01", "100", "paid_on", "invalid_date"),
        ("2025-01-14", "100", "paid_on", "before_signing"),
        ("2999-01-01", "100", "paid_on", "in_future"),
    ])
    def test_bad_input_is_refused_naming_the_field(self, paid_on, amount, field, code, submitted, buyer):
        with pytest.raises(ApplicationError) as exc:
            payment_record(submitted, by=buyer, paid_on=paid_on, amount=amount)
        assert (exc.value.errors[0].field, exc.value.errors[0].code) == (field, code)
        assert not submitted.payments.exists()

    def test_a_fake_attachment_saves_nothing(self, submitted, buyer, media):
        with pytest.raises(ApplicationError) as exc:
            payment_record(submitted, by=buyer, paid_on="2025-02-01", amount="100", voucher=pdf(),
                           invoice=SimpleUploadedFile("发票.pdf", b"MZ not a pdf"))
        assert exc.value.errors[0].field == "invoice" and "发票" in exc.value.errors[0].message
        assert not submitted.payments.exists() and stored_files(media) == []

    def test_who_may_record(self, submitted, stranger, officer_seller, registrar, deal, seller):
        for user in (stranger, officer_seller, registrar):
            with pytest.raises(PermissionDenied):
                payment_record(submitted, by=user, paid_on="2025-02-01", amount="100")
        from techmarket.contracts import services

        draft = services.contract_create_from_deal(deal=f.closed_deal(achievement=deal.achievement,
                                                                      buyer=deal.buyer, closed_at=SIGNED), by=seller)
        with pytest.raises(PermissionDenied) as exc:
            payment_record(draft, by=seller, paid_on="2025-02-01", amount="100")
        assert "提交登记后" in str(exc.value)
        assert not ContractPayment.objects.exists()


class TestPaymentApiAndPages:
    def test_api_records_and_lists_payments(self, client, submitted, buyer, seller):
        client.force_login(buyer)
        url = f"/api/v1/contracts/{submitted.pk}/payments"
        response = client.post(url, {"paid_on": "2025-02-01", "amount": "1234.50", "note": "首期",
                                     "voucher": pdf(), "invoice": pdf("发票.pdf")})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["amount"] == "1234.50" and body["is_evidenced"] is True and len(body["attachments"]) == 2
        listed = client.get(url).json()
        assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
        download = client.get(body["attachments"][0]["url"])
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
        detail = client.get(f"/api/v1/contracts/{submitted.pk}").json()
        assert detail["paid_amount"] == "1234.50" and detail["payments"][0]["id"] == body["id"]

    def test_api_refusals(self, client, submitted, buyer, stranger, officer_seller):
        url = f"/api/v1/contracts/{submitted.pk}/payments"
        assert client.post(url, {"paid_on": "2025-02-01", "amount": "1"}).status_code == 401
        client.force_login(stranger)
        assert client.post(url, {"paid_on": "2025-02-01", "amount": "1"}).status_code == 404
        client.force_login(officer_seller)
        assert client.get(url).status_code == 200
        response = client.post(url, {"paid_on": "2025-02-01", "amount": "1"})
        assert response.status_code == 403 and "卖方或买方" in response.json()["errors"][0]["message"]
        client.force_login(buyer)
        response = client.post(url, {"paid_on": "2025-02-01", "amount": "600000"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount"

    def test_page_records_a_payment_and_downloads_are_checked(self, client, submitted, seller, stranger):
        client.force_login(seller)
        page = f"/manage/contracts/{submitted.pk}/"
        response = client.post(f"{page}payments/", {"paid_on": "2025-02-01", "amount": "5000", "note": "",
                                                    "voucher": pdf()})
        assert response.status_code == 302
        text = client.get(page).content.decode()
        assert "5,000.00" in text and "缺转账凭证或发票" in text
        payment = submitted.payments.get()
        evidence = payment.attachments.get()
        url = f"{page}payments/{payment.pk}/evidence/{evidence.pk}/"
        assert client.get(url).status_code == 200
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        client.force_login(seller)
        response = client.post(f"{page}payments/", {"paid_on": "2025-02-01", "amount": "999999"})
        assert response.status_code == 200 and "将超过合同成交额" in response.content.decode()
