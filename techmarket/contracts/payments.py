"""Payment records of technology contracts (付款记录, SPEC C1 / P2): date, amount, transfer voucher and
invoice. Several subsidy rules count amounts paid in a year; a payment counts as evidenced when it has
at least one voucher and one invoice (``ContractPayment.is_evidenced``, ``selectors.payments_evidenced``).

The seller or the buyer side records payments once the contract is submitted for registration (or
registered). The cumulative amount paid may not exceed 合同成交额; the contract row is locked while the
sum is checked, so two concurrent payments cannot together exceed it.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.audit import record_change
from techmarket.core.errors import ApplicationError, ErrorItem
from techmarket.core.models import ObjectChange
from techmarket.core.money import yuan_str, yuan_to_fen
from techmarket.core.uploads import clean_filename, upload_problem

from .choices import PaymentEvidenceKind
from .models import ContractPayment, PaymentEvidence, TechContract
from .permissions import is_buyer_side, is_seller_side, payment_refusal

__all__ = ["payment_record", "payment_evidence_add", "EVIDENCE_EXTENSIONS", "NOTE_MAX"]

# Bank receipts and invoices arrive as PDF, OFD (the e-invoice format, GB/T 33190) or scans.
EVIDENCE_EXTENSIONS = ("pdf", "ofd", "jpg", "png")
NOTE_MAX = 200
MAX_EVIDENCE_PER_PAYMENT = 10
KIND_LABELS = {PaymentEvidenceKind.VOUCHER: _("转账凭证"), PaymentEvidenceKind.INVOICE: _("发票")}


def _paid_on(value) -> datetime.date:
    if value is None or value == "":
        raise ApplicationError(_("请填写付款日期"), field="paid_on", code="required")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ApplicationError(_("付款日期格式应为 YYYY-MM-DD"), field="paid_on", code="invalid_date") from None
    return value


def _amount(value) -> int:
    try:
        fen = yuan_to_fen(value, field="amount")
    except ApplicationError as exc:
        raise ApplicationError(_("付款金额：{m}").format(m=exc.errors[0].message), field="amount",
                               code=exc.errors[0].code) from None
    if fen <= 0:
        raise ApplicationError(_("付款金额应大于 0"), field="amount", code="not_positive")
    return fen


def _check_upload(upload, *, field: str, kind: str) -> ErrorItem | None:
    problem = upload_problem(upload, allowed=EVIDENCE_EXTENSIONS, noun=str(KIND_LABELS[kind]))
    return ErrorItem(field, "invalid_attachment", problem) if problem else None


def _store(payment: ContractPayment, upload, *, kind: str, by, stored: list[str]) -> PaymentEvidence:
    row = PaymentEvidence(record=payment, kind=kind, original_name=clean_filename(upload.name), size=upload.size,
                          uploaded_by=by if getattr(by, "pk", None) else None)
    upload.seek(0)
    row.file.save(row.original_name, upload, save=False)
    stored.append(row.file.name)
    row.save()
    return row


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def payment_record(contract: TechContract, *, by, paid_on, amount, note: str = "", voucher=None,
                   invoice=None) -> ContractPayment:
    """付款记录: the seller or buyer side records a payment (date not in the future and not before signing,
    amount > 0, cumulative paid ≤ 合同成交额) with an optional transfer voucher and invoice."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _payment_record(contract, by=by, paid_on=paid_on, amount=amount, note=note, voucher=voucher,
                                   invoice=invoice, stored=stored)
    except BaseException:
        _delete_files(stored)  # nothing half-saved: no file outlives a rolled-back payment
        raise


def _payment_record(contract, *, by, paid_on, amount, note, voucher, invoice, stored) -> ContractPayment:
    contract = TechContract.objects.select_for_update().get(pk=contract.pk)
    refusal = payment_refusal(by, contract)
    if refusal:
        raise PermissionDenied(refusal)
    errors: list[ErrorItem] = []
    day = fen = None
    try:
        day = _paid_on(paid_on)
    except ApplicationError as exc:
        errors.extend(exc.errors)
    try:
        fen = _amount(amount)
    except ApplicationError as exc:
        errors.extend(exc.errors)
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        errors.append(ErrorItem("note", "too_long", _("说明不能超过 {n} 个字").format(n=NOTE_MAX)))
    for field, kind, upload in (("voucher", PaymentEvidenceKind.VOUCHER, voucher),
                                ("invoice", PaymentEvidenceKind.INVOICE, invoice)):
        if upload is not None:
            item = _check_upload(upload, field=field, kind=kind)
            if item:
                errors.append(item)
    if day is not None:
        if day > timezone.localdate():
            errors.append(ErrorItem("paid_on", "in_future", _("付款日期不能晚于今天")))
        elif contract.signed_on and day < contract.signed_on:
            errors.append(ErrorItem("paid_on", "before_signing", _("付款日期不能早于合同签订日期 {d}").format(
                d=contract.signed_on.isoformat())))
    if fen is not None:
        paid = contract.payments.aggregate(total=Sum("amount_fen"))["total"] or 0
        total = contract.total_amount_fen or 0
        if paid + fen > total:
            errors.append(ErrorItem("amount", "exceeds_total", _(
                "累计付款 {sum} 元将超过合同成交额 {total} 元（已登记付款 {paid} 元，本次最多 {left} 元）").format(
                sum=yuan_str(paid + fen), total=yuan_str(total), paid=yuan_str(paid),
                left=yuan_str(max(total - paid, 0)))))
    if errors:
        raise ApplicationError(errors=errors)
    payment = ContractPayment.objects.create(contract=contract, paid_on=day, amount_fen=fen, note=note,
                                             recorded_by=by if getattr(by, "pk", None) else None)
    names = []
    for kind, upload in ((PaymentEvidenceKind.VOUCHER, voucher), (PaymentEvidenceKind.INVOICE, invoice)):
        if upload is not None:
            names.append(_store(payment, upload, kind=kind, by=by, stored=stored).original_name)
    record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before={"payment": None},
                  after={"payment": {"paid_on": day.isoformat(), "amount": yuan_str(fen), "note": note,
                                     "attachments": names}},
                  comment=_("登记付款记录"))
    return payment


def payment_evidence_add(payment: ContractPayment, *, by, kind: str, upload) -> PaymentEvidence:
    """Add a transfer voucher or an invoice to a recorded payment (the seller or buyer side)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            contract = TechContract.objects.select_for_update().get(pk=payment.contract_id)
            if not (is_seller_side(by, contract) or is_buyer_side(by, contract)):
                raise PermissionDenied(_("只有合同的卖方或买方单位可以上传付款凭证"))
            if kind not in PaymentEvidenceKind.values:
                raise ApplicationError(_("凭证类型应为转账凭证或发票"), field="kind", code="invalid_choice")
            if upload is None:
                raise ApplicationError(_("请选择要上传的文件"), field="file", code="required")
            item = _check_upload(upload, field="file", kind=kind)
            if item:
                raise ApplicationError(errors=[item])
            if payment.attachments.count() >= MAX_EVIDENCE_PER_PAYMENT:
                raise ApplicationError(_("每笔付款最多 {n} 个凭证").format(n=MAX_EVIDENCE_PER_PAYMENT), field="file",
                                       code="too_many_attachments")
            row = _store(payment, upload, kind=kind, by=by, stored=stored)
            record_change(obj=contract, action=ObjectChange.Action.UPDATE, by=by, before={"attachment": None},
                          after={"payment": payment.pk, "attachment": row.original_name, "kind": kind},
                          comment=_("补充付款凭证"))
            return row
    except BaseException:
        _delete_files(stored)
        raise
