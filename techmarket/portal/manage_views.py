"""Back office (/manage/): the staff dashboard and the bureau's article management.

Everyone without the right gets 404, for pages and writes alike (SPEC §3).
"""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from techmarket.accounts.permissions import is_bureau_admin, is_region_staff
from techmarket.core.audit import history_for
from techmarket.core.errors import ApplicationError
from techmarket.core.workflows import action_choices

from .context_processors import market_links
from .forms import ActionForm, ArticleForm, ManageArticleFilterForm
from .permissions import can_enter_back_office, can_manage_articles, can_use_django_admin
from .selectors import article_get_for_manager, article_list_managed_by, cities_managed_by
from .services import (
    EDITABLE_FIELDS,
    article_attachment_delete,
    article_create,
    article_delete,
    article_publish,
    article_unpublish,
    article_update,
)
from .views import page_of

ACTION_SERVICES = {"publish": article_publish, "unpublish": article_unpublish}


def allowed_only(check):
    """404 unless ``check(user)``: the back office does not reveal itself."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def add_service_errors(form, exc: ApplicationError) -> None:
    for item in exc.errors:
        form.add_error(item.field if item.field in form.fields else None, item.message)


def _market_cards(user) -> list[dict]:
    """成果审核 / 需求审核 with the number waiting in the reviewer's scope; 我的成果 / 我的需求 for publishers."""
    from techmarket.achievements.selectors import achievement_list
    from techmarket.demands.selectors import demand_list

    texts = {
        "achievements_mine": _("发布、修改、提交审核和续期本单位的科技成果"),
        "demands_mine": _("发布、修改、提交审核和续期本单位的技术需求"),
        "challenges_mine": _("发榜、揭榜、开榜与项目实施"),
        "challenges_manage": _("榜单初审、发榜、专家遴选、开榜与验收"),
        "challenges_reviews": _("为揭榜申请评分、提交验收意见"),
    }
    cards = []
    for link in market_links(user):
        text = texts.get(link["key"], "")
        if link["key"] == "achievements_review":
            text = _("审核管辖区域内提交的科技成果，当前待审核 {n} 项").format(
                n=achievement_list(user=user, manage=True, status="submitted").count())
        elif link["key"] == "demands_review":
            text = _("审核管辖区域内企业提交的技术需求，当前待审核 {n} 项").format(
                n=demand_list(user=user, manage=True, status="submitted").count())
        cards.append({"title": link["label"], "url": link["url"], "icon": link["icon"], "text": text})
    return cards


@allowed_only(can_enter_back_office)
def dashboard(request):
    user = request.user
    cards = [
        {"title": _("单位管理"), "url": "/manage/organizations/", "icon": "building",
         "text": _("单位信息、资质、联系人的维护与导入导出")},
        {"title": _("人才管理"), "url": "/manage/people/", "icon": "people",
         "text": _("专家、科研人员、技术经纪人档案")},
        {"title": _("平台管理"), "url": "/manage/platforms/", "icon": "diagram-3",
         "text": _("重点实验室、研发中心、孵化器等创新平台")},
    ]
    cards += _market_cards(user)
    if can_manage_articles(user):
        cards.append({"title": _("文章管理"), "url": reverse("portal:manage_article_list"), "icon": "megaphone",
                      "text": _("发布通知公告与政策文件")})
    if is_region_staff(user) or user.is_superuser:
        cards.append({"title": _("注册审核"), "url": "/manage/registrations/", "icon": "person-check",
                      "text": _("审核企业、高校院所用户的注册申请")})
        users_url = _reverse_or_none("accounts:manage_user_list")
        if users_url:
            cards.append({"title": _("用户管理"), "url": users_url, "icon": "person-gear",
                          "text": _("启用、停用、解锁本区域的用户账号")})
    if can_use_django_admin(user):
        cards.append({"title": _("系统管理"), "url": "/admin/", "icon": "gear",
                      "text": _("分类代码、行政区划、服务城市、用户与令牌等基础数据")})
    scope = None if user.is_superuser else user.region
    return render(request, "portal/manage/dashboard.html", {
        "cards": cards, "scope": scope, "is_bureau_admin": is_bureau_admin(user),
    })


