"""REST API of 揭榜挂帅: /api/v1/challenges (and nested applications, panel, reviews, milestones,
acceptance, support), /api/v1/challenge-pool, /api/v1/challenge-rounds, /api/v1/challenge-stats.

SPEC §3 conventions (core/api.py): lists ``{"count", "page", "page_size", "items"}``; money as yuan strings;
datetimes +08:00; regions by code; 401 / 403 / 404 / 422 with ``{"errors": [...]}``; every workflow
record has ``status``, ``status_display`` and ``available_actions``; every state action is
``POST …/{id}/actions/{action}`` with ``{"comment", "reason_code"}`` answering the record.

The permissions are the pages': records are fetched through the selectors (404 outside the caller's
reach) and every write goes through the services of services.py / review.py / delivery.py, which refuse
with PermissionDenied (403) or ApplicationError (422). Nothing here decides who may do what.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from techmarket.achievements.api_common import (
    attachment_response,
    client_ip,
    resolve_organizations,
    resolve_person,
    resolve_region,
    resolve_term,
)
from techmarket.achievements.representations import attachment_out
from techmarket.core.api import ActionIn, ApiAuth, caller, paginate
from techmarket.core.errors import ApplicationError

from . import permissions, selectors, services
from .models import ChallengeApplication, Review
from .representations import (
    acceptance_out,
    acceptance_review_out,
    application_attachment_url,
    application_out,
    candidate_out,
    challenge_attachment_url,
    challenge_out,
    confidential_out,
    criterion_out,
    milestone_evidence_url,
    milestone_out,
    own_review_out,
    panel_member_out,
    pool_entry_out,
    push_recipient_out,
    ranking_row_out,
    review_row_out,
    round_out,
    stats_row_out,
    support_out,
)

router = Router(tags=["揭榜挂帅"])


# --- request bodies --------------------------------------------------------------------------------------

class IndicatorIn(Schema):
    name: str
    target: str = ""
    unit: str = ""


class CriterionIn(Schema):
    name: str
    weight: int
    id: int | None = None  # the criterion a row edits (it keeps its draft scores)


class ChallengePatch(Schema):
    """Money in yuan strings; `eligible_region` a 6-digit code (null: any region); `tech_field` a code of
    hitech_domains; `criteria` weights summing to 100. Omitted keys keep their value (on creation: pre-filled
    from the demand — title, keywords, problem statement, field, budget — and the default criteria)."""

    title: str | None = None
    keywords: list[str] | None = None
    problem_statement: str | None = None
    tech_field: str | None = None
    indicators: list[IndicatorIn] | None = None
    budget_min: str | None = None
    budget_max: str | None = None
    application_deadline: datetime.datetime | None = None
    duration_months: int | None = None
    ip_terms: str | None = None
    ip_terms_note: str | None = None
    eligible_region: str | None = None
    eligible_kinds: list[str] | None = None
    eligible_qualifications: list[str] | None = None
    eligibility_note: str | None = None
    agreement_text: str | None = None
    confidential_detail: str | None = None
    criteria: list[CriterionIn] | None = None


class ChallengeIn(ChallengePatch):
    demand: int


class MemberIn(Schema):
    organization: int
    responsibility: str = ""


class TeamIn(Schema):
    person: int
    role: str = ""
    is_leader: bool = False


class PlannedMilestoneIn(Schema):
    title: str
    deliverable: str = ""
    month: int


class ApplicationPatch(Schema):
    """`price` in yuan; `members` the consortium's other units; `team` people of the talent registry."""

    technical_plan: str | None = None
    price: str | None = None
    duration_months: int | None = None
    contact: int | None = None
    members: list[MemberIn] | None = None
    team: list[TeamIn] | None = None
    milestones: list[PlannedMilestoneIn] | None = None


class CriteriaIn(Schema):
    items: list[CriterionIn]


class PanelIn(Schema):
    person: int
    is_chair: bool = False


class CommentIn(Schema):
    comment: str = ""


class ReviewIn(Schema):
    """`scores`: criterion id → 0–100."""

    scores: dict[str, int]
    comment: str = ""


class FeedbackIn(Schema):
    application: int
    reason_code: str | None = None
    comment: str = ""


class AwardIn(Schema):
    application: int
    comment: str = ""
    feedback: list[FeedbackIn] = []


class StartIn(Schema):
    signed_on: datetime.date


class MilestoneActionIn(Schema):
    comment: str = ""
    report: str = ""


class AcceptanceIn(Schema):
    held_on: datetime.date
    comment: str = ""


class OpinionIn(Schema):
    outcome: str
    opinion: str


class DecisionIn(Schema):
    outcome: str
    conclusion: str = ""
    extended_to: datetime.date | None = None


