"""REST API of 技术合同: /api/v1/contracts (SPEC §3 conventions). No public view: every call needs a login."""
from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from techmarket.achievements.api_common import attachment_response
from techmarket.core.api import ActionIn, ApiAuth, caller, paginate

from . import selectors, services
from .certificate import certificate_filename, contract_certificate_pdf
from .payments import payment_evidence_add, payment_record
from .representations import contract_out, payment_out, point_out

router = Router(tags=["技术合同"])


class CostIn(Schema):
    item: str
    amount: str


class ContractPatch(Schema):
    """Codes: `category` contract_category, `seller_nature`/`buyer_nature` party_nature, `tech_field`
    contract_field, `ip_type`, `plan_category` (see /api/v1/taxonomies/{scheme}); regions 6-digit codes;
    amounts in yuan as strings. Only the fields sent are changed."""

    name: str | None = None
    category: str | None = None
    buyer_organization: int | None = None
    buyer_name: str | None = None
    buyer_credit_code: str | None = None
    buyer_region: str | None = None
    buyer_nature: str | None = None
    seller_name: str | None = None
    seller_credit_code: str | None = None
    seller_region: str | None = None
    seller_nature: str | None = None
    total_amount: str | None = None
    non_technical_costs: list[CostIn] | None = None
    tech_field: str | None = None
    ip_type: str | None = None
    plan_category: str | None = None
    signed_on: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    broker: int | None = None
    broker_agency: int | None = None
    expected_new_investment: str | None = None
    expected_new_output: str | None = None


class ContractIn(ContractPatch):
    """A new contract: the seller is the caller's organization (seller fields default to its registry data)."""

    name: str
    total_amount: str
    non_technical_costs: list[CostIn] = []


def _data(payload: dict, *, creating: bool) -> dict:
    """Unset fields stay out; a null seller field on creation means “from my organization”."""
    if creating:
        payload = {k: v for k, v in payload.items() if v is not None or not k.startswith("seller_")}
    return payload


def _detail(contract_id: int, user) -> dict:
    return contract_out(selectors.contract_get_for_user(user=user, pk=contract_id), user, detail=True)


@router.get("/contracts", summary="技术合同列表")
def contract_list(request, status: str | None = None, year: int | None = None, page: int = 1,
                  page_size: int = 20):
    """本单位作为卖方或买方的技术合同；县区和市科技管理部门：卖方或买方在管辖区域内的合同。
    `year` 按签订日期的年份筛选。"""
    user = caller(request)
    qs = selectors.contract_list(user=user, status=status, year=year)
    return paginate(request, qs, lambda c: contract_out(c, user), page=page, page_size=page_size)


@router.post("/contracts", response={201: dict}, summary="录入技术合同（草稿，本单位为卖方）")
def contract_create(request, payload: ContractIn):
    contract = services.contract_create(by=request.auth, data=_data(payload.dict(exclude_unset=True), creating=True))
    return Status(201, _detail(contract.pk, request.auth))


@router.get("/contracts/{int:contract_id}", summary="技术合同详情")
def contract_detail(request, contract_id: int):
    return _detail(contract_id, caller(request))


@router.patch("/contracts/{int:contract_id}", summary="修改技术合同（卖方，草稿状态）")
def contract_update(request, contract_id: int, payload: ContractPatch):
    """技术交易额不可直接填写：保存时按 合同成交额 − 非技术性费用合计 重新计算。"""
    contract = selectors.contract_get_for_user(user=request.auth, pk=contract_id)
    services.contract_update(contract=contract, by=request.auth,
                             data=_data(payload.dict(exclude_unset=True), creating=False))
    return _detail(contract_id, request.auth)


class ContractActionIn(ActionIn):
    """``comment`` and ``reason_code`` (SPEC §3) plus the fields some actions take:

    * submit（提交登记，卖方）: ``point`` — 2-digit code of an active point of the seller's city (default 01);
    * withdraw（撤回，卖方）; cancel（作废，卖方，需填写意见）;
    * pre_examine（初审，登记员）: ``category``, ``tech_field`` (codes), ``non_technical_costs`` (replaces the
      itemised costs; 技术交易额 is recomputed);
    * register（予以登记，登记员）: ``registration_number`` (16 digits) and ``registered_on`` from the national
      system; leave both empty where the city's setting issues numbers here;
    * refuse（不予登记，登记员）: ``reason_code`` of context ``registration_refuse``;
    * return（退回修改，登记员）, deregister（注销登记，登记员）: ``comment`` required;
    * amend（登记变更，登记员）: ``changes`` (the fields of PATCH /contracts/{id}) and ``comment``.
    """

    point: str | None = None
    category: str | None = None
    tech_field: str | None = None
    non_technical_costs: list[CostIn] | None = None
    registration_number: str | None = None
    registered_on: datetime.date | None = None
    changes: ContractPatch | None = None


