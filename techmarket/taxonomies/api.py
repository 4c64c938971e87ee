from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from ninja import Router

from techmarket.core.api import ApiAuth, paginate

from .models import Scheme, Term

router = Router(tags=["分类代码"])


def term_out(term: Term) -> dict:
    return {
        "code": term.code,
        "name": term.name,
        "level": term.level,
        "parent": term.parent.code if term.parent_id else None,
        "is_active": term.is_active,
        "description": term.description,
        "mapped_to": [{"scheme": t.scheme.code, "code": t.code, "name": t.name} for t in term.mapped_to.all()],
    }


@router.get("/taxonomies", auth=ApiAuth(optional=True), summary="分类体系列表")
def scheme_list(request):
    return {"items": [{"scheme": s.code, "name": s.name, "source": s.source, "terms": s.terms.count()}
                      for s in Scheme.objects.all()]}


@router.get("/taxonomies/{scheme}", auth=ApiAuth(optional=True),
            summary="某一分类体系的代码（?parent= 上级代码，?level=，?q= 名称或代码）")
def term_list(request, scheme: str, parent: str | None = None, level: int | None = None, q: str | None = None,
              include_inactive: bool = False, page: int = 1, page_size: int = 100):
    try:
        sch = Scheme.objects.get(code=scheme)
    except Scheme.DoesNotExist:
        raise Http404
    qs = Term.objects.filter(scheme=sch).select_related("parent").prefetch_related("mapped_to__scheme")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return paginate(request, qs, term_out, page=page, page_size=page_size)
