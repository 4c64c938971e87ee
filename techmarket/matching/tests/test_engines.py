"""The analyzer and the two engines behind the one search interface."""
from __future__ import annotations

import datetime

import pytest

from techmarket.achievements.tests.factories import achievement_in_state, term
from techmarket.matching.analysis import Analyzer, normalize, tokenize
from techmarket.matching.backends.base import EngineQuery, IndexEntry, Scope
from techmarket.matching.engines import engine, index_now
from techmarket.matching.ranking import field_prior_rerank
from techmarket.matching.services import domain_words_add, search, search_filters_clean

# --- analyzer -----------------------------------------------------------------------------------------------


def test_normalize_folds_width_and_case():
    assert normalize("ＳＯＣ　估计ＡＢｃ") == "soc 估计abc"


def test_stop_words_and_punctuation_are_dropped():
    a = Analyzer()
    terms = a.tokenize("一种基于深度学习的电池健康状态估计方法，（实验）")
    assert "的" not in terms and "基于" not in terms and "，" not in terms and "（" not in terms
    assert "电池" in terms and "健康" in terms


def test_domain_words_keep_terms_whole():
    a = Analyzer()
    assert "平方和优化" not in a.tokenize("平方和优化控制器")
    a.add_words(["平方和优化"])
    assert "平方和优化" in a.tokenize("平方和优化控制器")


@pytest.mark.django_db
def test_keywords_saved_by_another_process_reach_the_analyzer(owner, bureau):
    domain_words_add(["磁流变阻尼器"], source="manual")
    assert "磁流变阻尼器" in tokenize("基于磁流变阻尼器的减振系统")


@pytest.mark.django_db
def test_taxonomy_names_are_in_the_dictionary():
    assert "新能源与高效节能" in tokenize("新能源与高效节能领域的储能技术") or "高效节能" in tokenize(
        "新能源与高效节能领域的储能技术")


# --- both engines on a small fixed corpus -------------------------------------------------------------------

def _entry(n, title, body, *, category="", public=True, regions=("410000", "410100", "410105"), trl=None,
           price=None, day=None, keywords=()):
    a = Analyzer()
    return IndexEntry(key=f"achievement:{n}", doc_type="achievement", object_id=n, title=a.tokenize(title),
                      keywords=[t for k in keywords for t in a.tokenize(k)], body=a.tokenize(body),
                      category=category, public=public, owner_org=100 + n, regions=list(regions),
                      tech_fields=["08", "0801"] if n % 2 else ["01"], trl=trl, price_min_fen=price,
                      price_max_fen=price, date=day)


CORPUS = [
    _entry(1, "锂离子电池健康状态估计", "基于电化学阻抗谱估计锂离子电池的健康状态和剩余寿命。", category="d:1",
           trl=6, price=50_000_000, day=datetime.date(2026, 3, 1)),
    _entry(2, "动力电池热管理系统", "电动汽车动力电池的液冷热管理与温度均衡控制。", category="d:1", trl=4,
           price=20_000_000, day=datetime.date(2026, 5, 1)),
    _entry(3, "小麦抗旱品种选育", "通过分子标记辅助选择培育抗旱小麦新品种。", category="d:2", trl=7,
           day=datetime.date(2025, 9, 1), regions=("410000", "410600")),
    _entry(4, "电池级碳酸锂提纯工艺", "盐湖卤水提锂并制备电池级碳酸锂。", category="d:3", trl=5,
           price=80_000_000, day=datetime.date(2026, 1, 15), keywords=["碳酸锂", "提纯"]),
    _entry(5, "未发布的电池回收技术", "废旧锂离子电池的回收拆解。", category="d:1", public=False),
]


def _keys(result):
    return [h.key for h in result.hits]


