"""REST API of 补助政策 and 补助批次: /api/v1/subsidy-policies, /api/v1/subsidy-rounds, /api/v1/subsidy-precheck."""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from techmarket.core.api import ActionIn, ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError

from . import permissions, selectors, services
from .precheck import precheck_for
from .representations import (
    computation_out,
    declaration_out,
    evidence_out,
    exclusion_out,
    line_out,
    policy_out,
    precheck_out,
    round_out,
)

router = Router(tags=["补助政策"])


class PolicyPatch(Schema):
    """Money in yuan strings; `rate_percent` a decimal percent (≤ 3 decimals)."""

    name: str | None = None
    rule_kind: str | None = None
    recipient_role: str | None = None
    base: str | None = None
    payment_evidence_required: bool | None = None
    counterparty_location: str | None = None
    unit_location: str | None = None
    transfer_in_city: bool | None = None
    local_transfer_evidence_required: bool | None = None
    unit_kind: str | None = None
    platform_kinds: list[str] | None = None
    qualification_kind: str | None = None
    min_level: str | None = None
    requires_national_number: bool | None = None
    payer: str | None = None
    rate_percent: str | None = None
    min_amount: str | None = None
    max_amount: str | None = None
    cap_per_unit_year: str | None = None
    grade_amounts: list[dict] | None = None
    instalments: list[dict] | None = None
    citation: str | None = None
    note: str | None = None


class PolicyIn(PolicyPatch):
    city: str
    year: int
    code: str


class RoundPatch(Schema):
    name: str | None = None
    year: int | None = None
    base_year: int | None = None
    declaration_deadline: datetime.date | None = None
    budget: str | None = None
    notice_working_days: int | None = None
    policies: list[int] | None = None


class RoundIn(RoundPatch):
    name: str
    year: int
    declaration_deadline: datetime.date
    policies: list[int]


class DeclarationIn(Schema):
    """`contracts`/`payments` omitted: pre-filled from the platform (registered contracts and base-year payments)."""

    policy: int
    platform: int | None = None
    qualification: int | None = None
    contract: int | None = None
    instalment: str | None = None
    contracts: list[int] | None = None
    payments: list[int] | None = None
    statement: str = ""


class DeclarationPatch(Schema):
    platform: int | None = None
    qualification: int | None = None
    contracts: list[int] | None = None
    payments: list[int] | None = None
    statement: str | None = None


class AssessIn(Schema):
    grade: str | None = None
    assessed_amount: str | None = None


class PaymentIn(Schema):
    paid_on: datetime.date
    reference: str


def _grade_amounts(rows):
    from techmarket.core.money import yuan_to_fen

    if rows is None:
        return None
    return [{"grade": str(r.get("grade", "")), "amount_fen": yuan_to_fen(r.get("amount"), field="grade_amounts")}
            for r in rows]


def _policy_data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    if "grade_amounts" in data:
        data["grade_amounts"] = _grade_amounts(data["grade_amounts"])
    for key in ("base", "qualification_kind", "min_level"):
        if key in data and data[key] is None:
            data[key] = ""
    return data


# --- policies ----------------------------------------------------------------------------------------

@router.get("/subsidy-policies", auth=ApiAuth(optional=True), summary="补助政策列表")
def policy_list(request, city: str | None = None, year: int | None = None, current: bool = True,
                page: int = 1, page_size: int = 20):
    """公开：`city` 4 或 6 位区划代码，`year` 政策年度；`current=false` 含历史版本。"""
    user = caller(request)
    return paginate(request, selectors.policy_list(city=city, year=year, current=current),
                    lambda p: policy_out(p, user), page=page, page_size=page_size)


@router.get("/subsidy-policies/{int:policy_id}", auth=ApiAuth(optional=True), summary="补助政策详情")
def policy_detail(request, policy_id: int):
    return policy_out(selectors.policy_get(pk=policy_id), caller(request))


@router.post("/subsidy-policies", response={201: dict}, summary="新建补助政策（本市科技局管理员）")
def policy_create(request, payload: PolicyIn):
    from .seed_rules import city_region
    from techmarket.regions.models import Region

    try:
        city = city_region(payload.city)
    except Region.DoesNotExist:
        raise ApplicationError("城市区划代码不存在", field="city", code="invalid")
    data = _policy_data(payload)
    data.pop("city", None)
    policy = services.policy_create(by=request.auth, city=city, data=data)
    return Status(201, policy_out(policy, request.auth))


@router.patch("/subsidy-policies/{int:policy_id}", summary="修改补助政策（已用于测算的版本生成新版本）")
def policy_update(request, policy_id: int, payload: PolicyPatch):
    policy = selectors.policy_get(pk=policy_id)
    if not permissions.can_edit_policy(request.auth, policy):
        raise Http404
    policy = services.policy_update(policy=policy, by=request.auth, data=_policy_data(payload))
    return policy_out(policy, request.auth)


# --- rounds ------------------------------------------------------------------------------------------

