"""The engines ``bench_search`` runs side by side (issue 4 part 6), all fed from one ``DocSet``.

Every jieba-based engine gets the SAME analysed tokens (segmented once, by the product's analyzer):

* ``techmarket-embedded`` / ``techmarket-postgres``: the product's backends, fed ``IndexEntry`` rows with the
  fields kept apart (its field weights apply) and searched the way ``services.ranked_hits`` searches
  (``ranking.ranked_window``: the first ``RERANK_WINDOW`` results, the leading field's, the field prior);
* ``bm25s``: ``bm25s.BM25`` over the concatenated fields' token ids;
* ``tantivy``: a plain tantivy index, one whitespace-tokenized text field of the concatenated tokens, an OR
  query of the terms;
* ``fts5-trigram``: SQLite FTS5 with the trigram tokenizer over the RAW concatenated text (no jieba). A raw
  query string would need all of its trigrams (AND); the fair query is the OR of the distinct trigrams of
  the query's segments of 3+ characters, ranked by ``bm25()``.

Peers come from the ``bench`` extra (bm25s; tantivy is also the product's embedded engine).
"""
from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

K = 100
ENGINES = ("techmarket-embedded", "techmarket-postgres", "bm25s", "tantivy", "fts5-trigram")
OPTIONAL_ENGINES = ("fts5-jieba",)  # measured on request only (the embedded engine's choice)


@dataclass
class DocSet:
    """Documents as the engines see them: ids, analysed tokens per field (space-joined strings, small in
    memory), category (field prior unit, "" for none) and a way to the raw text (fts5-trigram)."""

    ids: list[str]
    title: list[str]
    keywords: list[str]
    body: list[str]
    categories: list[str]
    raw: Callable[[int], str]                 # raw text of document i, only the indexed fields
    fields: tuple[str, ...] = ("title", "abstract", "keywords")
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def joined(self, i: int) -> str:
        """Concatenated tokens of the indexed fields (what the peers index)."""
        parts = []
        if "title" in self.fields and self.title[i]:
            parts.append(self.title[i])
        if "keywords" in self.fields and self.keywords[i]:
            parts.append(self.keywords[i])
        if "abstract" in self.fields and self.body[i]:
            parts.append(self.body[i])
        return " ".join(parts)


@dataclass
class BenchQuery:
    qid: str
    text: str
    terms: list[str]          # distinct analysed terms (analysis.query_terms)


class Engine:
    name = ""

    def build(self, docs: DocSet, n: int) -> None:
        raise NotImplementedError

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        """Indexes into ``docs`` of the top ``k``, best first."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        return 0


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


# --- the product's engines --------------------------------------------------------------------------------

class ProductEngine(Engine):
    """A product backend instance, searched as ``services.ranked_hits`` does for page 1 (minus the total)."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.name = backend.name

    def build(self, docs: DocSet, n: int) -> None:
        from .backends.base import IndexEntry
        from .models import DocType

        fields = docs.fields

        def entries():
            for i in range(n):
                yield IndexEntry(
                    key=f"{DocType.ACHIEVEMENT}:{i}", doc_type=DocType.ACHIEVEMENT, object_id=i,
                    title=docs.title[i].split() if "title" in fields else [],
                    keywords=docs.keywords[i].split() if "keywords" in fields else [],
                    body=docs.body[i].split() if "abstract" in fields else [],
                    category=docs.categories[i], public=True)

        self.backend.bulk_build(entries())

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        from .backends.base import EngineQuery, Scope
        from .ranking import ranked_window

        if not query.terms:
            return []
        # An anonymous reader's scope (the visibility filter applies, as on the public search page); no
        # total count, which only the page's pagination needs.
        hits, _total = ranked_window(self.backend, EngineQuery(terms=query.terms, scope=Scope.public(),
                                                               count_total=False))
        return [h.object_id for h in hits[:k]]

    def size_bytes(self) -> int:
        return self.backend.size_bytes()


def embedded_engine(path: Path) -> ProductEngine:
    from .backends.embedded import EmbeddedBackend

    return ProductEngine(EmbeddedBackend(path))


def postgres_engine() -> ProductEngine:
    from .backends.postgres import PostgresBackend

    return ProductEngine(PostgresBackend())


# --- peers -------------------------------------------------------------------------------------------------------

class Bm25sEngine(Engine):
    name = "bm25s"

    def __init__(self) -> None:
        self.retriever = None
        self.vocab: dict[str, int] = {}
        self.n = 0

    def build(self, docs: DocSet, n: int) -> None:
        import bm25s
        from bm25s.tokenization import Tokenized

        vocab: dict[str, int] = {}
        ids = []
        for i in range(n):
            row = []
            for token in docs.joined(i).split():
                tid = vocab.get(token)
                if tid is None:
                    tid = vocab[token] = len(vocab)
                row.append(tid)
            ids.append(row)
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        self.retriever, self.vocab, self.n = retriever, retriever.vocab_dict, n

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        terms = [t for t in query.terms if t in self.vocab]
        if not terms:
            return []
        docs, scores = self.retriever.retrieve([terms], k=min(k, self.n), show_progress=False, n_threads=1)
        return [int(d) for d, s in zip(docs[0], scores[0]) if s > 0]

    def size_bytes(self) -> int:
        # bm25s keeps its index in memory: the sparse score matrix and the vocabulary
        scores = getattr(self.retriever, "scores", None) or {}
        total = sum(getattr(v, "nbytes", 0) for v in scores.values()) if isinstance(scores, dict) else 0
        return total + sum(len(t.encode()) + 8 for t in self.vocab)


