"""Public pages: city selector, a city's home, notices and policy documents, attachments, search."""
from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .choices import SLUG_KINDS, ArticleKind
from .selectors import (
    SESSION_KEY,
    article_get_public,
    article_list_public,
    article_search_public,
    attachment_get_for_download,
    city_current,
    city_get_active,
    city_headline_figures,
    city_list_active,
    organization_kind_counts,
)

PAGE_SIZE = 20
LATEST_ON_HOME = 6
RECENT_DAYS = 7  # articles newer than this carry a “新” mark


def remember_city(request, city) -> None:
    if request.session.get(SESSION_KEY) != city.code:
        request.session[SESSION_KEY] = city.code


def page_of(request, queryset, *, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@require_GET
def home(request):
    """The city selector; an instance serving one city goes straight to it."""
    cities = list(city_list_active())
    next_slug = request.GET.get("next") if request.GET.get("next") in SLUG_KINDS else None
    if len(cities) == 1:
        if next_slug:
            return redirect("portal:article_list", code=cities[0].code, kind_slug=next_slug)
        return redirect("portal:city_home", code=cities[0].code)
    cards = []
    for city in sorted(cities, key=lambda c: (c.region.path.split("/")[0], c.sort_order, c.region.code)):
        url = (reverse("portal:article_list", kwargs={"code": city.code, "kind_slug": next_slug}) if next_slug
               else city.get_absolute_url())
        cards.append({"city": city, "url": url, "figures": city_headline_figures(city)[:4]})
    return render(request, "portal/city_selector.html", {
        "cards": cards, "suggested_city": city_current(request),
        "next_label": ArticleKind(SLUG_KINDS[next_slug]).label if next_slug else None,
    })


@require_GET
def city_home(request, code: str):
    city = city_get_active(code=code)
    remember_city(request, city)
    kind_counts = organization_kind_counts(city)
    largest = max([row["count"] for row in kind_counts] + [1])
    for row in kind_counts:
        row["percent"] = round(row["count"] * 100 / largest, 1)
    return render(request, "portal/city_home.html", {
        "city": city,
        "figures": city_headline_figures(city),
        "kind_counts": kind_counts,
        "organization_total": sum(row["count"] for row in kind_counts),
        "recent_since": timezone.now() - datetime.timedelta(days=RECENT_DAYS),
        "notices": article_list_public(city=city, kind=ArticleKind.NOTICE)[:LATEST_ON_HOME],
        "policies": article_list_public(city=city, kind=ArticleKind.POLICY)[:LATEST_ON_HOME],
        "computed_at": timezone.now(),
    })


def _kind_of(slug: str) -> str:
    kind = SLUG_KINDS.get(slug)
    if kind is None:
        raise Http404
    return kind


@require_GET
def article_list(request, code: str, kind_slug: str):
    city = city_get_active(code=code)
    kind = _kind_of(kind_slug)
    remember_city(request, city)
    q = request.GET.get("q", "").strip()
    qs = article_list_public(city=city, kind=kind)
    if q:
        qs = article_search_public(q=q, city=city).filter(kind=kind)
    return render(request, "portal/article_list.html", {
        "city": city, "kind": kind, "kind_label": ArticleKind(kind).label, "kind_slug": kind_slug,
        "page_obj": page_of(request, qs), "q": q,
        "recent_since": timezone.now() - datetime.timedelta(days=RECENT_DAYS),
    })


@require_GET
def article_detail(request, code: str, kind_slug: str, pk: int):
    city = city_get_active(code=code)
    kind = _kind_of(kind_slug)
    article = article_get_public(pk=pk, city=city, kind=kind)
    remember_city(request, city)
    others = article_list_public(city=city, kind=kind).exclude(pk=article.pk)[:5]
    return render(request, "portal/article_detail.html", {
        "city": city, "kind": kind, "kind_label": ArticleKind(kind).label, "kind_slug": kind_slug,
        "article": article, "others": others,
    })


@require_GET
def attachment_download(request, pk: int):
    """Streams an attachment under its original name (RFC 5987 filename*), never inline."""
    attachment = attachment_get_for_download(user=request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    if not attachment.article.is_published:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def search(request):
    """The site search moved to the matching app (/search/, ``matching:search``), where notices and policies
    are a tab; this name stays so that ``{% url 'portal:search' %}`` links keep working."""
    from techmarket.matching.views import search as site_search

    return site_search(request)