class PoolIn(Schema):
    demand: int
    round: int | None = None
    note: str = ""


class RoundPatch(Schema):
    title: str | None = None
    description: str | None = None
    opens_on: datetime.date | None = None
    deadline: datetime.datetime | None = None


class RoundIn(RoundPatch):
    title: str
    opens_on: datetime.date
    deadline: datetime.datetime
    city: str | None = None


# --- helpers ---------------------------------------------------------------------------------------------

class _Rows:
    """A list that ``paginate`` can count and slice like a queryset."""

    def __init__(self, rows):
        self.rows = list(rows)

    def count(self) -> int:
        return len(self.rows)

    def __getitem__(self, item):
        return self.rows[item]


def _required(data: dict, keys) -> None:
    for key in keys:
        if key in data and data[key] is None:
            raise ApplicationError(_("此字段不能为空"), field=key, code="required")


def _demand(pk, user):
    from techmarket.demands.selectors import demand_get_for_user

    try:
        return demand_get_for_user(user=user, pk=pk)
    except Http404:
        raise ApplicationError(_("技术需求不存在"), field="demand", code="invalid_choice") from None


def _challenge_data(payload: dict) -> dict:
    data = dict(payload)
    _required(data, ("title", "keywords", "problem_statement", "tech_field", "indicators", "budget_min",
                     "budget_max", "application_deadline", "duration_months", "ip_terms", "agreement_text",
                     "criteria"))
    if "tech_field" in data:
        data["tech_field"] = resolve_term("hitech_domains", data["tech_field"], field="tech_field")
    if "eligible_region" in data:
        data["eligible_region"] = resolve_region(data["eligible_region"], field="eligible_region")
    for key in ("ip_terms_note", "eligibility_note", "confidential_detail"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("eligible_kinds", "eligible_qualifications"):
        if key in data and data[key] is None:
            data[key] = []
    return data


def _application_data(payload: dict) -> dict:
    from techmarket.directory.models import Person

    data = dict(payload)
    _required(data, ("technical_plan", "price", "duration_months", "members", "team", "milestones"))
    if "contact" in data:
        data["contact"] = resolve_person(data["contact"])
    if "members" in data:
        orgs = resolve_organizations([m["organization"] for m in data["members"]], field="members")
        data["members"] = [{"organization": org, "responsibility": m.get("responsibility", "")}
                           for org, m in zip(orgs, data["members"])]
    if "team" in data:
        ids = [t["person"] for t in data["team"]]
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("organization")}
        missing = [str(i) for i in ids if i not in people]
        if missing:
            raise ApplicationError(_("人员不存在：{ids}").format(ids="、".join(missing)), field="team",
                                   code="invalid_choice")
        data["team"] = [{"person": people[t["person"]], "role": t.get("role", ""),
                         "is_leader": bool(t.get("is_leader"))} for t in data["team"]]
    return data


def _challenge(challenge_id: int, user, *, managed: bool = False):
    return selectors.challenge_get_for_user(user=user, pk=challenge_id, managed=managed)


def _challenge_detail(challenge_id: int, user) -> dict:
    return challenge_out(_challenge(challenge_id, user), user, detail=True)


def _application(challenge, application_id: int, user) -> ChallengeApplication:
    application = selectors.application_get_for_user(user=user, pk=application_id)
    if application.challenge_id != challenge.pk:
        raise Http404
    return application


def _application_detail(challenge_id: int, application_id: int, user) -> dict:
    challenge = _challenge(challenge_id, user)
    return application_out(_application(challenge, application_id, user), user, detail=True)


def _private_file(attachments, attachment_id: int):
    """One attachment of an application or a milestone (never public), or 404."""
    row = attachments.filter(pk=attachment_id).first()
    if row is None:
        raise Http404
    return attachment_response(row, public=False)


def _require(allowed: bool, message: str) -> None:
    """403 for a record the caller can see (it was fetched through a selector) but may not read this part of."""
    if not allowed:
        raise PermissionDenied(message)


def _panel_member(user, challenge):
    from .review_permissions import is_panel_member

    return is_panel_member(user, challenge)


def _sees_delivery(user, challenge) -> bool:
    from .review_permissions import is_winner

    return (permissions.can_manage_challenge(user, challenge) or bool(is_winner(user, challenge))
            or _panel_member(user, challenge) is not None)


# --- challenges ------------------------------------------------------------------------------------------