def test_both_engines_rank_the_fixed_corpus_the_same_way(any_engine, db):
    backend = engine()
    backend.bulk_build(CORPUS)
    assert backend.count() == 5
    keys = _keys(backend.search(EngineQuery(terms=tokenize("锂离子电池健康"), limit=10)))
    assert keys[0] == "achievement:1" and set(keys) == {"achievement:1", "achievement:2", "achievement:4"}
    q = EngineQuery(terms=["碳酸锂"], limit=10)
    assert _keys(backend.search(q)) == ["achievement:4"]
    assert backend.doc_freq("电池") == 4 and backend.doc_freq("不存在的词") == 0


def test_title_outweighs_body(any_engine, db):
    assert tokenize("热管理")
    backend = engine()
    backend.bulk_build([_entry(1, "热管理", "电池包设计。"), _entry(2, "电池包设计", "其中涉及热管理。")])
    assert _keys(backend.search(EngineQuery(terms=tokenize("热管理"), limit=10))) == ["achievement:1", "achievement:2"]


def test_filters(any_engine, db):
    backend = engine()
    backend.bulk_build(CORPUS)
    base = dict(terms=["电池"], limit=10)
    assert set(_keys(backend.search(EngineQuery(**base, trl_min=5)))) == {"achievement:1", "achievement:4"}
    assert set(_keys(backend.search(EngineQuery(**base, price_max_fen=30_000_000)))) == {"achievement:2"}
    assert set(_keys(backend.search(EngineQuery(**base, date_from=datetime.date(2026, 2, 1))))) == {
        "achievement:1", "achievement:2"}
    assert _keys(backend.search(EngineQuery(terms=["小麦"], region="410100", limit=10))) == []
    assert _keys(backend.search(EngineQuery(terms=["小麦"], region="410000", limit=10))) == ["achievement:3"]
    assert set(_keys(backend.search(EngineQuery(**base, tech_field="08")))) == {"achievement:1"}
    # the category as this engine's hits name it (the field prior passes it back)
    first = backend.search(EngineQuery(terms=["健康"], limit=1)).hits[0]
    assert set(_keys(backend.search(EngineQuery(**base, category=first.category)))) == {"achievement:1",
                                                                                      "achievement:2"}


def test_a_filter_every_record_passes_changes_no_order_gap_or_count(any_engine, db):
    # the embedded engine runs a public reader's words as one flat boolean, and nests them under a filter
    backend = engine()
    backend.bulk_build(CORPUS)
    plain = backend.search(EngineQuery(terms=tokenize("锂离子电池回收提纯"), limit=10))
    filtered = backend.search(EngineQuery(terms=tokenize("锂离子电池回收提纯"), limit=10,
                                          doc_types=["achievement", "demand", "expert", "organization"]))

    def gaps(result):  # a filter may add the same constant to every score (tantivy scores a matched term set)
        return [round(a.score - b.score, 5) for a, b in zip(result.hits, result.hits[1:])]

    assert _keys(plain) == _keys(filtered) and gaps(plain) == gaps(filtered)
    assert plain.total == filtered.total == 3 and "achievement:5" not in _keys(plain)  # not the unpublished one


def test_a_page_past_the_end_or_the_count_alone_still_tells_the_total(any_engine, db):
    # the search page shows the last page when asked for one past it, which it finds by the total
    backend = engine()
    backend.bulk_build(CORPUS)
    for terms in (["电池"], []):
        total = backend.search(EngineQuery(terms=terms, limit=10)).total
        assert total > 0
        for question in (EngineQuery(terms=terms, limit=0), EngineQuery(terms=terms, limit=10, offset=100)):
            result = backend.search(question)
            assert result.hits == [] and result.total == total


