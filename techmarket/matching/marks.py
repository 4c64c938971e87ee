"""Marks on matches (SPEC §2 B2): a user says a match is useful or not, a "not useful" with a coded reason
of the ``match_decline`` context. A mark by a user of the source's owner organization (``by_owner``) that
says "not useful" removes the target from that source's list for good; every mark feeds the ranking
(``matching.matching.mark_signals``). Owners see the reasons their records were declined for, per
institution (``match_decline_stats``).
"""
from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from techmarket.achievements.records import can_view_managed, is_owner
from techmarket.core.audit import record_change, snapshot
from techmarket.core.errors import ApplicationError
from techmarket.core.models import ObjectChange
from techmarket.feedback.services import reason_code_require

from .matching import DEFAULT_TARGETS, source_type_for
from .models import DocType, MatchMark
from .services import _models, records_for

DECLINE_CONTEXT = "match_decline"
COMMENT_MAX = MatchMark._meta.get_field("comment").max_length


def match_source_get_for_user(*, user, source_type: str, source_id) -> object:
    """The source record (demand or achievement) if ``user`` may manage it; Http404 otherwise
    (missing and not-yours look the same, SPEC §3)."""
    if source_type not in DEFAULT_TARGETS:
        raise ApplicationError(_("匹配对象类型无效：{v}（可选 {c}）").format(
            v=source_type, c="、".join(DEFAULT_TARGETS)), field="source_type", code="invalid_choice")
    model = _models()[source_type]
    try:
        record = model.objects.select_related("region", "tech_field", "owner_organization").get(pk=int(source_id))
    except (model.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not can_view_managed(user, record):
        raise Http404
    return record


def can_mark_matches(user, source) -> bool:
    """Who may mark a source's matches: whoever may see its managed view (owners, reviewers in scope)."""
    return can_view_managed(user, source)


def _target_clean(source, target_type: str, target_id, by):
    source_type = source_type_for(source)
    allowed = DEFAULT_TARGETS[source_type]
    if target_type not in allowed:
        raise ApplicationError(_("匹配结果类型无效：{v}（可选 {c}）").format(v=target_type, c="、".join(allowed)),
                               field="target_type", code="invalid_choice")
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise ApplicationError(_("匹配结果编号应为整数"), field="target_id", code="invalid") from None
    from .backends.base import EngineHit

    found = records_for([EngineHit(key=f"{target_type}:{target_id}", score=0.0)], by)
    if not found:
        raise ApplicationError(_("匹配结果不存在或不可见"), field="target_id", code="not_found")
    return target_id


@transaction.atomic
def match_mark(*, source, target_type: str, target_id, useful: bool, reason_code: str | None = None,
               comment: str = "", by) -> MatchMark:
    """Create or change ``by``'s mark of one match (one mark per source, target and user)."""
    if not can_mark_matches(by, source):
        raise Http404
    source_type = source_type_for(source)
    target_id = _target_clean(source, target_type, target_id, by)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ApplicationError(_("说明不能超过 {n} 个字").format(n=COMMENT_MAX), field="comment", code="too_long")
    reason = None
    if not useful:
        reason = reason_code_require(context=DECLINE_CONTEXT, code=reason_code)
    mark = (MatchMark.objects.select_for_update()
            .filter(source_type=source_type, source_id=source.pk, target_type=target_type, target_id=target_id,
                    by=by).first())
    before = snapshot(mark) if mark is not None else None
    if mark is None:
        mark = MatchMark(source_type=source_type, source_id=source.pk, target_type=target_type,
                         target_id=target_id, by=by)
    mark.useful = bool(useful)
    mark.reason_code = reason
    mark.comment = comment
    mark.by_owner = is_owner(by, source)
    mark.save()
    after = snapshot(mark)
    if before is None:
        record_change(obj=mark, action=ObjectChange.Action.CREATE, by=by, after=after)
    elif before != after:
        record_change(obj=mark, action=ObjectChange.Action.UPDATE, by=by, before=before, after=after)
    return mark


def match_marks_for(*, source, user) -> dict[tuple[str, int], MatchMark]:
    """The user's own marks on a source's matches, by (target type, target id)."""
    rows = MatchMark.objects.filter(source_type=source_type_for(source), source_id=source.pk, by=user) \
        .select_related("reason_code")
    return {(m.target_type, m.target_id): m for m in rows}


def match_declined_by_owner(*, source) -> list[MatchMark]:
    """The owner's "not useful" marks of a source (the targets that left its list), newest first."""
    return list(MatchMark.objects.filter(source_type=source_type_for(source), source_id=source.pk, by_owner=True,
                                         useful=False).select_related("reason_code", "by"))


def _received_query(organization, record=None) -> Q:
    """Marks whose target belongs to ``organization`` (its achievements, demands, people, itself)."""
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand
    from techmarket.directory.models import Person

    if record is not None:
        return Q(target_type=source_type_for(record), target_id=record.pk)
    org_id = getattr(organization, "pk", organization)
    return (Q(target_type=DocType.ORGANIZATION, target_id=org_id)
            | Q(target_type=DocType.ACHIEVEMENT,
                target_id__in=Achievement.objects.filter(owner_organization_id=org_id).values("pk"))
            | Q(target_type=DocType.DEMAND,
                target_id__in=Demand.objects.filter(owner_organization_id=org_id).values("pk"))
            | Q(target_type=DocType.EXPERT,
                target_id__in=Person.objects.filter(organization_id=org_id).values("pk")))


def match_decline_stats(organization, *, record=None) -> list[dict]:
    """Why matches to an institution's records were declined (B2): ``[{"code", "label", "count"}]``, most
    frequent first. ``record`` limits the count to one achievement or demand of it."""
    rows = (MatchMark.objects.filter(_received_query(organization, record), useful=False)
            .values_list("reason_code__code", "reason_code__label"))
    counts = Counter(rows)
    return [{"code": code, "label": label, "count": n}
            for (code, label), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0] or ""))]