@router.get("/challenges", auth=ApiAuth(optional=True), summary="揭榜挂帅榜单列表")
def challenge_list(request, q: str = "", field: str | None = None, region: str | None = None,
                   status: str | None = None, scope: str | None = None, page: int = 1, page_size: int = 20):
    """默认为公开榜单（揭榜中及以后，已撤榜的除外）；`field` 高新技术领域代码，`region` 区划代码，`status` 状态。
    `scope=managed`：调用者可管理或参与的榜单（发榜企业的、管辖区域内的、担任评审专家的、本单位揭榜的，需登录）。"""
    user = caller(request)
    if scope == "managed":
        if not user.is_authenticated:
            raise HttpError(401, _("需要登录或有效的 API 令牌"))
        from techmarket.achievements.selectors import filter_common

        qs = filter_common(selectors.challenges_visible_to(user, q=q, status=status or None), region=region,
                           field=field)
    elif scope not in (None, "", "public"):
        raise ApplicationError(_("scope 应为 public 或 managed"), field="scope", code="invalid")
    else:
        qs = selectors.challenges_public(q=q, field=field or None, region=region or None, status=status or None)
    return paginate(request, qs, lambda c: challenge_out(c, user), page=page, page_size=page_size)


@router.post("/challenges", response={201: dict}, summary="由已发布的技术需求提出榜单（草稿）")
def challenge_create(request, payload: ChallengeIn):
    """发榜企业用户；未填写的项目按需求预填（名称、关键词、需求描述、技术领域、区域、预算）。"""
    user = request.auth
    data = payload.dict(exclude_unset=True)
    demand = _demand(data.pop("demand"), user)
    challenge = services.challenge_create(by=user, demand=demand, data=_challenge_data(data))
    return Status(201, _challenge_detail(challenge.pk, user))


@router.get("/challenges/{int:challenge_id}", auth=ApiAuth(optional=True), summary="榜单详情")
def challenge_detail(request, challenge_id: int):
    """公开信息所有人可见；发榜企业和管辖区域内的管理人员另见管理信息（`managed: true`）。"""
    user = caller(request)
    return _challenge_detail(challenge_id, user)


@router.patch("/challenges/{int:challenge_id}", summary="修改榜单（草稿或退回修改）")
def challenge_update(request, challenge_id: int, payload: ChallengePatch):
    user = request.auth
    challenge = _challenge(challenge_id, user, managed=True)
    services.challenge_update(challenge=challenge, by=user, data=_challenge_data(payload.dict(exclude_unset=True)))
    return _challenge_detail(challenge_id, user)


@router.post("/challenges/{int:challenge_id}/actions/{action}", summary="榜单流程操作")
def challenge_action(request, challenge_id: int, action: str, payload: ActionIn):
    """submit、resubmit（发榜企业）；pre_approve、return（县区初审）；publish（发榜）、reject（不予发榜，
    需原因代码）（市科技局）；close_applications（截止揭榜）；unaward（流榜，需说明）；withdraw（撤榜，需说明）。
    开榜、开始实施、验收等需要数据的操作使用各自的接口。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    services.challenge_act(challenge=challenge, action=action, by=user, comment=payload.comment,
                           reason_code=payload.reason_code)
    return _challenge_detail(challenge_id, user)


@router.post("/challenges/{int:challenge_id}/agreement", summary="接受揭榜协议（本单位）")
def agreement_accept(request, challenge_id: int):
    """揭榜的第一步；接受后可查看保密信息。重复接受不产生新记录。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    return acceptance_out(services.agreement_accept(challenge=challenge, by=user))