def test_very_common_words_only_score_the_documents_the_other_words_find(db, settings, monkeypatch):
    # given: a collection where 电池 is in more records than the engine walks for a word (lowered for the test)
    from techmarket.matching.backends import embedded

    settings.TECHMARKET_SEARCH_ENGINE = "embedded"

    def entry(n, *body):
        return IndexEntry(key=f"achievement:{n}", doc_type="achievement", object_id=n, title=[], keywords=[],
                          body=list(body), public=True, category="d:1" if n < 3 else "d:2")

    backend = engine()
    backend.bulk_build([entry(1, "电池", "健康", "电池"), entry(2, "电池"), entry(3, "电池", "回收"),
                        entry(4, "健康"), entry(5, "回收")])
    both = EngineQuery(terms=["电池", "健康"], limit=10)
    walked = backend.search(both)  # every word finds: 电池 is not common yet

    # when: a word in more than two records counts as common
    monkeypatch.setattr(embedded, "COMMON_TERM_DOCS", 2)
    monkeypatch.setattr(embedded, "COMMON_TERM_SHARE", 0.0)
    found = backend.search(both)

    # then: only the records the rarer word finds are results, scored as the whole query scores them
    assert _keys(walked)[:1] == ["achievement:1"] and walked.total == 4
    assert set(_keys(found)) == {"achievement:1", "achievement:4"} and found.total == 2
    scores = {h.key: h.score for h in walked.hits}
    assert all(abs(h.score - scores[h.key]) < 1e-4 for h in found.hits)
    assert _keys(found) == [k for k in _keys(walked) if k in set(_keys(found))]
    assert found.partial and not walked.partial  # which tells the field prior to ask within the leading field
    # within one category every word finds again: there the field's common words bring its records in
    first = found.hits[0]
    in_field = backend.search(EngineQuery(terms=["电池", "健康"], limit=10, category=first.category))
    assert set(_keys(in_field)) == {"achievement:1", "achievement:2"} and not in_field.partial
    # a query of common words only still finds with all of them
    alone = backend.search(EngineQuery(terms=["电池"], limit=10))
    assert set(_keys(alone)) == {"achievement:1", "achievement:2", "achievement:3"} and alone.total == 3
    # and under a filter the same holds
    filtered = backend.search(EngineQuery(terms=["电池", "健康"], limit=10, doc_types=["achievement"]))
    assert set(_keys(filtered)) == set(_keys(found)) and filtered.total == 2


def test_visibility_terms(any_engine, db):
    backend = engine()
    backend.bulk_build(CORPUS)
    q = dict(terms=["回收"], limit=10)
    assert _keys(backend.search(EngineQuery(**q))) == []
    assert _keys(backend.search(EngineQuery(**q, scope=Scope(owner_org=105)))) == ["achievement:5"]
    assert _keys(backend.search(EngineQuery(**q, scope=Scope(staff_regions=("410105",))))) == ["achievement:5"]
    assert _keys(backend.search(EngineQuery(**q, scope=Scope(staff_regions=("410102",))))) == []


def test_upsert_replaces_and_delete_removes(any_engine, db):
    backend = engine()
    backend.bulk_build(CORPUS[:2])
    backend.upsert([_entry(1, "钙钛矿太阳能电池", "钙钛矿薄膜的制备。")])
    assert _keys(backend.search(EngineQuery(terms=["健康"], limit=10))) == []
    assert _keys(backend.search(EngineQuery(terms=["钙钛矿"], limit=10))) == ["achievement:1"]
    backend.delete(["achievement:1"])
    assert backend.count() == 1 and _keys(backend.search(EngineQuery(terms=["钙钛矿"], limit=10))) == []
    assert backend.doc_freq("钙钛矿") == 0


def test_empty_query_lists_newest_first(any_engine, db):
    backend = engine()
    backend.bulk_build(CORPUS[:4])
    assert _keys(backend.search(EngineQuery(terms=[], limit=2))) == ["achievement:2", "achievement:1"]


