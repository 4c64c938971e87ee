"""Reads of the portal: which city a visitor is in, public articles, what a manager may see."""
from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404

from techmarket.accounts.permissions import city_of, is_authenticated, is_bureau_admin
from techmarket.core import process_cache

from .choices import ArticleStatus
from .headlines import HEADLINES, organizations_in, registry_url
from .models import Article, ArticleAttachment, PortalCity
from .permissions import can_download_attachment

SESSION_KEY = "portal_city"


# Cities ---------------------------------------------------------------------------------------

def city_list_active():
    return PortalCity.objects.filter(is_active=True).select_related("region", "region__parent")


def cities_active() -> list[PortalCity]:
    """The active cities, kept per process (core.process_cache): every page's frame and city choice reads them.
    Read-only instances; a page that edits a city loads its own."""
    return list(process_cache.cached("portal:cities", lambda: list(city_list_active())))


def city_get_active(*, code: str) -> PortalCity:
    """An active city by its 4-digit code (4101) or 6-digit region code (410100); 404 otherwise."""
    code = str(code).strip()
    if len(code) == 4 and code.isdigit():
        code += "00"
    city = city_list_active().filter(region__code=code).first()
    if city is None:
        raise Http404
    return city


def city_for_region(region) -> PortalCity | None:
    """The active portal city a region (a county, a city) lies in."""
    city_region = city_of(region)
    if city_region is None:
        return None
    return next((c for c in cities_active() if c.region_id == city_region.pk), None)


def city_default_for_user(user) -> PortalCity | None:
    """The city of the user's organization, else of the region a staff member manages."""
    if not is_authenticated(user):
        return None
    organization = getattr(user, "organization", None)
    if organization is not None:
        city = city_for_region(organization.region)
        if city is not None:
            return city
    if user.region_id:
        return city_for_region(user.region)
    return None


def city_current(request) -> PortalCity | None:
    """The city the visitor chose (remembered in the session), else their own, else the only one."""
    session = getattr(request, "session", None)
    code = session.get(SESSION_KEY) if session is not None else None
    cities = cities_active()
    if code:
        city = next((c for c in cities if c.region.code == code + "00"), None)
        if city is not None:
            return city
    city = city_default_for_user(getattr(request, "user", None))
    if city is not None:
        return city
    return cities[0] if len(cities) == 1 else None


def city_headline_figures(city: PortalCity) -> list[dict]:
    """The city's configured figures, computed now, in the configured order (unknown keys skipped)."""
    figures = []
    for key in city.headline_figures or []:
        headline = HEADLINES.get(key)
        if headline is None:
            continue
        figures.append({
            "key": key, "label": str(headline.label), "unit": str(headline.unit), "icon": headline.icon,
            "value": headline.compute(city), "url": headline.link(city) if headline.link else None,
        })
    return figures


def organization_kind_counts(city: PortalCity) -> list[dict]:
    """Organizations of the city by kind, every kind listed (zero included), in the kinds' order."""
    from techmarket.directory.choices import OrganizationKind

    counts = dict(organizations_in(city).values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return [{"kind": kind, "label": str(label), "count": counts.get(kind, 0),
             "url": registry_url("/organizations/", city, kind=kind)}
            for kind, label in OrganizationKind.choices]


def cities_managed_by(user):
    """Active or not: the cities whose articles ``user`` manages."""
    if not is_bureau_admin(user):
        return PortalCity.objects.none()
    qs = PortalCity.objects.select_related("region", "region__parent")
    if user.is_superuser:
        return qs
    if user.region_id is None:
        return qs.none()
    return qs.filter(region__path__startswith=user.region.path)


# Articles -------------------------------------------------------------------------------------

def article_list_public(*, city: PortalCity | None = None, kind: str | None = None):
    qs = Article.objects.filter(status=ArticleStatus.PUBLISHED, city__is_active=True).select_related(
        "city", "city__region")
    if city is not None:
        qs = qs.filter(city=city)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-pk")


def article_get_public(*, pk: int, city: PortalCity | None = None, kind: str | None = None) -> Article:
    """A published article; the same 404 for a draft, another city's or a missing one."""
    article = article_list_public(city=city, kind=kind).prefetch_related("attachments").filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def article_search_public(*, q: str, city: PortalCity | None = None):
    q = (q or "").strip()
    if not q:
        return Article.objects.none()
    return article_list_public(city=city).filter(
        Q(title__icontains=q) | Q(document_number__icontains=q) | Q(summary__icontains=q))


def _article_texts(city: PortalCity | None) -> list[tuple[int, tuple[str, str, str]]]:
    """(pk, (title, number, summary) case folded) of the published articles, newest first."""
    rows = article_list_public(city=city).values_list("pk", "title", "document_number", "summary")
    return [(pk, (title.casefold(), number.casefold(), summary.casefold())) for pk, title, number, summary in rows]


def article_search_preview(*, q: str, city: PortalCity | None = None, limit: int = 5) -> tuple[list[Article], int]:
    """The first ``limit`` articles ``article_search_public`` finds, and how many it finds.

    The site search shows these beside every result list, and composing that query cost a search page more
    than a tenth of its time; a city's published titles, numbers and summaries are few, so each process keeps
    them (core.process_cache, cleared when an article is saved) and looks for ``q`` in them. The articles
    shown are read from the database again, so one withdrawn a moment ago in another process is not shown."""
    needle = (q or "").strip().casefold()
    if not needle:
        return [], 0
    texts = process_cache.cached(f"portal:article-texts:{city.pk if city else ''}", lambda: _article_texts(city))
    found = [pk for pk, fields in texts if any(needle in text for text in fields)]
    if not found:
        return [], 0
    shown = list(article_list_public(city=city).filter(pk__in=found[:limit]))
    return shown, len(found)


def article_list_managed_by(user):
    return Article.objects.filter(city__in=cities_managed_by(user)).select_related(
        "city", "city__region", "created_by").annotate(attachment_count=Count("attachments")).order_by(
        "-updated_at", "-pk")


def article_get_for_manager(*, user, pk: int) -> Article:
    """An article the user manages; 404 alike for a missing one and one outside the user's scope."""
    article = Article.objects.filter(city__in=cities_managed_by(user), pk=pk).select_related(
        "city", "city__region", "created_by").prefetch_related("attachments").first()
    if article is None:
        raise Http404
    return article


def attachment_get_for_download(*, user, pk: int) -> ArticleAttachment:
    attachment = ArticleAttachment.objects.select_related("article", "article__city", "article__city__region").filter(
        pk=pk).first()
    if attachment is None or not can_download_attachment(user, attachment):
        raise Http404
    return attachment