@router.get("/challenges/{int:challenge_id}/confidential", summary="榜单保密信息（每次查看均有记录）")
def confidential_get(request, challenge_id: int):
    """发榜企业、管辖区域内的管理人员、评审专家和已接受揭榜协议的单位可见。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    return confidential_out(services.confidential_view(challenge=challenge, by=user, ip=client_ip(request)))


@router.get("/challenges/{int:challenge_id}/push-log", summary="推送记录（已通知谁、是否已查看）")
def push_log_get(request, challenge_id: int, page: int = 1, page_size: int = 20):
    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(permissions.can_manage_challenge(user, challenge), _("推送记录仅发榜企业和管理部门可见"))
    log = selectors.push_log(challenge)
    rows = log.get("recipients", []) if isinstance(log, dict) else log
    return paginate(request, _Rows(rows), push_recipient_out, page=page, page_size=page_size)


@router.get("/challenges/{int:challenge_id}/attachments", auth=ApiAuth(optional=True), summary="榜单附件列表")
def challenge_attachment_list(request, challenge_id: int):
    """保密附件仅对可查看保密信息的用户列出。"""
    user = caller(request)
    return {"items": _challenge_detail(challenge_id, user)["attachments"]}


@router.post("/challenges/{int:challenge_id}/attachments", response={201: dict}, summary="上传榜单附件")
def challenge_attachment_upload(request, challenge_id: int, file: UploadedFile = File(...),
                                is_confidential: bool = Form(False)):
    user = request.auth
    challenge = _challenge(challenge_id, user)
    row = services.challenge_attachment_add(challenge=challenge, upload=file, by=user,
                                            is_confidential=is_confidential)
    return Status(201, attachment_out(row, url=challenge_attachment_url(row)))


def _challenge_attachment(challenge, attachment_id: int, user):
    row = challenge.attachments.filter(pk=attachment_id).first()
    if row is None or (row.is_confidential and not permissions.can_see_confidential(user, challenge)):
        raise Http404
    return row


@router.get("/challenges/{int:challenge_id}/attachments/{int:attachment_id}", auth=ApiAuth(optional=True),
            summary="下载榜单附件（保密附件的下载有记录）")
def challenge_attachment_download(request, challenge_id: int, attachment_id: int):
    user = caller(request)
    challenge = _challenge(challenge_id, user)
    row = _challenge_attachment(challenge, attachment_id, user)
    if row.is_confidential:  # a view of the confidential tier: checked and logged by the service
        services.confidential_view(challenge=challenge, by=user, ip=client_ip(request))
    return attachment_response(row, public=challenge.is_public and not row.is_confidential)


@router.delete("/challenges/{int:challenge_id}/attachments/{int:attachment_id}", response={204: None},
               summary="删除榜单附件")
def challenge_attachment_delete(request, challenge_id: int, attachment_id: int):
    user = request.auth
    challenge = _challenge(challenge_id, user)
    services.challenge_attachment_delete(attachment=_challenge_attachment(challenge, attachment_id, user), by=user)
    return Status(204, None)


# --- applications ----------------------------------------------------------------------------------------

@router.get("/challenges/{int:challenge_id}/applications", summary="揭榜申请列表（调用者可见的）")
def application_list(request, challenge_id: int, status: str | None = None, page: int = 1, page_size: int = 20):
    """揭榜单位看本单位的；评审开始后发榜企业看全部已提交的；管理人员和评审专家看全部已提交的。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    qs = selectors.applications_visible_to(user=user, challenge=challenge)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, lambda a: application_out(a, user), page=page, page_size=page_size)


@router.post("/challenges/{int:challenge_id}/applications", response={201: dict}, summary="揭榜（新建申请草稿）")
def application_create(request, challenge_id: int, payload: ApplicationPatch):
    """须先接受揭榜协议；牵头单位为调用者所在单位，`members` 为联合体其他单位。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    application = services.application_create(challenge=challenge, by=user,
                                              data=_application_data(payload.dict(exclude_unset=True)))
    return Status(201, _application_detail(challenge_id, application.pk, user))


@router.get("/challenges/{int:challenge_id}/applications/{int:application_id}", summary="揭榜申请详情")
def application_detail(request, challenge_id: int, application_id: int):
    return _application_detail(challenge_id, application_id, request.auth)


@router.patch("/challenges/{int:challenge_id}/applications/{int:application_id}", summary="修改揭榜申请（草稿）")
def application_update(request, challenge_id: int, application_id: int, payload: ApplicationPatch):
    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    services.application_update(application=application, by=user,
                                data=_application_data(payload.dict(exclude_unset=True)))
    return _application_detail(challenge_id, application_id, user)


@router.post("/challenges/{int:challenge_id}/applications/{int:application_id}/actions/{action}",
             summary="揭榜申请流程操作")
def application_action(request, challenge_id: int, application_id: int, action: str, payload: ActionIn):
    """submit（提交揭榜）、withdraw（撤回，截止前）（牵头单位）；mark_ineligible（形式审查不通过，市科技局，
    需原因代码）。中榜与未中榜在开榜时确定。"""
    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    services.application_act(application=application, action=action, by=user, comment=payload.comment,
                             reason_code=payload.reason_code)
    return _application_detail(challenge_id, application_id, user)


@router.get("/challenges/{int:challenge_id}/applications/{int:application_id}/attachments",
            summary="揭榜申请附件列表")
def application_attachment_list(request, challenge_id: int, application_id: int):
    return {"items": _application_detail(challenge_id, application_id, request.auth)["attachments"]}


@router.post("/challenges/{int:challenge_id}/applications/{int:application_id}/attachments",
             response={201: dict}, summary="上传揭榜申请附件（牵头单位，草稿）")
def application_attachment_upload(request, challenge_id: int, application_id: int, file: UploadedFile = File(...)):
    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    row = services.application_attachment_add(application=application, upload=file, by=user)
    return Status(201, attachment_out(row, url=application_attachment_url(row)))


@router.get("/challenges/{int:challenge_id}/applications/{int:application_id}/attachments/{int:attachment_id}",
            summary="下载揭榜申请附件")
def application_attachment_download(request, challenge_id: int, application_id: int, attachment_id: int):
    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    return _private_file(application.attachments, attachment_id)


# --- criteria and panel ----------------------------------------------------------------------------------

@router.get("/challenges/{int:challenge_id}/criteria", auth=ApiAuth(optional=True), summary="评审指标及权重")
def criteria_get(request, challenge_id: int):
    user = caller(request)
    challenge = _challenge(challenge_id, user)
    rows = [criterion_out(c) for c in challenge.criteria.all()]
    return {"items": rows, "total_weight": sum(r["weight"] for r in rows)}


@router.put("/challenges/{int:challenge_id}/criteria", summary="设置评审指标（权重合计 100，首份评分提交前）")
def criteria_put(request, challenge_id: int, payload: CriteriaIn):
    from . import review

    user = request.auth
    challenge = _challenge(challenge_id, user)
    review.criteria_set(challenge=challenge, by=user, rows=[r.dict(exclude_none=True) for r in payload.items])
    return criteria_get(request, challenge_id)


@router.get("/challenges/{int:challenge_id}/panel", summary="评审专家组")
def panel_get(request, challenge_id: int, page: int = 1, page_size: int = 20):
    """管辖区域内的管理人员看全部专家；评审专家只看到自己。揭榜单位和发榜企业看不到专家名单。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    if permissions.is_staff_in_scope(user, challenge):
        rows = challenge.panel.select_related("person__organization")
    else:
        own = _panel_member(user, challenge)
        _require(own is not None, _("评审专家名单仅管理部门可见"))
        rows = challenge.panel.filter(pk=own.pk).select_related("person__organization")
    return paginate(request, rows, lambda m: panel_member_out(m, user), page=page, page_size=page_size)