@pytest.mark.postgres
def test_postgres_and_embedded_agree(db, settings):
    from techmarket.matching.backends.embedded import EmbeddedBackend
    from techmarket.matching.backends.postgres import PostgresBackend

    pg, em = PostgresBackend(), EmbeddedBackend(settings.TECHMARKET_SEARCH_DIR)
    for backend in (pg, em):
        backend.bulk_build(CORPUS)
    # BM25F over one weighted length (PostgreSQL) and tantivy's per-field BM25 differ in the details:
    # the best result and the result set agree.
    for text in ("锂离子电池健康状态", "小麦品种", "碳酸锂提纯", "热管理"):
        q = EngineQuery(terms=tokenize(text), limit=10, scope=Scope(everything=True))
        pg_keys, em_keys = _keys(pg.search(q)), _keys(em.search(q))
        assert pg_keys[:1] == em_keys[:1] and set(pg_keys) == set(em_keys), text


# --- the field prior ----------------------------------------------------------------------------------------

def test_field_prior_lifts_results_of_the_query_field():
    from techmarket.matching.backends.base import EngineHit

    hits = [EngineHit("a:1", 10.0, "d:1"), EngineHit("a:2", 9.0, "d:2"), EngineHit("a:3", 8.8, "d:1"),
            EngineHit("a:4", 8.7, "d:1"), EngineHit("a:5", 2.0, "d:1")]
    ranked = [h.key for h in field_prior_rerank(hits)]
    assert ranked[0] == "a:1"                       # the clear winner stays first
    assert ranked.index("a:3") < ranked.index("a:2")  # same field overtakes a near tie of another field
    assert ranked[-1] == "a:5"                      # a weak match is not lifted above the rest


class _ScoredBackend:
    """An engine stand-in with fixed scores, to show what the window does with them."""

    def __init__(self, hits):
        self.hits = hits
        self.queries = []

    def search(self, query):
        from techmarket.matching.backends.base import EngineResult

        self.queries.append(query)
        hits = [h for h in self.hits if query.category is None or h.category == query.category]
        return EngineResult(hits=hits[query.offset:query.offset + query.limit], total=len(hits))


def test_full_window_takes_in_the_leading_fields_results_below_it(monkeypatch):
    from techmarket.matching import ranking
    from techmarket.matching.backends.base import EngineHit

    monkeypatch.setattr(ranking, "RERANK_WINDOW", 4)
    backend = _ScoredBackend([EngineHit("a:1", 10.0, "d:1"), EngineHit("x:1", 9.0), EngineHit("x:2", 8.5),
                              EngineHit("x:3", 8.0), EngineHit("a:5", 3.0, "d:1"), EngineHit("a:6", 2.0, "d:2")])
    hits, total = ranking.ranked_window(backend, EngineQuery(terms=["电池"]))
    # a:5 lies below the window in text order; the second query, in the leading field d:1, brings it in and
    # the prior lifts it above the distractors without a field; a:6 (another field) stays out
    assert [h.key for h in hits] == ["a:1", "a:5", "x:1", "x:2", "x:3"]
    assert total == 6 and [q.category for q in backend.queries] == [None, "d:1"]


def test_window_not_full_but_partial_asks_within_the_leading_field():
    from techmarket.matching import ranking
    from techmarket.matching.backends.base import EngineHit, EngineResult

    class PartialBackend:
        """Without a category it finds two records and says it left out some (holding only common words);
        within d:1 it also finds a:2."""

        def __init__(self):
            self.queries = []

        def search(self, query):
            self.queries.append(query)
            if query.category is None:
                return EngineResult(hits=[EngineHit("a:1", 10.0, "d:1"), EngineHit("x:1", 9.0)], total=2,
                                    partial=True)
            return EngineResult(hits=[EngineHit("a:1", 10.0, "d:1"), EngineHit("a:2", 3.0, "d:1")], total=2)

    backend = PartialBackend()
    hits, total = ranking.ranked_window(backend, EngineQuery(terms=["电池"]))

    assert [q.category for q in backend.queries] == [None, "d:1"]
    assert [h.key for h in hits] == ["a:1", "a:2", "x:1"] and total == 2