@router.post("/contracts/{int:contract_id}/actions/{action}", summary="技术合同流程操作（提交、审查、登记等）")
def contract_action(request, contract_id: int, action: str, payload: ContractActionIn):
    """见请求体说明。成功时返回更新后的合同；状态不允许为 422，登记员资格不符为 403（附原因）。"""
    contract = selectors.contract_get_for_user(user=request.auth, pk=contract_id)
    body = payload.dict(exclude_unset=True)
    fields = {k: body[k] for k in ("point", "category", "tech_field", "non_technical_costs",
                                   "registration_number", "registered_on") if k in body}
    if body.get("changes") is not None:
        fields["changes"] = _data(payload.changes.dict(exclude_unset=True), creating=False)
    services.contract_act(contract=contract, action=action, by=request.auth, comment=payload.comment,
                          reason_code=payload.reason_code, **fields)
    return _detail(contract_id, request.auth)


@router.get("/contracts/{int:contract_id}/certificate.pdf", summary="技术合同认定登记证明（PDF）")
def contract_certificate(request, contract_id: int):
    """当事人、管辖范围内的管理人员和受理登记点的登记员可下载；未登记的合同为 422。"""
    contract = selectors.contract_get_for_user(user=caller(request), pk=contract_id)
    response = HttpResponse(contract_certificate_pdf(contract), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(contract)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/contracts/{int:contract_id}/payments", summary="付款记录列表")
def contract_payments(request, contract_id: int, page: int = 1, page_size: int = 20):
    contract = selectors.contract_get_for_user(user=caller(request), pk=contract_id)
    return paginate(request, selectors.payments_of(contract), payment_out, page=page, page_size=page_size)


@router.post("/contracts/{int:contract_id}/payments", response={201: dict}, summary="登记付款记录（卖方或买方）")
def contract_payment_create(request, contract_id: int, paid_on: str = Form(...), amount: str = Form(...),
                            note: str = Form(""), voucher: UploadedFile | None = File(None),
                            invoice: UploadedFile | None = File(None)):
    """multipart/form-data：付款日期 ``paid_on``（YYYY-MM-DD）、金额 ``amount``（元，字符串）、说明 ``note``，
    转账凭证 ``voucher`` 与发票 ``invoice``（PDF、OFD、JPG、PNG）。累计付款不得超过合同成交额。"""
    contract = selectors.contract_get_for_user(user=request.auth, pk=contract_id)
    payment = payment_record(contract, by=request.auth, paid_on=paid_on, amount=amount, note=note,
                             voucher=voucher, invoice=invoice)
    return Status(201, payment_out(selectors.payments_of(contract).get(pk=payment.pk)))


@router.post("/contracts/{int:contract_id}/payments/{int:payment_id}/evidence", response={201: dict},
             summary="补充付款凭证（卖方或买方）")
def contract_payment_evidence_add(request, contract_id: int, payment_id: int, kind: str = Form(...),
                                  file: UploadedFile = File(...)):
    """``kind``: voucher（转账凭证）或 invoice（发票）。"""
    contract = selectors.contract_get_for_user(user=request.auth, pk=contract_id)
    payment = contract.payments.filter(pk=payment_id).first()
    if payment is None:
        raise Http404
    payment_evidence_add(payment, by=request.auth, kind=kind, upload=file)
    return Status(201, payment_out(selectors.payments_of(contract).get(pk=payment.pk)))


@router.get("/contracts/{int:contract_id}/payments/{int:payment_id}/evidence/{int:attachment_id}",
            summary="下载付款凭证")
def contract_payment_evidence(request, contract_id: int, payment_id: int, attachment_id: int):
    contract = selectors.contract_get_for_user(user=caller(request), pk=contract_id)
    row = selectors.payment_evidence_get(contract=contract, payment_id=payment_id, attachment_id=attachment_id)
    return attachment_response(row, public=False)


@router.get("/registration-points", auth=ApiAuth(optional=True), summary="技术合同登记点")
def registration_point_list(request, city: str | None = None, page: int = 1, page_size: int = 20):
    """启用的技术合同登记点；``city`` 为 6 位城市代码，如 410100。公开信息，无需登录。"""
    return paginate(request, selectors.registration_points(city=city), point_out, page=page, page_size=page_size)
