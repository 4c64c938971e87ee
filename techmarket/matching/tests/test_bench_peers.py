"""bench_search's engines (issue 4 part 6): on a tiny corpus, each puts the obvious answer first."""
from __future__ import annotations

import pytest

from techmarket.matching.analysis import Analyzer
from techmarket.matching.bench_peers import BenchQuery, docset_from_texts, engine_for, trigram_query
from techmarket.matching.evaluation import CorpusDoc

DOCS = [
    CorpusDoc(id="a", title="锂离子电池快速充电方法", abstract="提出一种锂离子电池的快速充电策略。", keywords=["快速充电"]),
    CorpusDoc(id="b", title="水稻抗旱品种选育", abstract="通过杂交选育耐旱水稻新品种。", keywords=["水稻"]),
    CorpusDoc(id="c", title="桥梁健康监测系统", abstract="利用光纤传感器对大跨度桥梁进行健康监测。", keywords=["桥梁"]),
    CorpusDoc(id="d", abstract="城市污水同步脱氮除磷的改良活性污泥工艺。"),
]
QUERIES = {"充电策略": "a", "耐旱水稻品种": "b", "光纤传感器桥梁": "c", "污水脱氮除磷工艺": "d"}


@pytest.fixture(scope="module")
def analyze():
    return Analyzer().tokenize


@pytest.mark.parametrize("name", ["techmarket-embedded", "bm25s", "tantivy", "fts5-trigram"])
def test_each_engine_puts_the_obvious_answer_first(name, analyze, tmp_path):
    # given
    docs = docset_from_texts(DOCS, analyze, categories=["d:1", "d:2", "d:3", ""])
    engine = engine_for(name, tmp_path)
    # when
    engine.build(docs, len(DOCS))
    # then
    for text, expected in QUERIES.items():
        hits = engine.search(BenchQuery(qid=text, text=text, terms=list(dict.fromkeys(analyze(text)))))
        assert hits and docs.ids[hits[0]] == expected, (name, text, [docs.ids[h] for h in hits])
    assert engine.search(BenchQuery(qid="none", text="量子", terms=["量子"])) == []


def test_engines_index_only_the_requested_fields(analyze, tmp_path):
    docs = docset_from_texts(DOCS, analyze, fields=("abstract",))
    engine = engine_for("tantivy", tmp_path)
    engine.build(docs, len(DOCS))
    # 方法 is only in a's title
    assert engine.search(BenchQuery(qid="q", text="方法", terms=["方法"])) == []


def test_trigram_query_is_an_or_of_distinct_trigrams_of_long_segments():
    assert trigram_query("脱氮除磷 工艺，ab") == '"脱氮除" OR "氮除磷"'
    assert trigram_query("水稻 小麦") == ""
    assert trigram_query('ABCD"') == '"abc" OR "bcd"'
