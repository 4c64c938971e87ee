from __future__ import annotations

from django.http import Http404
from ninja import Router

from techmarket.core.api import ApiAuth, paginate

from .models import Region
from .selectors import normalize_code

router = Router(tags=["行政区划"])


def region_out(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "full_name": region.full_name,
        "level": region.level,
        "level_display": region.get_level_display(),
        "parent": region.parent.code if region.parent_id else None,
        "is_zone": region.is_zone,
        "is_official": region.is_official,
        "short_names": region.short_names,
        "export_code": region.effective_export_code,
    }


@router.get("/regions", auth=ApiAuth(optional=True), summary="行政区划列表（?parent= 为上级代码，缺省为省级）")
def region_list(request, parent: str | None = None, page: int = 1, page_size: int = 100):
    qs = Region.objects.select_related("parent", "parent__parent")
    if parent:
        if not Region.objects.filter(code=normalize_code(parent)).exists():
            raise Http404
        qs = qs.filter(parent__code=normalize_code(parent))
    else:
        qs = qs.filter(level=Region.Level.PROVINCE)
    return paginate(request, qs.order_by("code"), region_out, page=page, page_size=page_size)


@router.get("/regions/{code}", auth=ApiAuth(optional=True), summary="行政区划详情")
def region_detail(request, code: str):
    try:
        region = Region.objects.select_related("parent", "parent__parent").get(code=normalize_code(code))
    except Region.DoesNotExist:
        raise Http404
    return region_out(region)
