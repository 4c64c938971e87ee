"""REST API of 技术合同: /api/v1/contracts (SPEC §3 conventions). No public view: every call needs a login."""
from __future__ import annotations

import datetime

from ninja import Router, Schema, Status

from techmarket.core.api import ActionIn, caller, paginate

from . import selectors, services
from .representations import contract_out

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


@router.post("/contracts/{int:contract_id}/actions/{action}", summary="技术合同流程操作")
def contract_action(request, contract_id: int, action: str, payload: ActionIn):
    """cancel（作废草稿，需填写意见）。"""
    contract = selectors.contract_get_for_user(user=request.auth, pk=contract_id)
    services.contract_act(contract=contract, action=action, by=request.auth, comment=payload.comment,
                          reason_code=payload.reason_code)
    return _detail(contract_id, request.auth)
