"""Search quality and speed measurement (issue 4 parts 5–7, SPEC X4): shared by ``search_eval``,
``bench_search`` and ``bench_web``.

* reading a corpus (``{"id", "title"?, "abstract"?, "keywords"?, "discipline"?}`` lines) and a query set
  (``{"qid", "text", "relevant"?, "discipline"?}``);
* the metrics: MRR@10, Recall@k, nDCG@10 (binary relevance), discipline precision@10, latency percentiles;
* loading a corpus as published achievements of a minimal world (scratch databases only) and indexing it
  through the product's own path (``services.search_reindex``), with only the requested fields;
* answering queries the way the search page ranks them (``services.ranked_hits``);
* the synthetic distractors that pad a corpus to a benchmark size.
"""
from __future__ import annotations

import datetime
import json
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("title", "abstract", "keywords")
PAD_SEED = 20261123
PAD_PREFIX = "pad-"
# Sentence ends of Chinese abstracts (the separator is kept with its sentence).
# The CSL abstracts often end sentences with "." (not "。"); a "." before a CJK character ends one too
# (a decimal point never does).
MAX_DISTRACTOR_SENTENCES = 12
_SENTENCE_END = re.compile(r"(?<=[。！？；;!?])|(?<=\.)(?=[\u4e00-\u9fff])")


# --- reading ----------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class CorpusDoc:
    id: str
    title: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    discipline: str = ""


@dataclass(slots=True)
class Query:
    qid: str
    text: str
    relevant: list[str] = field(default_factory=list)
    discipline: str = ""


def _jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path} 第{number}行：不是有效的 JSON（{exc.msg}）") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{path} 第{number}行：应为 JSON 对象")
            yield number, row


def corpus_read(path: str | Path) -> list[CorpusDoc]:
    docs, seen = [], set()
    for number, row in _jsonl(path):
        doc_id = row.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise ValueError(f"{path} 第{number}行：缺少字符串字段 id")
        if doc_id in seen:
            raise ValueError(f"{path} 第{number}行：id 重复：{doc_id}")
        seen.add(doc_id)
        keywords = row.get("keywords") or []
        if isinstance(keywords, str):
            keywords = keywords.split()
        docs.append(CorpusDoc(id=doc_id, title=row.get("title") or "", abstract=row.get("abstract") or "",
                              keywords=[str(k) for k in keywords if str(k).strip()],
                              discipline=row.get("discipline") or ""))
    return docs


def queries_read(path: str | Path) -> list[Query]:
    queries = []
    for number, row in _jsonl(path):
        qid, text = row.get("qid"), row.get("text")
        if not isinstance(qid, str) or not isinstance(text, str):
            raise ValueError(f"{path} 第{number}行：缺少字符串字段 qid 或 text")
        queries.append(Query(qid=qid, text=text, relevant=[str(r) for r in row.get("relevant") or []],
                             discipline=row.get("discipline") or ""))
    return queries


def fields_clean(value: str | Iterable[str]) -> tuple[str, ...]:
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = [n for n in names if n not in FIELDS]
    if unknown or not names:
        raise ValueError("--fields 只能取 {f} 中的一个或多个，逗号分隔".format(f=",".join(FIELDS)))
    return tuple(dict.fromkeys(names))


# --- metrics ------------------------------------------------------------------------------------------------------