def test_window_not_full_asks_the_engine_once(monkeypatch):
    from techmarket.matching import ranking
    from techmarket.matching.backends.base import EngineHit

    backend = _ScoredBackend([EngineHit("a:1", 10.0, "d:1"), EngineHit("x:1", 9.0)])
    hits, _total = ranking.ranked_window(backend, EngineQuery(terms=["电池"]))
    assert [h.key for h in hits] == ["a:1", "x:1"] and len(backend.queries) == 1


# --- through the product: records, permissions, updates after commit ---------------------------------------

def test_saved_record_is_indexed_after_commit(any_engine, owner, bureau, anonymous,
                                              django_capture_on_commit_callbacks):
    from django.db import connection

    # The fixtures' saves queued their keys for the test transaction's commit, which never comes.
    connection._search_index_flush = None
    with django_capture_on_commit_callbacks(execute=True):
        record = achievement_in_state("published", owner=owner, reviewer=bureau, title="磁悬浮轴承控制技术")
    assert [h.key for h in search(q="磁悬浮轴承", user=anonymous).hits] == [f"achievement:{record.pk}"]
    from techmarket.achievements import services as achievement_services

    with django_capture_on_commit_callbacks(execute=True):
        achievement_services.achievement_act(achievement=record, action="archive", by=owner)
    assert search(q="磁悬浮轴承", user=anonymous).hits == []


def test_draft_never_public_and_district_scope(any_engine, owner, bureau, anonymous, officer_in, officer_out,
                                               enterprise, reindex):
    submitted = achievement_in_state("submitted", owner=owner, reviewer=bureau, title="石墨烯导热膜制备")
    reindex()
    assert search(q="石墨烯导热膜", user=anonymous).hits == []
    assert search(q="石墨烯导热膜", user=enterprise).hits == []
    assert search(q="石墨烯导热膜", user=officer_out).hits == []
    assert [h.record for h in search(q="石墨烯导热膜", user=officer_in).hits] == [submitted]
    assert [h.record for h in search(q="石墨烯导热膜", user=owner).hits] == [submitted]


def test_stale_index_entry_is_never_served(any_engine, owner, bureau, anonymous, reindex):
    record = achievement_in_state("published", owner=owner, reviewer=bureau, title="超声波无损检测装置")
    reindex()
    type(record).objects.filter(pk=record.pk).update(status="archived")  # no signal: the index still says public
    assert search(q="超声波无损检测", user=anonymous).hits == []


def test_personal_data_never_enters_the_index(any_engine, owner, bureau, reindex):
    achievement_in_state("published", owner=owner, reviewer=bureau, title="智能灌溉控制器",
                         abstract="联系电话13812345678，身份证410105199001011234。")
    reindex()
    backend = engine()
    assert backend.doc_freq("13812345678") == 0 and backend.doc_freq("410105199001011234") == 0
    assert backend.doc_freq("灌溉") == 1


def test_index_now_drops_deleted_records(any_engine, owner, bureau, anonymous, reindex):
    record = achievement_in_state("draft", owner=owner, reviewer=bureau, title="纳米银抗菌涂层")
    reindex()
    key = f"achievement:{record.pk}"
    assert key in engine().keys()
    type(record).objects.filter(pk=record.pk).delete()
    assert index_now([key]) == (0, 1)
    assert key not in engine().keys()


def test_filters_clean_names_the_field(db):
    from techmarket.core.errors import ApplicationError

    for params, field in (({"trl_min": "10"}, "trl_min"), ({"type": "x"}, "type"), ({"region": "999999"}, "region"),
                          ({"price_min": "abc"}, "price_min"), ({"date_from": "2026-13-01"}, "date_from"),
                          ({"trl_min": "7", "trl_max": "3"}, "trl_min")):
        with pytest.raises(ApplicationError) as caught:
            search_filters_clean(params)
        assert caught.value.errors[0].field == field
    assert search_filters_clean({"field": "", "trl_min": "3"}).trl_min == 3
    assert term("hitech_domains", "10")
