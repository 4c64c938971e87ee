"""Pages of 目标任务 (all under /manage/targets/): the progress dashboard with its live fragment (polled every
30 s), the drill-down to the records behind a computed figure, the configuration (targets, sum check,
decomposition import), the report download, and district-reported values with their review.

Out-of-scope staff and everyone else get 404; a refused action renders the Chinese 403 page.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from techmarket.accounts.permissions import city_of
from techmarket.core import charts
from techmarket.core.errors import ApplicationError
from techmarket.core.views import forbidden, workflow_action_panel, workflow_action_post
from techmarket.regions.models import Region

from . import permissions, selectors, services
from .choices import ProgressStatus
from .forms import DecompositionForm, ReportedValueForm, ReportForm
from .models import Indicator, Target
from .progress import as_of_for, monthly_trend, period_parse, today
from .reports import file_name, report_build, report_render

POLL_SECONDS = 30


def _staff_or_404(request) -> None:
    if not permissions.can_use_targets(request.user):
        raise Http404


def _year(request) -> int:
    try:
        return services.clean_year(request.GET.get("year") or today().year)
    except ApplicationError:
        raise Http404 from None


def _place(request) -> Region:
    _staff_or_404(request)
    code = request.GET.get("region") or request.GET.get("city")
    if code:
        return selectors.region_for_user(user=request.user, code=code)
    user = request.user
    if user.region is not None and user.region.level == Region.Level.COUNTY:
        return selectors.region_for_user(user=user, code=user.region.code)
    city = selectors.default_city(user)
    if city is None:
        raise Http404
    return selectors.region_for_user(user=user, code=city.code)


def _city(place: Region) -> Region:
    return place if place.level == Region.Level.CITY else city_of(place)


def _years(city: Region) -> list[int]:
    years = set(Target.objects.filter(indicator__city=city).values_list("year", flat=True).distinct())
    years.add(today().year)
    return sorted(years, reverse=True)


def _nav(request, place: Region) -> dict:
    city = _city(place)
    return {"place": place, "city": city, "is_city_admin": permissions.can_edit_targets(request.user, city),
            "may_report": permissions.can_report_value(request.user, place) or
            (place.level == Region.Level.CITY and permissions.can_edit_targets(request.user, city))}


def _live_context(request, place: Region, year: int) -> dict:
    city = _city(place)
    progress, rows = selectors.progress_for_user(user=request.user, region=place, year=year)
    indicators = progress.indicators
    selected = None
    code = request.GET.get("indicator")
    if indicators:
        selected = next((i for i in indicators if i.code == code), None) or \
            next((i for i in indicators if i.code == "contract_amount"), indicators[0])
    visible_ids = {r.region.pk for r in rows}
    regions = [r for r in [city, *progress.units] if r.pk in visible_ids]
    grid = [{"region": region, "cells": [next((r for r in rows if r.region.pk == region.pk and
                                                r.indicator.pk == ind.pk), None) for ind in indicators]}
            for region in regions]
    bar = trend = None
    if selected is not None:
        unit_rows = [r for r in rows if r.indicator.pk == selected.pk and not r.is_city]
        if unit_rows:
            bar = charts.echarts_bar([r.region.name for r in unit_rows],
                                     {_("目标"): [r.target for r in unit_rows],
                                      _("完成"): [r.actual for r in unit_rows]},
                                     title=_("{i}：各单位目标与完成").format(i=selected.name), unit=selected.unit)
        trend_region = place if place.level != Region.Level.CITY or not permissions.can_view_city_targets(
            request.user, city) else city
        if trend_region.pk in visible_ids:
            points = monthly_trend(indicator=selected, region=trend_region, year=year, as_of=progress.as_of)
            if points:
                trend = charts.echarts_line([p[0] for p in points], {selected.name: [p[1] for p in points]},
                                            title=_("{r}{i}：本年累计（按月）").format(r=trend_region.name,
                                                                               i=selected.name),
                                            unit=selected.unit)
    return {"progress": progress, "rows": rows, "grid": grid, "indicators": indicators, "selected": selected,
            "bar": bar, "trend": trend, "year": year, "place": place, "city": city, "poll": POLL_SECONDS,
            "behind": [r for r in rows if not r.is_city and r.status == ProgressStatus.BEHIND],
            "statuses": [(s.value, s.label) for s in ProgressStatus],
            "live_url": reverse("targets:live") + f"?region={place.code}&year={year}"
                        + (f"&indicator={selected.code}" if selected else "")}


@login_required
@require_GET
def dashboard(request):
    place = _place(request)
    year = _year(request)
    context = {**_nav(request, place), **_live_context(request, place, year), "years": _years(_city(place)),
               "report_form": ReportForm(initial={"period": f"{year}", "format": "xlsx"})}
    return render(request, "targets/dashboard.html", context)


@login_required
@require_GET
def live(request):
    """The fragment the dashboard polls (hx-get every 30 s): figures read live, no cache."""
    place = _place(request)
    return render(request, "targets/_live.html", _live_context(request, place, _year(request)))


@login_required
@require_GET
def drill(request):
    place = _place(request)
    year = _year(request)
    city = _city(place)
    indicator = selectors.indicator_get_for_user(user=request.user, city=city, code=request.GET.get("indicator", ""))
    as_of = as_of_for(year)
    records = selectors.drill_for_user(user=request.user, indicator=indicator, region=place, year=year, as_of=as_of)
    _progress, rows = selectors.progress_for_user(user=request.user, region=place, year=year,
                                                  indicator_code=indicator.code)
    units = []
    if place.level == Region.Level.CITY:
        units = [r for r in rows if not r.is_city]
    from .models import ReportedValue

    reported = None
    if not indicator.is_computed:
        reported = ReportedValue.objects.filter(indicator=indicator, year=year, region__path__startswith=place.path
                                                ).select_related("region").order_by("-as_of", "-pk")[:200]
    return render(request, "targets/drill.html", {
        **_nav(request, place), "indicator": indicator, "year": year, "as_of": as_of, "records": records,
        "row": next((r for r in rows if r.region.pk == place.pk), None), "units": units, "reported": reported})


def _config_context(request, city: Region, year: int, form=None, result=None) -> dict:
    indicators = list(Indicator.objects.filter(city=city).order_by("order", "pk"))
    from .progress import city_units

    units = city_units(city)
    values = {(t.indicator_id, t.region_id): t for t in Target.objects.filter(indicator__city=city, year=year)}
    grid = [{"region": r, "cells": [values.get((i.pk, r.pk)) for i in indicators]} for r in [city, *units]
            if any(values.get((i.pk, r.pk)) for i in indicators) or r.pk == city.pk]
    return {**_nav(request, city), "indicators": indicators, "grid": grid, "year": year, "years": _years(city),
            "checks": services.sum_check(city=city, year=year),
            "form": form or DecompositionForm(initial={"year": year}), "result": result}


@login_required
@require_GET
def config(request):
    place = _place(request)
    city = _city(place)
    if not permissions.can_view_city_targets(request.user, city):
        raise Http404
    return render(request, "targets/config.html", _config_context(request, city, _year(request)))


@login_required
@require_POST
def decomposition_upload(request):
    place = _place(request)
    city = _city(place)
    if not permissions.can_view_city_targets(request.user, city):
        raise Http404
    form = DecompositionForm(request.POST, request.FILES)
    year = _year(request)
    result = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        upload = form.cleaned_data["file"]
        try:
            result = services.decomposition_import(city=city, year=year, source=upload, by=request.user,
                                                   file_name=upload.name)
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ApplicationError as exc:
            for item in exc.errors:
                form.add_error(None, item.message)
        else:
            messages.success(request, _("已导入{y}年目标 {n} 项（新增 {c}，修改 {u}，未变 {s}）").format(
                y=year, n=len(result.cells), c=result.created, u=result.updated, s=result.unchanged))
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(reverse("targets:config") + f"?city={city.code}&year={year}")
    return render(request, "targets/config.html", _config_context(request, city, year, form=form, result=result),
                  status=200 if form.is_valid() else 422)


@login_required
@require_GET
def decomposition_template(request):
    place = _place(request)
    city = _city(place)
    if not permissions.can_view_city_targets(request.user, city):
        raise Http404
    year = _year(request)
    response = HttpResponse(services.decomposition_workbook(city=city, year=year),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{city.short_code}-{year}-decomposition.xlsx"'
    return response


@login_required
@require_GET
def report(request):
    """The report button: the 定期通报 of the city for a period, as .xlsx or PDF."""
    place = _place(request)
    city = _city(place)
    if not permissions.can_view_city_targets(request.user, city):
        raise Http404
    form = ReportForm(request.GET)
    if not form.is_valid():
        raise Http404
    try:
        period = period_parse(form.cleaned_data["period"])
    except ApplicationError as exc:
        messages.error(request, exc.errors[0].message)
        return redirect(reverse("targets:dashboard") + f"?region={city.code}")
    fmt = form.cleaned_data["format"]
    data = report_build(city=city, period=period)
    types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
    response = HttpResponse(report_render(data, fmt), content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name(data, fmt)}"'
    return response


# --------------------------------------------------------------------------- reported values

def _report_form(request, data=None, files=None) -> ReportedValueForm:
    user = request.user
    place = _place(request) if request.GET.get("region") else None
    regions = Region.objects.none()
    city = selectors.default_city(user)
    if city is not None:
        from .progress import city_units

        candidates = [city, *city_units(city)] if permissions.can_edit_targets(user, city) else \
            [u for u in city_units(city) if permissions.can_report_value(user, u)]
        regions = Region.objects.filter(pk__in=[r.pk for r in candidates]).order_by("code")
    indicators = Indicator.objects.filter(city=city, source="reported", is_active=True).order_by("order", "pk") \
        if city is not None else Indicator.objects.none()
    form = ReportedValueForm(data, files, indicators=indicators, regions=regions)
    if place is not None and data is None:
        form.fields["region"].initial = place.pk
    return form


@login_required
@require_http_methods(["GET", "POST"])
def reported_list(request):
    _staff_or_404(request)
    user = request.user
    form = None
    city = selectors.default_city(user)
    if request.method == "POST":
        form = _report_form(request, request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                obj = services.reported_value_create(
                    indicator=d["indicator"], region=d["region"], year=d["as_of"].year, as_of=d["as_of"],
                    value=d["value"], note=d["note"], evidence=d["evidence"], by=user, submit=d["submit_now"])
            except PermissionDenied as exc:
                return forbidden(request, exc)
            except ApplicationError as exc:
                for item in exc.errors:
                    if item.field in form.fields:
                        form.add_error(item.field, item.message)
                    else:
                        form.add_error(None, item.message)
            else:
                messages.success(request, _("已保存，当前状态：{s}").format(s=obj.get_status_display()))
                return redirect("targets:reported_detail", pk=obj.pk)
    else:
        form = _report_form(request)
    qs = selectors.reported_values_visible_to(user)
    status = request.GET.get("status")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    place = city or user.region
    if place is None:
        raise Http404
    return render(request, "targets/reported_list.html", {
        **_nav(request, user.region if user.region and user.region.level == Region.Level.COUNTY else place),
        "form": form, "page_obj": page, "status": status,
        "may_report": bool(form.fields["region"].queryset.exists() and form.fields["indicator"].queryset.exists())},
        status=422 if request.method == "POST" else 200)


def _reported_page(request, obj, bound=None):
    return render(request, "targets/reported_detail.html", {
        **_nav(request, obj.region), "object": obj, "actions": workflow_action_panel(obj, request.user, bound=bound)},
        status=422 if bound is not None else 200)


@login_required
@require_GET
def reported_detail(request, pk: int):
    _staff_or_404(request)
    return _reported_page(request, selectors.reported_value_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def reported_action(request, pk: int, action: str):
    _staff_or_404(request)
    obj = selectors.reported_value_get_for_user(user=request.user, pk=pk)
    return workflow_action_post(
        request, record=obj, action=action,
        act=lambda record, action, by, comment, reason_code: services.reported_value_act(
            value=record, action=action, by=by, comment=comment, reason_code=reason_code),
        page=lambda bound: _reported_page(request, obj, bound),
        done=lambda result, _action: reverse("targets:reported_detail", kwargs={"pk": result.pk}))


@login_required
@require_GET
def reported_evidence(request, pk: int):
    """The evidence file, for staff who may see the reported value (never a public media link)."""
    from django.http import FileResponse

    from techmarket.core.uploads import content_type_for

    _staff_or_404(request)
    obj = selectors.reported_value_get_for_user(user=request.user, pk=pk)
    if not obj.evidence:
        raise Http404
    response = FileResponse(obj.evidence.open("rb"), as_attachment=True, filename=obj.evidence_name or "evidence",
                            content_type=content_type_for(obj.evidence_name or obj.evidence.name))
    response["X-Content-Type-Options"] = "nosniff"
    return response
