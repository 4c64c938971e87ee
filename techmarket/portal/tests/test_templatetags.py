import datetime

import pytest
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone

from techmarket.portal.forms import ArticleForm
from techmarket.portal.models import PortalCity
from techmarket.portal.services import article_publish, article_update

from . import factories as f


def render(source: str, request=None, **context) -> str:
    template = Template("{% load portal_ui %}" + source)
    if request is not None:
        return template.render(RequestContext(request, context))
    return template.render(Context(context))


class TestPagination:
    def test_links_keep_other_query_parameters(self):
        request = RequestFactory().get("/x/", {"q": "申报", "kind": "notice", "page": "2"})
        page = Paginator(list(range(45)), 20).get_page(2)
        html = render('{% include "includes/pagination.html" with page=page %}', page=page, request=request)
        assert "共 45 条" in html
        assert "?q=%E7%94%B3%E6%8A%A5&amp;kind=notice&amp;page=3" in html
        assert "?q=%E7%94%B3%E6%8A%A5&amp;kind=notice&amp;page=1" in html

    def test_gaps_and_links_of_a_long_list_without_other_parameters(self):
        request = RequestFactory().get("/x/", {"page": "10"})
        page = Paginator(list(range(400)), 20).get_page(10)
        html = render('{% include "includes/pagination.html" with page=page %}', page=page, request=request)
        assert html.count("…") == 2 and 'href="?page=1"' in html and 'href="?page=20"' in html
        assert 'href="?page=9" rel="prev"' in html and 'href="?page=11" rel="next"' in html
        assert '<span class="page-link">10</span>' in html and 'href="?page=10"' not in html
        assert 'href="?page=7"' not in html  # two on each side of the current page

    def test_first_and_last_pages_have_no_link_back_or_on(self):
        request = RequestFactory().get("/x/", {"page": "1"})
        first = render('{% include "includes/pagination.html" with page=page %}',
                       page=Paginator(list(range(45)), 20).get_page(1), request=request)
        assert '<li class="page-item disabled"><span class="page-link">‹ 上一页</span></li>' in first
        assert 'href="?page=2" rel="next">下一页 ›</a>' in first
        last = render('{% include "includes/pagination.html" with page=page %}',
                      page=Paginator(list(range(45)), 20).get_page(3), request=request)
        assert '<li class="page-item disabled"><span class="page-link">下一页 ›</span></li>' in last
        assert '<li class="page-item active" aria-current="page"><span class="page-link">3</span></li>' in last

    def test_nothing_is_rendered_for_an_empty_page(self):
        page = Paginator([], 20).get_page(1)
        assert render('{% include "includes/pagination.html" with page=page %}', page=page,
                      request=RequestFactory().get("/")).strip() == ""


@pytest.mark.django_db
class TestFormField:
    def test_errors_are_shown_next_to_the_field_with_bootstrap_classes(self, zhengzhou):
        form = ArticleForm(data={"kind": "notice"}, cities=PortalCity.objects.all())
        form.is_valid()
        html = render('{% include "includes/form_field.html" with field=form.title %}', form=form)
        assert 'class="form-control is-invalid"' in html
        assert "这个字段是必填项。" in html
        assert 'aria-describedby="id_title_errors"' in html

    def test_select_gets_form_select(self, zhengzhou):
        form = ArticleForm(cities=PortalCity.objects.all())
        html = render('{% include "includes/form_field.html" with field=form.kind %}', form=form)
        assert 'class="form-select"' in html


class TestStatusBadge:
    def test_badge_colour_follows_the_status(self):
        html = render('{% include "includes/status_badge.html" with status="published" label="已发布" %}')
        assert "text-bg-success" in html and "已发布" in html


@pytest.mark.django_db
class TestHistoryTable:
    def test_history_shows_changes_and_transitions_in_shanghai_time(self, zhengzhou, zz_admin):
        # given
        article = f.article(by=zz_admin, city=zhengzhou, title="旧标题")
        article_update(article=article, by=zz_admin, data={"title": "新标题", "kind": "policy"})
        article_publish(article=article, by=zz_admin, comment="同意发布")

        # when
        html = render("{% history_table article %}", article=article)

        # then
        assert "新建" in html and "修改" in html and "发布" in html
        assert "<del>旧标题</del>" in html and "<ins>新标题</ins>" in html
        assert "<del>通知公告</del>" in html and "<ins>政策文件</ins>" in html
        assert "草稿 <i class=\"bi bi-arrow-right\"></i> <strong>已发布</strong>" in html
        assert "同意发布" in html and "郑州管理员" in html
        assert "updated_at" not in html

    def test_time_filter_converts_to_shanghai(self):
        utc_midnight = datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
        assert render("{{ t|shanghai }}", t=utc_midnight) == "2024-01-01 08:00"
        with timezone.override("UTC"):
            assert render("{{ t|shanghai }}", t=utc_midnight) == "2024-01-01 08:00"
