"""search_eval (issue 4 part 5): metrics, distractors, and the command on a tiny corpus with known answers."""
from __future__ import annotations

import json
import math

import pytest
from django.core.management import call_command

from techmarket.matching import evaluation
from techmarket.matching.evaluation import (
    CorpusDoc, Query, discipline_precision, distractors, ndcg_at, percentile, recall_at, reciprocal_rank, scores,
)

# Eight documents on clearly separate topics; three queries with known answers.
TINY_CORPUS = [
    {"id": "d1", "title": "锂离子电池快速充电方法", "abstract": "提出一种锂离子电池的快速充电策略，缩短充电时间。",
     "keywords": ["锂离子电池", "快速充电"], "discipline": "电气工程"},
    {"id": "d2", "title": "锂离子电池热失控预警", "abstract": "研究锂离子电池热失控的早期预警指标。",
     "keywords": ["锂离子电池", "热失控"], "discipline": "电气工程"},
    {"id": "d3", "title": "水稻抗旱品种选育", "abstract": "通过杂交选育耐旱水稻新品种，提高产量。",
     "keywords": ["水稻", "抗旱"], "discipline": "作物学"},
    {"id": "d4", "title": "小麦赤霉病防治技术", "abstract": "综合防治小麦赤霉病，降低毒素含量。",
     "keywords": ["小麦", "赤霉病"], "discipline": "植物保护"},
    {"id": "d5", "title": "桥梁健康监测系统", "abstract": "利用光纤传感器对大跨度桥梁进行长期健康监测。",
     "keywords": ["桥梁", "健康监测"], "discipline": "土木工程"},
    {"id": "d6", "title": "城市污水脱氮除磷工艺", "abstract": "改良活性污泥法实现城市污水的同步脱氮除磷。",
     "keywords": ["污水处理", "脱氮除磷"], "discipline": "环境科学与工程"},
    {"id": "d7", "abstract": "一种用于桥梁裂缝识别的图像处理方法，检测精度高。"},
    {"id": "d8", "title": "中药材黄芪的质量评价", "abstract": "建立黄芪指纹图谱，评价不同产地黄芪的质量。",
     "keywords": ["黄芪", "指纹图谱"], "discipline": "中医学/中药学"},
]
TINY_QUERIES = [
    # only d6 speaks of 脱氮除磷: rank 1
    {"qid": "q1", "text": "脱氮除磷", "relevant": ["d6"], "discipline": "环境科学与工程"},
    # only d8 speaks of 黄芪: rank 1, nothing else matches
    {"qid": "q2", "text": "黄芪 指纹图谱", "relevant": ["d8"], "discipline": "中医学/中药学"},
    # matches nothing in the corpus: an empty answer
    {"qid": "q3", "text": "量子计算机", "relevant": ["d3"], "discipline": "作物学"},
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


class TestMetrics:
    def test_reciprocal_rank_of_first_relevant_in_top_10(self):
        assert reciprocal_rank(["a", "b", "c"], ["c"]) == pytest.approx(1 / 3)
        assert reciprocal_rank(["x"] * 10 + ["c"], ["c"]) == 0.0

    def test_recall_counts_relevant_ids_found_within_k(self):
        assert recall_at(["a", "b", "c"], ["a", "c", "z", "y"], 2) == 0.25
        assert recall_at(["a"], [], 10) == 0.0

    def test_ndcg_binary(self):
        # relevant at rank 2 of a single relevant id: 1/log2(3)
        assert ndcg_at(["x", "a"], ["a"]) == pytest.approx(1 / math.log2(3))
        # two relevant ids at ranks 1 and 3 of two: (1 + 1/2) / (1 + 1/log2(3))
        assert ndcg_at(["a", "x", "b"], ["a", "b"]) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))

    def test_discipline_precision_counts_missing_and_undisciplined_as_misses(self):
        disciplines = {"a": "数学", "b": "数学", "c": "物理学"}
        assert discipline_precision(["a", "c", "b", "u"], "数学", disciplines) == 0.2

    def test_percentile_interpolates(self):
        assert percentile([1, 2, 3, 4], 50) == 2.5
        assert percentile([5.0], 95) == 5.0
        assert percentile([], 99) == 0.0

    def test_scores_average_over_judged_queries(self):
        queries = [Query("q1", "甲", ["a"], "数学"), Query("q2", "乙", ["b"], ""), Query("q3", "丙")]
        result = scores({"q1": ["a"], "q2": ["x", "b"]}, queries, {"a": "数学"})
        assert result.mrr10 == pytest.approx(0.75)
        assert result.judged == 2
        assert result.discipline_p10 == pytest.approx(0.1)
        assert result.with_discipline == 1


