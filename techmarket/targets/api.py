"""REST API of 目标任务: /api/v1/targets/... (SPEC §3 conventions).

Progress is read live from the registries on every call (a registration shows at once).
Target and actual values are decimal strings in the indicator's unit (e.g. "115" 亿元);
percentages are numbers with one decimal.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from techmarket.core.api import ActionIn, ApiAuth, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, caller
from techmarket.core.errors import ApplicationError
from techmarket.regions.models import Region

from . import permissions, selectors, services
from .progress import period_parse, today
from .reports import FORMATS, file_name, report_build, report_render
from .representations import indicator_out, reported_value_out, target_out

router = Router(tags=["目标任务"])


def _page(items: list, page: int, page_size: int) -> dict:
    if page < 1:
        raise ApplicationError(_("页码应为正整数"), field="page", code="invalid_page")
    if page_size < 1:
        raise ApplicationError(_("每页条数应为正整数"), field="page_size", code="invalid_page_size")
    page_size = min(page_size, MAX_PAGE_SIZE)
    start = (page - 1) * page_size
    return {"count": len(items), "page": page, "page_size": page_size, "items": items[start:start + page_size]}


def _year(year: int | None) -> int:
    return services.clean_year(year if year is not None else today().year)


def _city(user, code: str | None) -> Region:
    if not code:
        city = selectors.default_city(user)
        if city is None:
            raise ApplicationError(_("请指定城市（region）"), field="region", code="required")
        code = city.code
    region = selectors.region_for_user(user=user, code=code)
    if region.level != Region.Level.CITY:
        raise ApplicationError(_("请填写城市代码（4 位）"), field="city", code="not_a_city")
    return region


@router.get("/targets/progress", auth=ApiAuth(), summary="目标进度")
def progress(request, region: str | None = None, year: int | None = None, indicator: str | None = None,
             page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    """每个指标、每个单位的目标、完成、完成率、时间进度、状态（ahead 超进度 / on_track 符合进度 / behind 滞后 /
    no_data 暂无数据）和排名。`region`：城市（4 位或 6 位，含全市及各县区）或一个县区；缺省为调用者所在城市；
    `year` 缺省为今年；`indicator`：指标代码。市科技局管理员看全市，县区科技管理部门只看本单位。"""
    user = caller(request)
    if not permissions.can_use_targets(user):
        raise Http404
    if region:
        place = selectors.region_for_user(user=user, code=region)
    else:
        place = _city(user, None)
    _progress, rows = selectors.progress_for_user(user=user, region=place, year=_year(year),
                                                  indicator_code=indicator)
    return _page([r.as_api() for r in rows], page, page_size)


@router.get("/targets/indicators", auth=ApiAuth(), summary="指标列表")
def indicator_list(request, city: str | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    user = caller(request)
    if not permissions.can_use_targets(user):
        raise Http404
    region = _city(user, city)
    return _page([indicator_out(i) for i in region.indicators.order_by("order", "pk")], page, page_size)


@router.get("/targets/targets", auth=ApiAuth(), summary="目标值")
def target_list(request, city: str | None = None, year: int | None = None, indicator: str | None = None,
                page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    """全市及各单位的目标值（含出处）。县区科技管理部门只看全市和本单位的目标。"""
    user = caller(request)
    if not permissions.can_use_targets(user):
        raise Http404
    region = _city(user, city)
    from .models import Target

    qs = Target.objects.filter(indicator__city=region, year=_year(year)).select_related("indicator", "region")
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    visible = permissions.visible_regions(user, region)
    if visible is not None:
        qs = qs.filter(region__in=[region, *visible])
    qs = qs.order_by("indicator__order", "region__code")
    return _page([target_out(t) for t in qs], page, page_size)


@router.get("/targets/sum-check", auth=ApiAuth(), summary="分解合计校验")
def sum_check(request, city: str | None = None, year: int | None = None):
    """累加类指标各单位目标合计与全市目标的差额（只提示，不阻止）。"""
    user = caller(request)
    region = _city(user, city)
    if not permissions.can_view_city_targets(user, region):
        raise Http404
    checks = services.sum_check(city=region, year=_year(year))
    return {"items": [{"indicator": c.indicator.code, "indicator_name": c.indicator.name, "unit": c.indicator.unit,
                       "city_target": None if c.city_target is None else f"{c.city_target.normalize():f}",
                       "units_sum": f"{c.units_sum.normalize():f}",
                       "difference": None if c.difference is None else f"{c.difference.normalize():f}",
                       "matches": c.matches, "message": c.message} for c in checks]}


@router.post("/targets/decompositions", auth=ApiAuth(), summary="导入目标任务分解表")
def decomposition_upload(request, city: Form[str], year: Form[int], file: File[UploadedFile]):
    """上传 .xlsx（行为县区、开发区，列为指标，同郑州 2019 附件）。全部校验通过才写入；错误为
    `第N行 第M列: 原因`；累加类指标合计与全市目标不一致时在 `warnings` 中提示，不阻止导入。"""
    user = caller(request)
    region = _city(user, city)
    if not permissions.can_edit_targets(user, region):
        raise PermissionDenied(_("只有本市科技局管理员可以导入目标任务分解表"))
    result = services.decomposition_import(city=region, year=year, source=file, by=user, file_name=file.name)
    return {"year": result.year, "cells": len(result.cells), "units": len(result.units), "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "warnings": result.warnings}


@router.get("/targets/report", auth=ApiAuth(), summary="定期通报文件")
def report_download(request, city: str, period: str, format: str = "xlsx"):  # noqa: A002 (the API's name)
    """定期通报（`format` 为 xlsx 或 pdf；`period` 为 2019、2019-Q3 或 2019-09）。"""
    user = caller(request)
    region = _city(user, city)
    if not permissions.can_view_city_targets(user, region):
        raise Http404
    if format not in FORMATS:
        raise ApplicationError(_("格式应为 xlsx 或 pdf"), field="format", code="invalid_format")
    data = report_build(city=region, period=period_parse(period))
    content = report_render(data, format)
    types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
    response = HttpResponse(content, content_type=types[format])
    response["Content-Disposition"] = f'attachment; filename="{file_name(data, format)}"'
    return response


class ReportedValueIn(Schema):
    indicator: str
    region: str
    year: int
    as_of: datetime.date
    value: str
    note: str = ""
    submit: bool = False


@router.get("/targets/reported-values", auth=ApiAuth(), summary="县区填报数据")
def reported_value_list(request, status: str | None = None, indicator: str | None = None, year: int | None = None,
                        page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    user = caller(request)
    qs = selectors.reported_values_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if year:
        qs = qs.filter(year=year)
    from techmarket.core.api import paginate

    return paginate(request, qs, lambda v: reported_value_out(v, user), page=page, page_size=page_size)


@router.post("/targets/reported-values", auth=ApiAuth(), response={201: dict}, summary="填报数据")
def reported_value_create(request, payload: ReportedValueIn):
    """县区填报“县区填报、市局审核”类指标的数据（截至日期的累计值或最新水平值）；`submit=true` 直接报送市局。
    佐证材料在页面上上传。"""
    user = caller(request)
    region = selectors.region_for_user(user=user, code=payload.region)
    from techmarket.accounts.permissions import city_of

    indicator = selectors.indicator_get_for_user(user=user, city=city_of(region), code=payload.indicator)
    obj = services.reported_value_create(indicator=indicator, region=region, year=payload.year, as_of=payload.as_of,
                                         value=payload.value, note=payload.note, by=user, submit=payload.submit)
    return Status(201, reported_value_out(obj, user))


@router.get("/targets/reported-values/{value_id}", auth=ApiAuth(), summary="填报数据详情")
def reported_value_detail(request, value_id: int):
    user = caller(request)
    return reported_value_out(selectors.reported_value_get_for_user(user=user, pk=value_id), user)


@router.post("/targets/reported-values/{value_id}/actions/{action}", auth=ApiAuth(), summary="报送、审核、退回")
def reported_value_action(request, value_id: int, action: str, payload: ActionIn):
    user = caller(request)
    obj = selectors.reported_value_get_for_user(user=user, pk=value_id)
    if action not in services.ACTIONS:
        raise Http404
    obj = services.reported_value_act(value=obj, action=action, by=user, comment=payload.comment,
                                      reason_code=payload.reason_code)
    return reported_value_out(obj, user)