@allowed_only(can_manage_articles)
def article_list(request):
    cities = cities_managed_by(request.user)
    form = ManageArticleFilterForm(request.GET or None, cities=cities)
    qs = article_list_managed_by(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(title__icontains=data["q"]) | Q(document_number__icontains=data["q"]))
        if data["city"]:
            qs = qs.filter(city=data["city"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    return render(request, "portal/manage/article_list.html", {
        "filter_form": form, "page_obj": page_of(request, qs), "can_create": cities.exists(),
    })


def _service_data(cleaned: dict) -> dict:
    return {name: cleaned[name] for name in EDITABLE_FIELDS}


@allowed_only(can_manage_articles)
@require_http_methods(["GET", "POST"])
def article_create_view(request):
    cities = cities_managed_by(request.user)
    if not cities.exists():
        raise Http404
    form = ArticleForm(request.POST or None, request.FILES or None, cities=cities)
    if request.method == "POST" and form.is_valid():
        try:
            article = article_create(by=request.user, attachments=form.cleaned_data["attachments"],
                                     publish="publish" in request.POST, **_service_data(form.cleaned_data))
        except PermissionDenied as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            done = _("已发布“{t}”") if article.is_published else _("已保存草稿“{t}”")
            messages.success(request, done.format(t=article.title))
            return redirect("portal:manage_article_detail", pk=article.pk)
    return render(request, "portal/manage/article_form.html", {"form": form, "article": None})


@allowed_only(can_manage_articles)
@require_http_methods(["GET", "POST"])
def article_edit_view(request, pk: int):
    article = article_get_for_manager(user=request.user, pk=pk)
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article,
                       cities=cities_managed_by(request.user), existing_attachments=article.attachments.count())
    if request.method == "POST" and form.is_valid():
        fresh = article_get_for_manager(user=request.user, pk=pk)
        try:
            article_update(article=fresh, by=request.user, data=_service_data(form.cleaned_data),
                           attachments=form.cleaned_data["attachments"])
        except PermissionDenied as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存修改"))
            return redirect("portal:manage_article_detail", pk=pk)
    return render(request, "portal/manage/article_form.html", {"form": form, "article": article})


@allowed_only(can_manage_articles)
def article_detail_view(request, pk: int):
    article = article_get_for_manager(user=request.user, pk=pk)
    return render(request, "portal/manage/article_detail.html", {
        "article": article, "actions": action_choices(article, request.user), "action_form": ActionForm(),
        "history": history_for(article),
    })


@allowed_only(can_manage_articles)
@require_POST
def article_action_view(request, pk: int, action: str):
    article = article_get_for_manager(user=request.user, pk=pk)
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise Http404
    form = ActionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        article = service(article=article, by=request.user, comment=comment)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, (_("已发布“{t}”") if article.is_published else _("已撤回“{t}”")).format(
            t=article.title))
    return redirect("portal:manage_article_detail", pk=pk)


@allowed_only(can_manage_articles)
@require_http_methods(["GET", "POST"])
def article_delete_view(request, pk: int):
    article = article_get_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            article_delete(article=article, by=request.user)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("portal:manage_article_detail", pk=pk)
        messages.success(request, _("已删除“{t}”").format(t=article.title))
        return redirect("portal:manage_article_list")
    return render(request, "portal/manage/article_confirm_delete.html", {"article": article})


@allowed_only(can_manage_articles)
@require_POST
def attachment_delete_view(request, pk: int, attachment_pk: int):
    article = article_get_for_manager(user=request.user, pk=pk)
    attachment = article.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        article_attachment_delete(attachment=attachment, by=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已删除附件“{n}”").format(n=attachment.original_name))
    return redirect("portal:manage_article_detail", pk=pk)
