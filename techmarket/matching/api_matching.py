"""API of matching (X2) and marks (B2). Mounted under /api/v1/ by the lead.

* ``GET /demands/{id}/matches?type=`` and ``GET /achievements/{id}/matches?type=``: ranked matches with
  their explanation, signals and shared terms, for the record's owners and reviewers in scope.
* ``POST /matches/marks``: mark a match useful or not useful (with a reason code of ``match_decline``).

Anonymous callers get 401; callers who may not manage the record get 404 (SPEC §3); bad input 422.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from techmarket.core.api import iso
from techmarket.core.errors import ApplicationError

from .marks import match_mark, match_source_get_for_user
from .matching import DEFAULT_TARGETS, Match, record_matches
from .models import DocType, MatchMark

router = Router(tags=["检索与匹配"])

MAX_PAGE_SIZE = 100


def match_out(match: Match) -> dict:
    return {
        "type": match.target_type,
        "id": match.target_id,
        "title": match.title,
        "score": round(match.score, 4),
        "explanation": match.explanation,
        "signals": [{"code": s.code, "label": s.label} for s in match.signals],
        "shared_terms": list(match.shared_terms),
    }


def mark_out(mark: MatchMark) -> dict:
    return {
        "id": mark.pk,
        "source_type": mark.source_type,
        "source_id": mark.source_id,
        "target_type": mark.target_type,
        "target_id": mark.target_id,
        "useful": mark.useful,
        "reason_code": mark.reason_code.code if mark.reason_code_id else None,
        "reason_label": mark.reason_code.label if mark.reason_code_id else "",
        "comment": mark.comment,
        "by_owner": mark.by_owner,
        "updated_at": iso(mark.updated_at),
    }


def _matches(request, source_type: str, record_id: int, type: str | None, page: int, page_size: int) -> dict:
    record = match_source_get_for_user(user=request.auth, source_type=source_type, source_id=record_id)
    allowed = DEFAULT_TARGETS[source_type]
    if type and type not in allowed:
        raise ApplicationError(_("类型取值无效：{v}（可选 {c}）").format(v=type, c="、".join(allowed)), field="type",
                               code="invalid_choice")
    if page < 1:
        raise ApplicationError(_("页码应为正整数"), field="page", code="invalid_page")
    if page_size < 1:
        raise ApplicationError(_("每页条数应为正整数"), field="page_size", code="invalid_page_size")
    page_size = min(page_size, MAX_PAGE_SIZE)
    matches = record_matches(record, user=request.auth, target_types=[type] if type else allowed, limit=None)
    start = (page - 1) * page_size
    return {"count": len(matches), "page": page, "page_size": page_size,
            "items": [match_out(m) for m in matches[start:start + page_size]]}


@router.get("/demands/{int:demand_id}/matches", summary="需求的匹配推荐（成果、专家、高校院所）")
def demand_matches(request, demand_id: int, type: str | None = None, page: int = 1, page_size: int = 20):
    """`type`：achievement、expert、organization（高校院所、新型研发机构），缺省为全部。仅所属单位和管辖区域的审核人员可查看。"""
    return _matches(request, DocType.DEMAND, demand_id, type, page, page_size)


@router.get("/achievements/{int:achievement_id}/matches", summary="成果的匹配推荐（需求、企业）")
def achievement_matches(request, achievement_id: int, type: str | None = None, page: int = 1,
                        page_size: int = 20):
    """`type`：demand、organization（企业），缺省为全部。仅所属单位和管辖区域的审核人员可查看。"""
    return _matches(request, DocType.ACHIEVEMENT, achievement_id, type, page, page_size)


class MarkIn(Schema):
    source_type: str
    source_id: int
    target_type: str
    target_id: int
    useful: bool
    reason_code: str | None = None
    comment: str = ""


@router.post("/matches/marks", response={200: dict, 201: dict}, summary="标记匹配结果有用或不适用")
def match_mark_create(request, payload: MarkIn):
    """同一用户对同一匹配只保留一条标记（再次提交即修改）。不适用须给出原因代码（`GET /api/v1/reason-codes?context=match_decline`）；
    所属单位标记为不适用的结果不再出现在该记录的匹配列表中。"""
    record = match_source_get_for_user(user=request.auth, source_type=payload.source_type,
                                       source_id=payload.source_id)
    existed = MatchMark.objects.filter(source_type=payload.source_type, source_id=record.pk,
                                       target_type=payload.target_type, target_id=payload.target_id,
                                       by=request.auth).exists()
    mark = match_mark(source=record, target_type=payload.target_type, target_id=payload.target_id,
                      useful=payload.useful, reason_code=payload.reason_code, comment=payload.comment,
                      by=request.auth)
    return Status(200 if existed else 201, mark_out(mark))
