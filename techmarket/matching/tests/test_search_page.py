"""The site search page /search/ (issue 4 part 2, SPEC §2 X1): results, highlighting, masking, visibility,
filters, bad input, “您是不是要找”, pagination, and the notices tab kept from the portal's search."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from techmarket.achievements.tests.factories import achievement_in_state, term
from techmarket.demands.tests.factories import demand_in_state
from techmarket.directory.models import Person

PHONE = "13812345678"
ID_NUMBER = "410105199001011234"


@dataclass
class World:
    battery: object       # published achievement, 金水区, field 60, TRL 7, 50 万元, abstract with a phone and ID
    graphene: object      # published achievement, 中原区, field 40, TRL 3, 200 万元
    demand: object        # published demand of the enterprise, 中原区
    draft: object         # draft achievement (owner only)
    submitted: object     # submitted achievement, 金水区 (owner and 金水区 officer)
    expert: object        # a person in the talent registry, with a phone that must never show


def build_world(*, owner, enterprise, bureau, regions) -> World:
    battery = achievement_in_state(
        "published", owner=owner, reviewer=bureau, title="锂离子电池快速充电技术",
        abstract=f"本成果提出锂离子电池快速充电策略，充电时间缩短一半。联系人电话{PHONE}，身份证号{ID_NUMBER}。",
        keywords=["锂离子电池", "快速充电"], tech_field=term("hitech_domains", "60"), trl=7, price="500000.00")
    graphene = achievement_in_state(
        "published", owner=owner, reviewer=bureau, title="石墨烯导热膜制备工艺",
        abstract="石墨烯导热膜用于电子器件散热，导热系数高。", keywords=["石墨烯", "导热膜"],
        tech_field=term("hitech_domains", "40"), trl=3, price="2000000.00", region=regions["zhongyuan"])
    demand = demand_in_state(
        "published", owner=enterprise, reviewer=bureau, title="动力电池热失控预警",
        description="寻求动力电池热失控早期预警方案，要求响应时间小于一秒。", keywords=["动力电池", "热失控"],
        tech_field=term("hitech_domains", "60"), budget_min="100000.00", budget_max="300000.00")
    draft = achievement_in_state("draft", owner=owner, reviewer=bureau, title="锂离子电池回收工艺",
                                 abstract="废旧锂离子电池回收。", keywords=["电池回收"])
    submitted = achievement_in_state("submitted", owner=owner, reviewer=bureau, title="钠离子电池正极材料",
                                     abstract="层状氧化物正极材料。", keywords=["钠离子电池", "钙钛矿"])
    expert = Person.objects.create(name="王立新", kind="expert", region=regions["jinshui"], title="研究员",
                                   expertise="锂离子电池材料与储能系统", bio="长期从事储能研究。",
                                   phone="13900001111", email="wang.lixin@example.com", id_number=ID_NUMBER)
    return World(battery, graphene, demand, draft, submitted, expert)


@pytest.fixture
def world(owner, enterprise, bureau, regions, reindex) -> World:
    w = build_world(owner=owner, enterprise=enterprise, bureau=bureau, regions=regions)
    reindex()
    return w


def page(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def found(response) -> set[tuple[str, int]]:
    return {(row.doc_type, _pk(row.url)) for row in response.context["rows"]}


def _pk(url: str) -> int:
    return int([part for part in url.split("/") if part.isdigit()][-1])


class TestSearchPageResults:
    def test_query_finds_every_type_with_highlighted_title_and_snippet(self, client, world):
        # when
        response = page(client, q="锂离子电池")

        # then
        html = response.content.decode()
        assert {("achievement", world.battery.pk), ("expert", world.expert.pk)} <= found(response)
        assert "<mark>锂离子电池</mark>快速充电技术" in html                 # the title
        assert "提出<mark>锂离子电池</mark>快速充电策略" in html             # the snippet
        assert f'href="/achievements/{world.battery.pk}/"' in html
        assert f'href="/people/{world.expert.pk}/"' in html
        assert "TRL7" in html and "50.00 万元" in html

    def test_each_row_names_its_own_owner(self, client, world):
        rows = {row.doc_type: row for row in page(client, q="锂离子电池").context["rows"]}

        assert world.battery.owner_organization.name in rows["achievement"].facts
        assert world.demand.owner_organization.name in rows["demand"].facts
        assert world.battery.owner_organization.name != world.demand.owner_organization.name
        assert rows["achievement"].region == world.battery.region.name

    def test_snippets_mask_phone_and_id_numbers(self, client, world):
        html = page(client, q="锂离子电池").content.decode()

        assert PHONE not in html and ID_NUMBER not in html
        assert "138****5678" in html
        assert "4101**********1234" in html
        # the expert's contact fields are never shown, masked or not
        assert "13900001111" not in html and "wang.lixin@example.com" not in html

    def test_empty_query_lists_newest_records(self, client, world):
        response = page(client)

        assert ("achievement", world.graphene.pk) in found(response)
        assert ("demand", world.demand.pk) in found(response)
        assert ("achievement", world.draft.pk) not in found(response)

    @pytest.mark.parametrize("reader", ["anonymous", "officer_in"])
    def test_results_are_not_loaded_one_query_per_hit(self, client, world, regions, owner, enterprise, bureau,
                                                      owner_org, reindex, reader, request):
        # given: the page loads only the columns a result shows; a column it forgot would cost a query per row
        if reader != "anonymous":
            client.force_login(request.getfixturevalue(reader))

        def more(n):
            for i in range(n):
                Person.objects.create(name=f"专家{n}{i}", kind="expert", region=regions["jinshui"],
                                      organization=owner_org, expertise="锂离子电池储能")
                achievement_in_state("published", owner=owner, reviewer=bureau, title=f"锂离子电池隔膜{n}{i}",
                                     abstract="锂离子电池隔膜涂覆。", price="100000.00")
                demand_in_state("published", owner=enterprise, reviewer=bureau, title=f"锂离子电池检测{n}{i}",
                                description="锂离子电池一致性检测。", budget_min="10000.00", budget_max="20000.00")
            reindex()
            page(client, q="锂离子电池")  # warm caches

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = page(client, q="锂离子电池")
            return {row.doc_type for row in response.context["rows"]}, len(response.context["rows"]), len(
                captured.captured_queries)

        more(1)
        _types, rows_before, queries_before = queries()

        # when
        more(5)
        types, rows_after, queries_after = queries()

        # then: more results of every type on the page, not one query more
        assert types == {"achievement", "demand", "expert"}
        assert rows_after >= rows_before + 10
        assert queries_after == queries_before


    def test_type_tabs_keep_the_words_and_filters_and_start_at_page_one(self, client, world):
        from urllib.parse import parse_qs

        tabs = page(client, q="锂离子电池", region="410100", type="demand", page="2").context["tabs"]

        asked = {tab["value"]: parse_qs(tab["url"][1:]) for tab in tabs}
        assert asked[""] == {"q": ["锂离子电池"], "region": ["410100"]}
        assert asked["achievement"] == {"q": ["锂离子电池"], "region": ["410100"], "type": ["achievement"]}
        assert asked["notice"]["type"] == ["notice"]
        assert [tab["value"] for tab in tabs if tab["active"]] == ["demand"]

    def test_row_urls_follow_the_script_prefix_of_each_request(self, client, world):
        # the row URLs are made once per process and kind; an instance served under a path prefix gets its own
        from django.test.utils import override_script_prefix

        plain = client.get("/search/", {"q": "锂离子电池"})
        with override_script_prefix("/kjdsc/"):  # what the WSGI handler sets from SCRIPT_NAME
            prefixed = client.get("/search/", {"q": "锂离子电池"})

        assert [row.url for row in plain.context["rows"]][:1] == [f"/achievements/{world.battery.pk}/"]
        assert {row.url.split("/")[1] for row in prefixed.context["rows"]} == {"kjdsc"}
        assert f'href="/kjdsc/achievements/{world.battery.pk}/"' in prefixed.content.decode()

    def test_listed_records_of_two_pages_of_the_same_size_are_each_their_own(self, world):
        # given: the SQL of a page of two achievements is compiled once and kept (services._listed_sql)
        from techmarket.achievements.models import Achievement
        from techmarket.matching import services

        first = services._listed_records(Achievement, [world.battery.pk, world.draft.pk], "achievement")

        # when: another page of two
        second = services._listed_records(Achievement, [world.graphene.pk, world.submitted.pk], "achievement")

        # then: its own records, read from a cursor (not the ORM's fallback), with the listed columns converted
        # as the ORM would and the rest loaded when read
        assert services._listed_sql(Achievement, "achievement", 2, Achievement.objects.db) is not None
        assert {a.pk for a in first} == {world.battery.pk, world.draft.pk}
        by_pk = {a.pk: a for a in second}
        assert set(by_pk) == {world.graphene.pk, world.submitted.pk}
        graphene = by_pk[world.graphene.pk]
        assert graphene.title == "石墨烯导热膜制备工艺" and graphene.trl == 3 and graphene.price_fen == 200_000_000
        assert graphene.expires_at == world.graphene.expires_at and graphene.expires_at.tzinfo is not None
        assert graphene.negotiable is world.graphene.negotiable
        assert graphene.owner_organization.name == world.graphene.owner_organization.name
        assert graphene.region.name == "中原区"
        assert "keywords" in graphene.get_deferred_fields() and graphene.keywords == world.graphene.keywords

    def test_a_region_added_by_another_process_since_this_one_read_them_still_shows(self, client, world, owner,
                                                                                    bureau, regions, reindex):
        from techmarket.regions.models import Region

        page(client, q="锂离子电池")  # this process now keeps every region (services._shared_rows)
        city = regions["jinshui"].parent
        # written without signals, as another process's save would look from here
        [zone] = Region.objects.bulk_create([Region(code="410199", name="测试新区", level=3, parent=city,
                                                    path=f"{city.path}410199/", is_zone=True)])
        achievement_in_state("published", owner=owner, reviewer=bureau, title="锂离子电池极片检测", region=zone)
        reindex()

        html = page(client, q="锂离子电池极片检测").content.decode()

        assert "锂离子电池极片检测" in html and "测试新区" in html


class TestSearchPageVisibility:
    def test_draft_never_appears_to_anonymous(self, client, world):
        response = page(client, q="锂离子电池回收")

        assert ("achievement", world.draft.pk) not in found(response)
        assert "锂离子电池回收工艺" not in response.content.decode()

    def test_owner_finds_own_draft_linked_to_the_managed_view(self, client, world, owner):
        client.force_login(owner)
        response = page(client, q="锂离子电池回收")

        assert ("achievement", world.draft.pk) in found(response)
        assert f"/manage/achievements/{world.draft.pk}/" in response.content.decode()

    def test_a_result_not_yet_public_is_marked_and_everything_shown_is_escaped(self, client, world, owner,
                                                                                owner_org):
        # given: an organization name a user typed with markup in it
        owner_org.name = "<b>河南省锂电</b>研究院"
        owner_org.save()
        client.force_login(owner)

        # when
        html = page(client, q="锂离子电池回收").content.decode()

        # then
        draft = html.split(f'href="/manage/achievements/{world.draft.pk}/"')[0].rsplit("<article", 1)[1]
        assert 'title="仅所属单位和管理人员可见">未公开</span>' in draft
        assert 'data-type="achievement"' in draft
        assert "&lt;b&gt;河南省锂电&lt;/b&gt;研究院" in html and "<b>河南省锂电</b>" not in html
        public = html.split(f'href="/achievements/{world.battery.pk}/"')[0].rsplit("<article", 1)[1]
        assert "未公开" not in public

    def test_submitted_record_is_found_by_officer_of_its_district_only(self, client, world, officer_in,
                                                                       officer_out):
        client.force_login(officer_in)
        assert ("achievement", world.submitted.pk) in found(page(client, q="钠离子电池"))

        client.force_login(officer_out)
        assert ("achievement", world.submitted.pk) not in found(page(client, q="钠离子电池"))


class TestSearchPageFilters:
    def test_type_tab_keeps_one_type(self, client, world):
        response = page(client, q="电池", type="demand")

        assert found(response) == {("demand", world.demand.pk)}

    def test_region_subtree(self, client, world):
        jinshui = found(page(client, q="锂离子电池 石墨烯", type="achievement", region="410105"))
        city = found(page(client, q="锂离子电池 石墨烯", type="achievement", region="4101"))

        assert jinshui == {("achievement", world.battery.pk)}
        assert city == {("achievement", world.battery.pk), ("achievement", world.graphene.pk)}

    def test_technology_field(self, client, world):
        response = page(client, q="锂离子电池 石墨烯", field="40")

        assert found(response) == {("achievement", world.graphene.pk)}

    def test_trl_range(self, client, world):
        response = page(client, q="锂离子电池 石墨烯", type="achievement", trl_min="5", trl_max="9")

        assert found(response) == {("achievement", world.battery.pk)}

    def test_price_range_in_yuan(self, client, world):
        response = page(client, q="锂离子电池 石墨烯", type="achievement", price_min="1000000")

        assert found(response) == {("achievement", world.graphene.pk)}


    def test_the_filters_show_each_search_its_own_choices(self, client, world):
        # the filters of a search without any are written once per process: a filtered search must not get
        # them, nor leave its own behind
        def chosen(html):
            sidebar = html.split('aria-label="筛选条件"')[1].split("</form>")[0]
            return [part.split('"')[0] for part in sidebar.split('<option value="')[1:] if '" selected>' in part]

        assert set(chosen(page(client, q="电池").content.decode())) <= {""}
        assert {"410105", "5"} <= set(chosen(page(client, q="电池", region="410105", trl_min="5").content.decode()))
        after = page(client, q="储能").content.decode()
        assert set(chosen(after)) <= {""}
        assert 'name="q" value="储能"' in after.split('aria-label="筛选条件"')[1]


class TestSearchPageBadInput:
    @pytest.mark.parametrize("params, message", [
        ({"trl_min": "12"}, "技术就绪水平下限须为 1–9 的整数"),
        ({"price_min": "abc"}, None),
        ({"type": "instrument"}, "类型取值无效"),
        ({"region": "999999"}, "区域代码无效"),
        ({"date_from": "2024-13-40"}, None),
        ({"trl_min": "7", "trl_max": "3"}, "技术就绪水平下限不能高于上限"),
    ])
    def test_bad_filter_shows_the_chinese_message_not_a_500(self, client, world, params, message):
        response = page(client, q="电池", **params)

        html = response.content.decode()
        assert 'id="search-errors"' in html
        assert response.context["rows"] == []
        if message:
            assert message in html

    def test_the_alert_names_the_field_of_each_message(self, client, world):
        response = page(client, q="电池", price_max="abc")

        assert response.context["errors"] == ["价格/预算不高于（元）：“abc”不是有效的金额"]

    def test_bad_page_number_shows_the_first_page(self, client, world):
        response = page(client, q="电池", page="abc")

        assert response.context["page_obj"].number == 1


class TestDidYouMean:
    def test_typo_without_results_gets_a_suggestion_that_finds_something(self, client, world):
        # when: 热失空 is a typo of the demand's keyword 热失控
        response = page(client, q="热失空")

        # then
        html = response.content.decode()
        assert response.context["result"].total == 0
        assert response.context["suggestion"] == "热失控"
        assert "您是不是要找：" in html and "?q=%E7%83%AD%E5%A4%B1%E6%8E%A7" in html
        assert found(page(client, q="热失控")) == {("demand", world.demand.pk)}

    def test_no_suggestion_when_the_query_finds_something(self, client, world):
        assert page(client, q="锂离子电池").context["suggestion"] is None

    def test_suggestion_only_when_it_finds_records_the_reader_may_see(self, client, world, owner):
        # 钙钛旷 → 钙钛矿, a keyword of the submitted record only: the public gets no suggestion
        assert page(client, q="钙钛旷").context["suggestion"] is None

        client.force_login(owner)
        assert page(client, q="钙钛旷").context["suggestion"] == "钙钛矿"


class TestPagination:
    def test_page_two_of_many(self, client, owner, bureau, reindex):
        # given: 23 published achievements about the same thing
        for n in range(23):
            achievement_in_state("published", owner=owner, reviewer=bureau, title=f"光伏逆变器控制方法{n}",
                                 abstract="光伏逆变器的控制。")
        reindex()

        # when
        first = page(client, q="光伏逆变器")
        second = page(client, q="光伏逆变器", page="2")

        # then
        assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 3
        assert "第 2/2 页" in second.content.decode()
        assert not found(first) & found(second)


class TestNoticesTab:
    """The notices and policies the portal's title search used to find are a tab (and a preview) of /search/."""

    @pytest.fixture
    def notices(self, db):
        from techmarket.accounts.roles import Role
        from techmarket.portal.tests import factories as pf

        zhengzhou = pf.city("4101", bureau_name="郑州市科学技术局")
        admin = pf.user("bureau-zz", roles=[Role.BUREAU_ADMIN], region_code="410100")
        published = pf.article(by=admin, city=zhengzhou, title="锂离子电池产业政策通知", publish=True)
        pf.article(by=admin, city=zhengzhou, title="锂离子电池政策草稿")
        return published

    def test_notice_tab_finds_published_titles_only(self, client, notices):
        html = page(client, q="锂离子电池", type="notice").content.decode()

        assert "锂离子电池产业政策通知" in html and "锂离子电池政策草稿" not in html

    def test_all_tab_previews_notices_with_a_link_to_their_tab(self, client, notices):
        html = page(client, q="锂离子电池").content.decode()

        assert "锂离子电池产业政策通知" in html and "type=notice" in html

    def test_preview_finds_and_counts_what_the_notice_tab_finds(self, client, notices):
        from techmarket.accounts.roles import Role
        from techmarket.portal.selectors import article_search_preview, article_search_public
        from techmarket.portal.tests import factories as pf

        admin = pf.user("bureau-zz2", roles=[Role.BUREAU_ADMIN], region_code="410100")
        for n in range(6):
            pf.article(by=admin, city=notices.city, title=f"第{n}批 CAR-T 项目申报通知", publish=True,
                       summary="关于组织申报的说明", document_number=f"郑科〔2026〕{n + 1}号")
        for q in ("锂离子电池", "car-t", "组织申报", "郑科〔2026〕3号", "草稿", "无此标题"):
            shown, count = article_search_preview(q=q, city=notices.city, limit=5)
            found = list(article_search_public(q=q, city=notices.city))
            assert (count, shown) == (len(found), found[:5]), q

    def test_preview_never_shows_an_article_withdrawn_in_another_process(self, client, notices):
        from techmarket.portal.models import Article

        assert "锂离子电池产业政策通知" in page(client, q="锂离子电池").content.decode()  # now kept in this process
        Article.objects.filter(pk=notices.pk).update(status="draft")  # another process withdrew it: no signal here

        assert "锂离子电池产业政策通知" not in page(client, q="锂离子电池").content.decode()

    def test_preview_shows_an_article_published_in_this_process_at_once(self, client, notices):
        from techmarket.portal.services import article_publish
        from techmarket.portal.tests import factories as pf

        assert "锂离子电池新政" not in page(client, q="锂离子电池").content.decode()
        draft = pf.article(by=notices.created_by, city=notices.city, title="锂离子电池新政")
        article_publish(article=draft, by=notices.created_by)

        assert "锂离子电池新政" in page(client, q="锂离子电池").content.decode()

    def test_header_search_box_points_to_the_site_search(self, client, notices):
        html = client.get("/").content.decode()
        assert 'action="/search/"' in html

    def test_notice_tab_without_query_asks_for_one(self, client, notices):
        html = page(client, type="notice").content.decode()

        assert "输入标题或文号关键词" in html and "锂离子电池产业政策通知" not in html