@router.get("/subsidy-rounds", auth=ApiAuth(optional=True), summary="补助批次列表")
def round_list(request, status: str | None = None, page: int = 1, page_size: int = 20):
    """公众：公示中及以后的批次；本市科技管理部门：全部；单位用户：申报中及本单位申报过的批次。"""
    user = caller(request)
    qs = selectors.round_list_visible(user)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, lambda r: round_out(r, user), page=page, page_size=page_size)


@router.post("/subsidy-rounds", response={201: dict}, summary="设立补助批次（本市科技局管理员）")
def round_create(request, payload: RoundIn):
    from .seed_rules import city_region

    user = request.auth
    city = city_region(user.region.code[:4]) if getattr(user, "region", None) else None
    if city is None or not permissions.is_city_bureau(user, city):
        raise PermissionDenied("只有市科技局管理员可以设立补助批次")
    round_ = services.round_create(by=user, city=city, data=payload.dict(exclude_unset=True))
    return Status(201, round_out(round_, user))


@router.get("/subsidy-rounds/{int:round_id}", auth=ApiAuth(optional=True), summary="补助批次详情")
def round_detail(request, round_id: int):
    user = caller(request)
    return round_out(selectors.round_get_for_user(user=user, pk=round_id), user)


@router.patch("/subsidy-rounds/{int:round_id}", summary="修改补助批次")
def round_update(request, round_id: int, payload: RoundPatch):
    round_ = selectors.round_get_managed(user=request.auth, pk=round_id)
    services.round_update(round_=round_, by=request.auth, data=payload.dict(exclude_unset=True))
    return round_out(selectors.round_get_managed(user=request.auth, pk=round_id), request.auth)


@router.post("/subsidy-rounds/{int:round_id}/actions/{action}", summary="补助批次流程操作")
def round_action(request, round_id: int, action: str, payload: ActionIn):
    """open（开始申报）、close_declarations（截止申报）、compute（测算/重新测算）、publish_notice（公示）、
    approve（批准：不能由测算人批准，公示期满后）、close（办结）、cancel（取消，需填写意见）。"""
    round_ = selectors.round_get_managed(user=request.auth, pk=round_id)
    services.round_act(round_=round_, action=action, by=request.auth, comment=payload.comment,
                       reason_code=payload.reason_code)
    return round_out(selectors.round_get_managed(user=request.auth, pk=round_id), request.auth)


@router.get("/subsidy-rounds/{int:round_id}/lines", auth=ApiAuth(optional=True), summary="补助明细（当前或指定测算版本）")
def line_list(request, round_id: int, version: int | None = None, page: int = 1, page_size: int = 20):
    """公示中及以后公众可见单位名称和金额；本市科技管理部门另见计算说明。"""
    user = caller(request)
    round_ = selectors.round_get_for_user(user=user, pk=round_id)
    public = not permissions.can_view_round(user, round_)
    if public and version:
        raise Http404
    return paginate(request, selectors.lines_of(round_, version), lambda l: line_out(l, public=public),
                    page=page, page_size=page_size)


@router.get("/subsidy-rounds/{int:round_id}/exclusions", summary="排除明细（逐项原因）")
def exclusion_list(request, round_id: int, version: int | None = None, page: int = 1, page_size: int = 20):
    round_ = selectors.round_get_managed(user=request.auth, pk=round_id)
    computation = (round_.computations.filter(version=version) if version
                   else round_.computations.filter(is_current=True)).first()
    qs = computation.exclusions.select_related("organization") if computation else round_.computations.none()
    return paginate(request, qs, exclusion_out, page=page, page_size=page_size)


@router.get("/subsidy-rounds/{int:round_id}/computations", summary="测算版本及与上一版本的差异")
def computation_list(request, round_id: int, page: int = 1, page_size: int = 20):
    round_ = selectors.round_get_managed(user=request.auth, pk=round_id)
    return paginate(request, round_.computations.select_related("computed_by"), computation_out,
                    page=page, page_size=page_size)


@router.post("/subsidy-rounds/{int:round_id}/lines/{int:line_id}/payment", summary="登记拨付")
def line_payment(request, round_id: int, line_id: int, payload: PaymentIn):
    round_ = selectors.round_get_managed(user=request.auth, pk=round_id)
    line = selectors.lines_of(round_).filter(pk=line_id).first()
    if line is None:
        raise Http404
    services.line_record_payment(line=line, by=request.auth, paid_on=payload.paid_on, reference=payload.reference)
    line.refresh_from_db()
    return line_out(line)


# --- declarations ------------------------------------------------------------------------------------

@router.get("/subsidy-rounds/{int:round_id}/declarations", summary="申报列表")
def declaration_list(request, round_id: int, status: str | None = None, page: int = 1, page_size: int = 20):
    """本市科技局：全部；县区：本辖区单位；单位用户：本单位。"""
    user = request.auth
    round_ = selectors.round_get_for_user(user=user, pk=round_id)
    qs = selectors.declarations_for(user=user, round_=round_)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, lambda d: declaration_out(d, user), page=page, page_size=page_size)