@router.post("/challenges/{int:challenge_id}/panel", response={201: dict}, summary="遴选评审专家（市科技局）")
def panel_appoint(request, challenge_id: int, payload: PanelIn):
    """专家须有平台账号；与发榜企业、各揭榜单位及联合体成员、申请团队存在利益关系的专家不能入选（说明原因）。"""
    from . import review

    user = request.auth
    challenge = _challenge(challenge_id, user)
    person = resolve_person(payload.person, field="person")
    if person is None:
        raise ApplicationError(_("请选择专家"), field="person", code="required")
    member = review.panel_appoint(challenge=challenge, by=user, person=person, is_chair=payload.is_chair)
    return Status(201, panel_member_out(member, user))


@router.get("/challenges/{int:challenge_id}/panel/candidates", summary="推荐评审专家（含利益冲突说明）")
def panel_candidates(request, challenge_id: int, limit: int = 20):
    from . import review

    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(permissions.is_staff_in_scope(user, challenge), _("仅管理部门可遴选评审专家"))
    rows = review.panel_candidates(challenge=challenge, limit=max(1, min(limit, 100)))
    return {"items": [candidate_out(person, conflict) for person, conflict in rows]}


@router.delete("/challenges/{int:challenge_id}/panel/{int:member_id}", summary="撤换评审专家（需说明）")
def panel_remove(request, challenge_id: int, member_id: int, payload: CommentIn):
    from . import review

    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(permissions.is_staff_in_scope(user, challenge), _("仅管理部门可撤换评审专家"))
    member = challenge.panel.filter(pk=member_id).first()
    if member is None:
        raise Http404
    review.panel_remove(member=member, by=user, comment=payload.comment)
    member.refresh_from_db()
    return panel_member_out(member, user)


# --- reviews ---------------------------------------------------------------------------------------------

def _own_review(application, user):
    member = _panel_member(user, application.challenge)
    _require(member is not None, _("仅本榜单的评审专家可以评分"))
    return Review.objects.filter(member=member, application=application).first()


@router.get("/challenges/{int:challenge_id}/applications/{int:application_id}/review", summary="本人的评分")
def review_get(request, challenge_id: int, application_id: int):
    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    review = _own_review(application, user)
    return {"criteria": [criterion_out(c) for c in application.challenge.criteria.all()],
            "review": own_review_out(review)}


@router.put("/challenges/{int:challenge_id}/applications/{int:application_id}/review",
            summary="保存评分（草稿；各项 0–100 分）")
def review_put(request, challenge_id: int, application_id: int, payload: ReviewIn):
    from . import review as review_services

    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    try:
        scores = {int(k): v for k, v in payload.scores.items()}
    except ValueError:
        raise ApplicationError(_("评分应以评审指标编号为键"), field="scores", code="invalid") from None
    saved = review_services.review_save(application=application, by=user, scores=scores, comment=payload.comment)
    return {"criteria": [criterion_out(c) for c in application.challenge.criteria.all()],
            "review": own_review_out(saved)}