class TantivyEngine(Engine):
    name = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = None
        self.searcher = None

    def build(self, docs: DocSet, n: int) -> None:
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_integer_field("n", stored=True)
        b.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
        self.schema = b.build()
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path))
        # the same writer as the product's bulk build: 512 MB heap, up to 4 threads
        writer = index.writer(512_000_000, max(1, min(4, os.cpu_count() or 1)))
        for i in range(n):
            doc = tantivy.Document()
            doc.add_integer("n", i)
            doc.add_text("text", docs.joined(i))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self.index, self.searcher = index, index.searcher()

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        import tantivy

        if not query.terms:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t, index_option="freq"))
                  for t in query.terms]
        result = self.searcher.search(tantivy.Query.boolean_query(should), limit=k)
        return [self.searcher.doc(address).get_first("n") for _score, address in result.hits]

    def size_bytes(self) -> int:
        return _dir_bytes(self.path)


_SEGMENT_SPLIT = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
                            r"!-/:-@\[-`{-~，。、；：？！“”‘’（）《》【】—…·]+")


def trigram_query(text: str) -> str:
    """OR of the distinct trigrams of the query's segments of 3+ characters ("" when there are none)."""
    grams: dict[str, None] = {}
    for segment in _SEGMENT_SPLIT.split(text or ""):
        for i in range(len(segment) - 2):
            grams.setdefault(segment[i:i + 3].lower(), None)
    return " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)


class _Fts5Engine(Engine):
    """An FTS5 table ``docs`` in a scratch SQLite file, filled in one transaction and optimized."""

    columns = ""     # the CREATE VIRTUAL TABLE arguments
    insert = ""      # INSERT statement for one row

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite3.Connection | None = None

    def rows(self, docs: DocSet, n: int):
        raise NotImplementedError

    def build(self, docs: DocSet, n: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"CREATE VIRTUAL TABLE docs USING fts5({self.columns})")
        with db:
            db.executemany(self.insert, self.rows(docs, n))
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.commit()
        self.db = db

    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0


class Fts5TrigramEngine(_Fts5Engine):
    name = "fts5-trigram"
    columns = "text, tokenize='trigram'"
    insert = "INSERT INTO docs(rowid, text) VALUES (?, ?)"

    def rows(self, docs: DocSet, n: int):
        return ((i, docs.raw(i)) for i in range(n))

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        match = trigram_query(query.text)
        if not match:
            return []
        rows = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (match, k))
        return [row[0] for row in rows]


class Fts5JiebaEngine(_Fts5Engine):
    """The other embedded candidate: SQLite FTS5 over the same jieba terms (unicode61 splits them on the
    spaces), ranked by its built-in ``bm25()`` with the product's field weights. Not a peer of the issue's
    table: ``--engines fts5-jieba`` measures it to justify choosing tantivy for the embedded engine."""

    name = "fts5-jieba"
    columns = "title, keywords, body, tokenize=\"unicode61 categories 'L* N* Co M*'\""
    insert = "INSERT INTO docs(rowid, title, keywords, body) VALUES (?, ?, ?, ?)"

    def rows(self, docs: DocSet, n: int):
        fields = docs.fields
        return ((i, docs.title[i] if "title" in fields else "", docs.keywords[i] if "keywords" in fields else "",
                 docs.body[i] if "abstract" in fields else "") for i in range(n))

    def search(self, query: BenchQuery, k: int = K) -> list[int]:
        from .backends.base import FIELD_WEIGHTS

        if not query.terms:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in query.terms)
        weights = (FIELD_WEIGHTS["title"], FIELD_WEIGHTS["keywords"], FIELD_WEIGHTS["body"])
        rows = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, ?, ?, ?) LIMIT ?",
                               (match, *weights, k))
        return [row[0] for row in rows]


def engine_for(name: str, workdir: Path) -> Engine:
    if name == "techmarket-embedded":
        return embedded_engine(workdir / "embedded")
    if name == "techmarket-postgres":
        return postgres_engine()
    if name == "bm25s":
        return Bm25sEngine()
    if name == "tantivy":
        return TantivyEngine(workdir / "tantivy")
    if name == "fts5-trigram":
        return Fts5TrigramEngine(workdir / "fts5.sqlite3")
    if name == "fts5-jieba":
        return Fts5JiebaEngine(workdir / "fts5-jieba.sqlite3")
    raise ValueError(name)


def docset_from_texts(docs: Sequence, analyze: Callable[[str], list[str]], *,
                      fields: tuple[str, ...] = ("title", "abstract", "keywords"),
                      categories: Sequence[str] | None = None) -> DocSet:
    """A DocSet from ``evaluation.CorpusDoc`` rows, analysed in this process (tests, small runs)."""
    return DocSet(
        ids=[d.id for d in docs],
        title=[" ".join(analyze(d.title)) for d in docs],
        keywords=[" ".join(t for k in d.keywords for t in analyze(k)) for d in docs],
        body=[" ".join(analyze(d.abstract)) for d in docs],
        categories=list(categories) if categories is not None else ["" for _d in docs],
        raw=lambda i: raw_text(docs[i], fields), fields=fields)


def raw_text(doc, fields: Sequence[str]) -> str:
    parts = []
    if "title" in fields and doc.title:
        parts.append(doc.title)
    if "keywords" in fields and doc.keywords:
        parts.append(" ".join(doc.keywords))
    if "abstract" in fields and doc.abstract:
        parts.append(doc.abstract)
    return " ".join(parts)