def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    relevant = set(relevant)
    for rank, doc_id in enumerate(ranked[:k], 1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    relevant = set(relevant)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def ndcg_at(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """Binary relevance: gain 1 for a relevant id at rank i, discounted by log2(i + 1)."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc_id in enumerate(ranked[:k], 1) if doc_id in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def discipline_precision(ranked: Sequence[str], discipline: str, disciplines: dict[str, str], k: int = 10) -> float:
    """Share of the top k whose discipline is the query's; missing results and documents without a
    discipline count as misses (the denominator is always k)."""
    return sum(1 for doc_id in ranked[:k] if discipline and disciplines.get(doc_id) == discipline) / k


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Scores:
    mrr10: float
    recall10: float
    recall100: float
    ndcg10: float
    discipline_p10: float | None
    judged: int      # queries with relevant ids
    with_discipline: int


def scores(runs: dict[str, list[str]], queries: Sequence[Query], disciplines: dict[str, str]) -> Scores:
    """Mean figures over the queries (quality over those with ``relevant``, discipline precision over those
    with a ``discipline``); a query missing from ``runs`` answered nothing."""
    judged = [q for q in queries if q.relevant]
    typed = [q for q in queries if q.discipline]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Scores(
        mrr10=mean([reciprocal_rank(runs.get(q.qid, []), q.relevant, 10) for q in judged]),
        recall10=mean([recall_at(runs.get(q.qid, []), q.relevant, 10) for q in judged]),
        recall100=mean([recall_at(runs.get(q.qid, []), q.relevant, 100) for q in judged]),
        ndcg10=mean([ndcg_at(runs.get(q.qid, []), q.relevant, 10) for q in judged]),
        discipline_p10=(mean([discipline_precision(runs.get(q.qid, []), q.discipline, disciplines, 10)
                              for q in typed]) if typed else None),
        judged=len(judged), with_discipline=len(typed))


# --- synthetic distractors ------------------------------------------------------------------------------------------

def sentences_of(docs: Sequence[CorpusDoc]) -> list[list[str]]:
    """Per abstract (those with at least one sentence of 8+ characters), its sentences."""
    out = []
    for doc in docs:
        parts = [s.strip() for s in _SENTENCE_END.split(doc.abstract or "") if len(s.strip()) >= 8]
        if parts:
            out.append(parts)
    return out


def distractor_plans(sentences: Sequence[Sequence[str]], n: int, *, seed: int = PAD_SEED) -> list[tuple]:
    """``n`` distinct distractors, each a tuple of (abstract index, sentence index) pairs: sentences from
    different abstracts (at least two) until the text is as long as a corpus abstract drawn at random, so
    the padding looks like the corpus in length and vocabulary. Plans rather than texts, so a million of
    them stay small; ``distractor_text`` joins one. Deterministic for a seed; a prefix of a longer list is
    the shorter one."""
    if n <= 0:
        return []
    if len(sentences) < 6:
        raise ValueError("生成干扰文档至少需要 6 篇含句子的摘要")
    rng = random.Random(seed)
    lengths = [sum(len(x) for x in parts) for parts in sentences]
    plans, seen = [], set()
    n_abstracts = len(sentences)
    while len(plans) < n:
        target = lengths[rng.randrange(n_abstracts)]
        picks, used, size = [], set(), 0
        while (size < target or len(picks) < 2) and len(picks) < MAX_DISTRACTOR_SENTENCES:
            a = rng.randrange(n_abstracts)
            if a in used:
                continue
            used.add(a)
            s = rng.randrange(len(sentences[a]))
            picks.append((a, s))
            size += len(sentences[a][s])
        plan = tuple(picks)
        if plan in seen:
            continue
        seen.add(plan)
        plans.append(plan)
    return plans


def distractor_text(sentences: Sequence[Sequence[str]], plan: tuple) -> str:
    return "".join(sentences[a][s] for a, s in plan)


def distractor_id(i: int) -> str:
    return f"{PAD_PREFIX}{i + 1:07d}"


def distractors(docs: Sequence[CorpusDoc], n: int, *, seed: int = PAD_SEED) -> Iterator[CorpusDoc]:
    """The padding documents themselves (no title, keywords or discipline); ids never clash with the corpus."""
    corpus_ids = {d.id for d in docs}
    sentences = sentences_of(docs)
    i = 0
    for plan in distractor_plans(sentences, n, seed=seed):
        doc_id = distractor_id(i)
        while doc_id in corpus_ids:  # a corpus that already uses pad-… ids: skip those numbers
            i += 1
            doc_id = distractor_id(i)
        i += 1
        yield CorpusDoc(id=doc_id, abstract=distractor_text(sentences, plan))


# --- the scratch world and the product's ingest path ------------------------------------------------------------

def csl_to_discipline_terms() -> dict[str, object]:
    """CSL label (level-2 name of the ``csl_discipline`` scheme) → the GB/T 13745 discipline Term it maps to
    (the first one, when it maps to several)."""
    from techmarket.taxonomies.models import Term

    out: dict[str, object] = {}
    for term in (Term.objects.filter(scheme__code="csl_discipline", level=2)
                 .prefetch_related("mapped_to").order_by("sort_order")):
        targets = sorted((t for t in term.mapped_to.all() if t.scheme_id and t.code), key=lambda t: t.code)
        if targets and term.name not in out:
            out[term.name] = targets[0]
    return out


def evaluation_world():
    """A region, a technology field and one owner organization for the loaded achievements."""
    from techmarket.demo.generator import credit_code
    from techmarket.directory.models import Organization
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term

    region = Region.objects.filter(code="410105").first() or Region.objects.order_by("code").first()
    if region is None:
        raise RuntimeError("区域数据未加载（迁移未执行？）")
    tech_field = Term.objects.filter(scheme__code="hitech_domains").order_by("sort_order", "code").first()
    if tech_field is None:
        raise RuntimeError("技术领域分类未加载（迁移未执行？）")
    org = Organization.objects.filter(name="检索评测单位").first()
    if org is None:
        org = Organization.objects.create(name="检索评测单位", kind="institute", region=region,
                                          credit_code=credit_code(random.Random(1), region.code, prefix="12"))
    return region, tech_field, org


def achievements_insert(docs: Sequence[CorpusDoc], *, batch: int = 2000,
                        progress: Callable | None = None) -> dict[int, str]:
    """Bulk-insert ``docs`` as published achievements; returns achievement pk → corpus id.

    Straight rows, not the publication workflow: the evaluation measures search, and the rows are what the
    workflow leaves (published, published_at set, expiring far in the future)."""
    from django.db import transaction
    from django.utils import timezone

    from techmarket.achievements.models import Achievement

    region, tech_field, org = evaluation_world()
    disciplines = csl_to_discipline_terms()
    now = timezone.now()
    expires = now + datetime.timedelta(days=3650)
    mapping: dict[int, str] = {}
    chunks = range(0, len(docs), batch)
    if progress is not None:
        chunks = progress(chunks)
    for start in chunks:
        rows = []
        for doc in docs[start:start + batch]:
            rows.append(Achievement(
                title=doc.title[:200], abstract=doc.abstract,  # no title stays no title: nothing extra indexed
                keywords=list(doc.keywords), keywords_text=" ".join(doc.keywords)[:600],
                tech_field=tech_field, region=region, owner_organization=org,
                discipline=disciplines.get(doc.discipline), trl=5, status="published", published_at=now,
                expires_at=expires, last_confirmed_at=now, transfer_modes=["transfer"]))
        with transaction.atomic():
            created = Achievement.objects.bulk_create(rows)
        for obj, doc in zip(created, docs[start:start + batch]):
            mapping[obj.pk] = doc.id
    return mapping


def field_filter(fields: Sequence[str]) -> Callable:
    """An entry filter for ``search_reindex(progress=…)``: the achievement's text fields not in ``fields``
    are left out of the index (the record keeps them). Achievement title → title, keywords → keywords,
    abstract → body."""
    keep_title, keep_keywords, keep_body = "title" in fields, "keywords" in fields, "abstract" in fields

    def apply(entries):
        for entry in entries:
            if not keep_title:
                entry.title = []
            if not keep_keywords:
                entry.keywords = []
            if not keep_body:
                entry.body = []
            yield entry

    return apply


def product_index(fields: Sequence[str], *, progress: Callable | None = None) -> int:
    """The product's rebuild (dictionary from the keywords, analysis, engine bulk build) over achievements,
    indexing only ``fields``."""
    from .models import DocType
    from .services import search_reindex

    only = field_filter(fields)

    def wrap(entries, total):
        entries = only(entries)
        return progress(entries, total) if progress is not None else entries

    return search_reindex(doc_types=[DocType.ACHIEVEMENT], progress=wrap)


def product_answer(text: str, k: int) -> list[int]:
    """Achievement ids the search page would list for ``text`` to a visitor, best first, at most ``k``:
    the first 100 with the field prior applied (``ranked_hits`` as for page 1), deeper ones in the engine's
    order (as the search page's deeper pages)."""
    from django.contrib.auth.models import AnonymousUser

    from .analysis import query_terms
    from .models import DocType
    from .ranking import RERANK_WINDOW
    from .services import MAX_QUERY_CHARS, SearchFilters, ranked_hits, scope_for

    terms = query_terms((text or "").strip()[:MAX_QUERY_CHARS])
    if not terms:
        return []
    scope, filters = scope_for(AnonymousUser()), SearchFilters()
    ids: list[int] = []
    page_size = min(k, RERANK_WINDOW)
    page = 1
    while len(ids) < k:
        hits, total = ranked_hits(terms, filters, scope, page=page, page_size=page_size,
                                  doc_types=[DocType.ACHIEVEMENT])
        ids.extend(h.object_id for h in hits)
        if len(hits) < page_size or page * page_size >= total:
            break
        page += 1
    return ids[:k]


@dataclass
class EvalResult:
    docs: int
    build_seconds: float
    insert_seconds: float
    runs: dict[str, list[str]]
    latencies_ms: list[float]
    scores: Scores

    def figures(self) -> dict:
        """The issue's keys, in its order."""
        s = self.scores
        return {
            "docs": self.docs,
            "build_docs_per_s": round(self.docs / self.build_seconds, 1) if self.build_seconds else None,
            "mrr10": round(s.mrr10, 4), "recall10": round(s.recall10, 4), "recall100": round(s.recall100, 4),
            "ndcg10": round(s.ndcg10, 4),
            "discipline_p10": round(s.discipline_p10, 4) if s.discipline_p10 is not None else None,
            "p50_ms": round(percentile(self.latencies_ms, 50), 2),
            "p95_ms": round(percentile(self.latencies_ms, 95), 2),
            "p99_ms": round(percentile(self.latencies_ms, 99), 2),
        }


def evaluate(docs: Sequence[CorpusDoc], queries: Sequence[Query], *, fields: Sequence[str], k: int = 100,
             say: Callable[[str], None] = lambda s: None, progress: Callable | None = None) -> EvalResult:
    """Load ``docs`` into the current (scratch) database, index them through the product, answer ``queries``."""
    started = time.perf_counter()
    pk_to_id = achievements_insert(docs)
    insert_s = time.perf_counter() - started
    say(f"写入 {len(docs):,} 项已发布成果：{insert_s:.1f} 秒")
    started = time.perf_counter()
    indexed = product_index(fields, progress=progress)
    build_s = time.perf_counter() - started
    say(f"建索引（词典 + 分词 + 引擎写入，services.search_reindex）{indexed:,} 项：{build_s:.1f} 秒")
    runs: dict[str, list[str]] = {}
    latencies: list[float] = []
    product_answer(queries[0].text if queries else "", 1)  # warm-up: opens the index reader
    for query in queries:
        started = time.perf_counter()
        pks = product_answer(query.text, k)
        latencies.append((time.perf_counter() - started) * 1000)
        runs[query.qid] = [pk_to_id[pk] for pk in pks if pk in pk_to_id]
    disciplines = {d.id: d.discipline for d in docs if d.discipline}
    return EvalResult(docs=len(docs), build_seconds=build_s, insert_seconds=insert_s, runs=runs,
                      latencies_ms=latencies, scores=scores(runs, queries, disciplines))