@router.post("/challenges/{int:challenge_id}/applications/{int:application_id}/review/submit",
             summary="提交评分（提交后不可修改）")
def review_submit(request, challenge_id: int, application_id: int):
    from . import review as review_services

    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    own = _own_review(application, user)
    if own is None:
        raise ApplicationError(_("请先评分再提交"), field="scores", code="no_review")
    submitted = review_services.review_submit(review=own, by=user)
    return {"criteria": [criterion_out(c) for c in application.challenge.criteria.all()],
            "review": own_review_out(submitted)}


@router.get("/challenges/{int:challenge_id}/applications/{int:application_id}/reviews",
            summary="可查看的评分（专家提交本人评分后可见他人评分；揭榜单位看不到专家姓名）")
def review_list(request, challenge_id: int, application_id: int):
    from . import review as review_services

    user = request.auth
    application = _application(_challenge(challenge_id, user), application_id, user)
    return {"items": [review_row_out(r) for r in review_services.reviews_visible_to(user=user,
                                                                                     application=application)]}


@router.get("/challenges/{int:challenge_id}/ranking", summary="评审排名（管理部门和发榜企业）")
def ranking_get(request, challenge_id: int):
    from . import review as review_services

    user = request.auth
    challenge = _challenge(challenge_id, user)
    return {"items": [ranking_row_out(r) for r in review_services.ranking(challenge=challenge, user=user)]}


@router.post("/challenges/{int:challenge_id}/award", summary="开榜：确定揭榜方（发榜企业）")
def award(request, challenge_id: int, payload: AwardIn):
    """`application` 为中榜申请；`feedback` 为未中榜申请的反馈（原因代码默认 lower_score）。
    生成预填的技术开发合同草稿和实施节点。"""
    from . import review as review_services

    user = request.auth
    challenge = _challenge(challenge_id, user)
    winner = challenge.applications.filter(pk=payload.application).first()
    if winner is None:
        raise ApplicationError(_("中榜申请不属于本榜单"), field="application", code="invalid_choice")
    feedback = {row.application: (row.reason_code or "lower_score", row.comment) for row in payload.feedback}
    review_services.challenge_award(challenge=challenge, by=user, winner=winner, comment=payload.comment,
                                    feedback=feedback)
    return _challenge_detail(challenge_id, user)


# --- delivery --------------------------------------------------------------------------------------------

@router.post("/challenges/{int:challenge_id}/start", summary="合同已签订，开始实施（发榜企业）")
def start(request, challenge_id: int, payload: StartIn):
    from . import delivery

    user = request.auth
    challenge = _challenge(challenge_id, user)
    delivery.challenge_start(challenge=challenge, by=user, signed_on=payload.signed_on)
    return _challenge_detail(challenge_id, user)