class TestDistractors:
    DOCS = [CorpusDoc(id=f"c{i}", abstract="".join(f"第{i}篇摘要的第{j}个句子内容较长。" for j in range(4)))
            for i in range(10)] + [CorpusDoc(id="pad-0000002", abstract="一个已占用干扰编号的语料文档句子。")]

    def test_same_seed_same_documents(self):
        first = [(d.id, d.abstract) for d in distractors(self.DOCS, 50)]
        again = [(d.id, d.abstract) for d in distractors(self.DOCS, 50)]
        assert first == again
        assert len({text for _id, text in first}) == 50

    def test_a_shorter_padding_is_a_prefix_of_a_longer_one(self):
        short = [(d.id, d.abstract) for d in distractors(self.DOCS, 20)]
        long = [(d.id, d.abstract) for d in distractors(self.DOCS, 40)]
        assert long[:20] == short

    def test_ids_never_reuse_corpus_ids(self):
        ids = [d.id for d in distractors(self.DOCS, 30)]
        assert "pad-0000002" not in ids
        assert len(set(ids)) == 30 and all(i.startswith("pad-") for i in ids)

    def test_each_joins_sentences_of_different_abstracts_to_an_abstract_length(self):
        sentences = evaluation.sentences_of(self.DOCS)
        lengths = [sum(map(len, parts)) for parts in sentences]
        for plan in evaluation.distractor_plans(sentences, 100):
            assert 2 <= len(plan) <= evaluation.MAX_DISTRACTOR_SENTENCES
            assert len({a for a, _s in plan}) == len(plan)
            text = evaluation.distractor_text(sentences, plan)
            assert len(text) >= min(lengths) or len(plan) == evaluation.MAX_DISTRACTOR_SENTENCES

    def test_decimal_points_do_not_end_sentences(self):
        doc = evaluation.CorpusDoc(id="x", abstract="强度提高了1.5倍.结果表明方法有效。")
        assert evaluation.sentences_of([doc]) == [["强度提高了1.5倍.", "结果表明方法有效。"]]

    def test_distractors_have_no_title_keywords_or_discipline(self):
        doc = next(distractors(self.DOCS, 1))
        assert (doc.title, doc.keywords, doc.discipline) == ("", [], "")


class TestSearchEvalCommand:
    @pytest.fixture
    def run(self, db, tmp_path, monkeypatch, capsys):
        from techmarket.matching.management.commands import search_eval

        # The test database stands in for the scratch one (already migrated).
        monkeypatch.setattr(search_eval, "refuse_unless_scratch", lambda workdir: "sqlite")
        monkeypatch.setattr(search_eval, "prepare_database", lambda: None)
        corpus = _write(tmp_path / "corpus.jsonl", TINY_CORPUS)
        queries = _write(tmp_path / "queries.jsonl", TINY_QUERIES)

        def run(*extra):
            call_command("search_eval", "--corpus", str(corpus), "--queries", str(queries), "--json",
                         "--inner", str(tmp_path), *extra)
            return capsys.readouterr().out.strip().splitlines()

        return run

    def test_figures_on_a_tiny_corpus_with_known_answers(self, run, tmp_path):
        # when
        lines = run("--out", str(tmp_path / "run.jsonl"))
        figures = json.loads(lines[-1])
        # then: q1 and q2 find their paper first, q3 finds nothing
        assert list(figures) == ["docs", "build_docs_per_s", "mrr10", "recall10", "recall100", "ndcg10",
                                 "discipline_p10", "p50_ms", "p95_ms", "p99_ms"]
        assert figures["docs"] == 8
        assert figures["mrr10"] == round(2 / 3, 4)
        assert figures["recall10"] == round(2 / 3, 4)
        assert figures["recall100"] == round(2 / 3, 4)
        assert figures["ndcg10"] == round(2 / 3, 4)
        # q1: only d6 in the top 10 (1 of 10 in its discipline); q2: only d8; q3: nothing → (0.1 + 0.1 + 0) / 3
        assert figures["discipline_p10"] == round(0.2 / 3, 4)
        assert figures["build_docs_per_s"] > 0
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
        run_lines = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text("utf-8").splitlines()]
        assert run_lines == [{"qid": "q1", "ids": ["d6"]}, {"qid": "q2", "ids": ["d8"]}, {"qid": "q3", "ids": []}]

    def test_fields_not_requested_are_not_indexed(self, run, tmp_path):
        # 脱氮除磷 is in d6's title, abstract and keywords: with the abstract only it still matches, but 中药材,
        # only in d8's title, must not
        rows = TINY_QUERIES + [{"qid": "q4", "text": "中药材", "relevant": ["d8"]}]
        _write(tmp_path / "queries.jsonl", rows)
        run("--fields", "abstract", "--out", str(tmp_path / "run.jsonl"))
        ids = {r["qid"]: r["ids"] for r in map(json.loads, (tmp_path / "run.jsonl").read_text("utf-8").splitlines())}
        assert ids["q1"] == ["d6"]
        assert ids["q4"] == []

    def test_bad_fields_are_refused(self, run):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="--fields"):
            run("--fields", "title,body")
