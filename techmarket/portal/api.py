"""Public API of the portal: cities served, and published notices and policy documents."""
from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from techmarket.core.api import ApiAuth, iso, paginate
from techmarket.core.errors import ApplicationError

from .choices import ArticleKind
from .models import Article, PortalCity
from .selectors import article_get_public, article_list_public, city_get_active, city_headline_figures, city_list_active

router = Router(tags=["门户"])


def city_out(city: PortalCity, *, figures: bool = False) -> dict:
    data = {
        "code": city.code,
        "region": city.region.code,
        "name": city.name,
        "province": city.province_name,
        "bureau_name": city.bureau_name,
        "slogan": city.slogan,
        "url": city.get_absolute_url(),
    }
    if figures:
        data["headline_figures"] = [
            {"key": f["key"], "label": f["label"], "unit": f["unit"],
             "value": str(f["value"]) if not isinstance(f["value"], int) else f["value"]}
            for f in city_headline_figures(city)]
    return data


def article_out(article: Article, *, detail: bool = False) -> dict:
    data = {
        "id": article.pk,
        "city": article.city.code,
        "kind": article.kind,
        "kind_display": article.get_kind_display(),
        "title": article.title,
        "summary": article.display_summary,
        "issuing_authority": article.issuing_authority,
        "document_number": article.document_number,
        "published_at": iso(article.published_at),
        "url": article.get_absolute_url(),
    }
    if detail:
        data["body"] = article.body
        data["attachments"] = [
            {"id": a.pk, "name": a.original_name, "size": a.size,
             "url": reverse("portal:attachment_download", kwargs={"pk": a.pk})}
            for a in article.attachments.all()]
    return data


@router.get("/cities", auth=ApiAuth(optional=True), summary="本平台服务的城市（含首页统计指标）")
def city_list(request, page: int = 1, page_size: int = 20):
    return paginate(request, city_list_active(), lambda c: city_out(c, figures=True), page=page,
                    page_size=page_size)


@router.get("/articles", auth=ApiAuth(optional=True), summary="已发布的通知公告与政策文件")
def article_list(request, city: str | None = None, kind: str | None = None, page: int = 1, page_size: int = 20):
    """`city`: 4 位城市代码（如 4101）；`kind`: notice（通知公告）或 policy（政策文件）。"""
    if kind and kind not in ArticleKind.values:
        raise ApplicationError(_("栏目应为 notice（通知公告）或 policy（政策文件）"), field="kind", code="invalid_choice")
    portal_city = None
    if city:
        try:
            portal_city = city_get_active(code=city)
        except Http404:
            raise ApplicationError(_("城市代码无效或未启用：{c}").format(c=city), field="city",
                                   code="invalid_city") from None
    qs = article_list_public(city=portal_city, kind=kind or None)
    return paginate(request, qs, article_out, page=page, page_size=page_size)


@router.get("/articles/{article_id}", auth=ApiAuth(optional=True), summary="通知公告或政策文件详情")
def article_detail(request, article_id: int):
    return article_out(article_get_public(pk=article_id), detail=True)