@router.get("/challenges/{int:challenge_id}/milestones", summary="实施节点")
def milestone_list(request, challenge_id: int, page: int = 1, page_size: int = 20):
    """发榜企业、中榜单位、评审专家和管辖区域内的管理人员可见。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(_sees_delivery(user, challenge), _("实施节点仅项目双方、评审专家和管理部门可见"))
    return paginate(request, challenge.milestones.all(), lambda m: milestone_out(m, user), page=page,
                    page_size=page_size)


def _milestone(challenge, milestone_id: int, user):
    if not _sees_delivery(user, challenge):
        raise Http404
    milestone = challenge.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    return milestone


@router.post("/challenges/{int:challenge_id}/milestones/{int:milestone_id}/actions/{action}",
             summary="实施节点操作")
def milestone_action(request, challenge_id: int, milestone_id: int, action: str, payload: MilestoneActionIn):
    """submit（中榜单位提交完成情况 `report`）；confirm（发榜企业确认）、return（退回补充，需说明）。"""
    from . import delivery

    user = request.auth
    challenge = _challenge(challenge_id, user)
    milestone = _milestone(challenge, milestone_id, user)
    delivery.milestone_act(milestone=milestone, action=action, by=user, comment=payload.comment,
                           report=payload.report)
    milestone.refresh_from_db()
    return milestone_out(milestone, user)


@router.post("/challenges/{int:challenge_id}/milestones/{int:milestone_id}/evidence", response={201: dict},
             summary="上传节点佐证材料（中榜单位）")
def milestone_evidence_upload(request, challenge_id: int, milestone_id: int, file: UploadedFile = File(...)):
    from . import delivery

    user = request.auth
    milestone = _milestone(_challenge(challenge_id, user), milestone_id, user)
    row = delivery.milestone_evidence_add(milestone=milestone, upload=file, by=user)
    return Status(201, attachment_out(row, url=milestone_evidence_url(row)))


@router.get("/challenges/{int:challenge_id}/milestones/{int:milestone_id}/evidence/{int:attachment_id}",
            summary="下载节点佐证材料")
def milestone_evidence_download(request, challenge_id: int, milestone_id: int, attachment_id: int):
    user = request.auth
    milestone = _milestone(_challenge(challenge_id, user), milestone_id, user)
    return _private_file(milestone.attachments, attachment_id)


@router.get("/challenges/{int:challenge_id}/acceptance", summary="验收记录（含专家意见）")
def acceptance_list(request, challenge_id: int):
    """专家姓名仅管理部门可见。"""
    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(_sees_delivery(user, challenge), _("验收记录仅项目双方、评审专家和管理部门可见"))
    return {"items": [acceptance_review_out(r, user) for r in challenge.acceptance_reviews.all()]}


@router.post("/challenges/{int:challenge_id}/acceptance", response={201: dict}, summary="组织验收（市科技局）")
def acceptance_organise(request, challenge_id: int, payload: AcceptanceIn):
    """各实施节点均已确认后方可组织；榜单进入验收中。"""
    from . import delivery

    user = request.auth
    challenge = _challenge(challenge_id, user)
    row = delivery.acceptance_organise(challenge=challenge, by=user, held_on=payload.held_on,
                                       comment=payload.comment)
    return Status(201, acceptance_review_out(row, user))


def _open_acceptance(challenge):
    from .delivery import current_acceptance

    row = current_acceptance(challenge)
    if row is None:
        raise ApplicationError(_("当前没有待形成结论的验收"), field=None, code="no_acceptance")
    return row


@router.post("/challenges/{int:challenge_id}/acceptance/opinions", summary="提交验收意见（评审专家）")
def acceptance_opinion(request, challenge_id: int, payload: OpinionIn):
    """`outcome`：passed（通过）、failed（不通过）、extended（延期验收）。"""
    from . import delivery

    user = request.auth
    challenge = _challenge(challenge_id, user)
    row = _open_acceptance(challenge)
    delivery.acceptance_opinion_save(review=row, by=user, outcome=payload.outcome, opinion=payload.opinion)
    row.refresh_from_db()
    return acceptance_review_out(row, user)


@router.post("/challenges/{int:challenge_id}/acceptance/decision", summary="验收结论（市科技局）")
def acceptance_decision(request, challenge_id: int, payload: DecisionIn):
    """`outcome`：passed（验收通过）、failed（不通过，需意见）、extended（延期验收，需 `extended_to`）。"""
    from . import delivery

    user = request.auth
    challenge = _challenge(challenge_id, user)
    delivery.acceptance_decide(challenge=challenge, by=user, outcome=payload.outcome, conclusion=payload.conclusion,
                               extended_to=payload.extended_to)
    return _challenge_detail(challenge_id, user)


@router.get("/challenges/{int:challenge_id}/support", summary="揭榜项目支持测算（不超过合同额 30%）")
def support_get(request, challenge_id: int, as_of: datetime.date | None = None):
    """按本市“揭榜挂帅”支持政策（补助政策引擎 share_of_contract）测算：上限、分期（签约、验收）、
    各期是否已达到及排除原因、拨付主体。发榜企业、中榜单位和管辖区域内的管理人员可见。"""
    from . import support
    from .review_permissions import is_winner

    user = request.auth
    challenge = _challenge(challenge_id, user)
    _require(permissions.can_manage_challenge(user, challenge) or bool(is_winner(user, challenge)),
             _("支持测算仅项目双方和管理部门可见"))
    return support_out(support.challenge_support(challenge=challenge, as_of=as_of))


# --- the demand pool and collection rounds ---------------------------------------------------------------

def _entry(entry_id: int, user):
    entry = selectors.pool_entries_visible_to(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


def _round(round_id: int, user):
    row = selectors.rounds_visible_to(user).filter(pk=round_id).first()
    if row is None:
        raise Http404
    return row


@router.get("/challenge-pool", summary="技术需求项目库")
def pool_list(request, status: str | None = None, round: int | None = None, page: int = 1, page_size: int = 20):
    """企业看本企业申报的；管理人员看管辖区域内的。"""
    user = request.auth
    qs = selectors.pool_entries_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if round:
        qs = qs.filter(round_id=round)
    return paginate(request, qs, lambda e: pool_entry_out(e, user), page=page, page_size=page_size)


@router.post("/challenge-pool", response={201: dict}, summary="申报入库（本企业已发布的技术需求）")
def pool_submit(request, payload: PoolIn):
    """`round` 为征集批次（须在征集中且未截止；为空表示常年征集）。"""
    user = request.auth
    demand = _demand(payload.demand, user)
    round_ = None
    if payload.round is not None:
        round_ = selectors.rounds_visible_to(user).filter(pk=payload.round).first()
        if round_ is None:
            raise ApplicationError(_("征集批次不存在"), field="round", code="invalid_choice")
    entry = services.pool_entry_submit(demand=demand, by=user, round_=round_, note=payload.note)
    return Status(201, pool_entry_out(_entry(entry.pk, user), user))


@router.get("/challenge-pool/{int:entry_id}", summary="项目库条目详情")
def pool_detail(request, entry_id: int):
    user = request.auth
    return pool_entry_out(_entry(entry_id, user), user)


@router.post("/challenge-pool/{int:entry_id}/actions/{action}", summary="项目库条目流程操作")
def pool_action(request, entry_id: int, action: str, payload: ActionIn):
    """pre_approve、return（初审，县区或市科技局）；admit（入库）、reject（不予入库，需原因代码）（市科技局）；
    resubmit（企业重新申报）。"""
    user = request.auth
    services.pool_entry_act(entry=_entry(entry_id, user), action=action, by=user, comment=payload.comment,
                            reason_code=payload.reason_code)
    return pool_entry_out(_entry(entry_id, user), user)


@router.get("/challenge-rounds", summary="需求征集批次")
def round_list(request, status: str | None = None, page: int = 1, page_size: int = 20):
    user = request.auth
    qs = selectors.rounds_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, lambda r: round_out(r, user), page=page, page_size=page_size)


@router.post("/challenge-rounds", response={201: dict}, summary="新建需求征集批次（市科技局）")
def round_create(request, payload: RoundIn):
    """`city` 4 或 6 位城市代码，默认为调用者所在城市。"""
    from techmarket.accounts.permissions import city_of

    user = request.auth
    data = payload.dict(exclude_unset=True)
    code = data.pop("city", None)
    city = resolve_region(code.ljust(6, "0"), field="city") if code else city_of(user.region)
    if city is None:
        raise ApplicationError(_("请指定城市"), field="city", code="required")
    row = services.round_create(by=user, city=city, data=data)
    return Status(201, round_out(_round(row.pk, user), user))


@router.get("/challenge-rounds/{int:round_id}", summary="征集批次详情")
def round_detail(request, round_id: int):
    user = request.auth
    return round_out(_round(round_id, user), user)


@router.patch("/challenge-rounds/{int:round_id}", summary="修改征集批次")
def round_update(request, round_id: int, payload: RoundPatch):
    user = request.auth
    data = payload.dict(exclude_unset=True)
    _required(data, ("title", "opens_on", "deadline"))
    services.round_update(round_=_round(round_id, user), by=user, data=data)
    return round_out(_round(round_id, user), user)


@router.post("/challenge-rounds/{int:round_id}/actions/{action}", summary="征集批次流程操作")
def round_action(request, round_id: int, action: str, payload: ActionIn):
    """open（开始征集）、close（截止征集）（市科技局）。"""
    user = request.auth
    services.round_act(round_=_round(round_id, user), action=action, by=user, comment=payload.comment,
                       reason_code=payload.reason_code)
    return round_out(_round(round_id, user), user)


# --- statistics ------------------------------------------------------------------------------------------

@router.get("/challenge-stats", summary="揭榜挂帅统计（管理部门）")
def challenge_stats_get(request, year: str | None = None, region: str | None = None, group_by: str | None = None):
    """按发榜年度 `year`（缺省为全部年度）统计 `region`（6 位区划代码，缺省为调用者的管辖区域）内的
    发榜数、揭榜申请数及每榜平均申请数、开榜数、发榜至开榜天数中位数、中榜金额（元）、验收通过与不通过数、
    验收通过率（%）；`group_by`：field（技术领域，默认）或 district（县区）；最后一行为合计。
    仅管理部门可查看（其他用户 403，管辖区域外 404）。"""
    from .stats import can_view_challenge_stats, challenge_stats, challenge_stats_scope, clean_challenge_stats_query

    user = request.auth
    _require(can_view_challenge_stats(user), _("仅科技管理部门可查看揭榜挂帅统计"))
    query = clean_challenge_stats_query(year=year, region=region, group_by=group_by)
    scope = challenge_stats_scope(user=user, region=query["region"])
    rows = challenge_stats(user=user, year=query["year"], region=scope, group_by=query["group_by"])
    return {"year": query["year"], "region": scope.code if scope is not None else None,
            "group_by": query["group_by"], "rows": [stats_row_out(r) for r in rows]}