@router.post("/subsidy-rounds/{int:round_id}/declarations", response={201: dict}, summary="申报（单位用户）")
def declaration_create(request, round_id: int, payload: DeclarationIn):
    round_ = selectors.round_get_for_user(user=request.auth, pk=round_id)
    d = services.declaration_create(round_=round_, by=request.auth, data=payload.dict(exclude_unset=True))
    return Status(201, declaration_out(d, request.auth))


@router.get("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}", summary="申报详情")
def declaration_detail(request, round_id: int, declaration_id: int):
    d = selectors.declaration_get_for_user(user=request.auth, pk=declaration_id)
    if d.round_id != round_id:
        raise Http404
    return declaration_out(d, request.auth)


@router.patch("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}", summary="修改申报（草稿或退回）")
def declaration_update(request, round_id: int, declaration_id: int, payload: DeclarationPatch):
    d = selectors.declaration_get_for_user(user=request.auth, pk=declaration_id)
    if d.round_id != round_id:
        raise Http404
    services.declaration_update(declaration=d, by=request.auth, data=payload.dict(exclude_unset=True))
    return declaration_out(selectors.declaration_get_for_user(user=request.auth, pk=declaration_id), request.auth)


@router.post("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/actions/{action}",
             summary="申报流程操作")
def declaration_action(request, round_id: int, declaration_id: int, action: str, payload: ActionIn):
    """submit、withdraw（单位）；pre_approve、pre_return（初审：县区或本市科技局）；accept、return、reject（复审：本市科技局）。"""
    d = selectors.declaration_get_for_user(user=request.auth, pk=declaration_id)
    if d.round_id != round_id:
        raise Http404
    services.declaration_act(declaration=d, action=action, by=request.auth, comment=payload.comment,
                             reason_code=payload.reason_code)
    return declaration_out(selectors.declaration_get_for_user(user=request.auth, pk=declaration_id), request.auth)


@router.post("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/assessment",
             summary="录入绩效档次或核定一次性奖励金额（本市科技局）")
def declaration_assessment(request, round_id: int, declaration_id: int, payload: AssessIn):
    d = selectors.declaration_get_for_user(user=request.auth, pk=declaration_id)
    if d.round_id != round_id:
        raise Http404
    services.declaration_assess(declaration=d, by=request.auth, grade=payload.grade,
                                assessed_amount=payload.assessed_amount)
    return declaration_out(selectors.declaration_get_for_user(user=request.auth, pk=declaration_id), request.auth)


# --- declaration evidence (申报材料) --------------------------------------------------------------------

def _declaration(request, round_id: int, declaration_id: int):
    d = selectors.declaration_get_for_user(user=request.auth, pk=declaration_id)
    if d.round_id != round_id:
        raise Http404
    return d


@router.get("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/evidence", summary="申报材料列表")
def evidence_list(request, round_id: int, declaration_id: int, page: int = 1, page_size: int = 20):
    """申报单位、所在县区初审人员和本市科技局可见；其他人 404。"""
    d = _declaration(request, round_id, declaration_id)
    return paginate(request, d.attachments.order_by("pk"), evidence_out, page=page, page_size=page_size)


@router.post("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/evidence", response={201: dict},
             summary="上传申报材料（申报单位，草稿或退回修改时）")
def evidence_upload(request, round_id: int, declaration_id: int, file: UploadedFile = File(...),
                    kind: str = Form(...)):
    """multipart：`file`（PDF、OFD、JPG、PNG、Word、Excel、ZIP，按内容校验类型，不超过上传上限）和 `kind`
    （local_transfer 在本市实施转化证明、payment_voucher、invoice、qualification、performance、other）。"""
    d = _declaration(request, round_id, declaration_id)
    row = services.declaration_evidence_add(declaration=d, by=request.auth, upload=file, kind=kind)
    return Status(201, evidence_out(row))


@router.get("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/evidence/{int:evidence_id}",
            summary="下载申报材料")
def evidence_download(request, round_id: int, declaration_id: int, evidence_id: int):
    from techmarket.achievements.api_common import attachment_response

    d = _declaration(request, round_id, declaration_id)
    return attachment_response(selectors.declaration_evidence_get(declaration=d, pk=evidence_id), public=False)


@router.delete("/subsidy-rounds/{int:round_id}/declarations/{int:declaration_id}/evidence/{int:evidence_id}",
               response={204: None}, summary="删除申报材料（申报单位，草稿或退回修改时）")
def evidence_delete(request, round_id: int, declaration_id: int, evidence_id: int):
    d = _declaration(request, round_id, declaration_id)
    services.declaration_evidence_delete(evidence=selectors.declaration_evidence_get(declaration=d, pk=evidence_id),
                                         by=request.auth)
    return Status(204, None)


# --- pre-check ---------------------------------------------------------------------------------------

@router.get("/subsidy-precheck", summary="惠企政策预评估（本单位）")
def precheck(request, year: int | None = None):
    """按本单位已登记合同、付款和资质，估算可能符合的本市现行政策及金额、原因和缺少的材料（基数年度为上一年）。"""
    user = request.auth
    if not permissions.is_unit_user(user):
        raise PermissionDenied("预评估面向企业和高校院所等单位用户")
    return precheck_out(precheck_for(organization=user.organization, year=year))
