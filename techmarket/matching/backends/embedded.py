"""The embedded engine: a tantivy index in ``TECHMARKET_SEARCH_DIR`` (the default install).

tantivy measured better than SQLite FTS5 for this workload (docs/benchmarks.md, "Search engines"): its
top-k collection skips documents that cannot enter the top k, where FTS5's ``bm25()`` scores every
matching row, so long OR queries over common terms stay fast at a million documents.

Terms come analysed (``matching.analysis``) and are indexed with the whitespace tokenizer, so tantivy
never segments Chinese itself. Only one process may write (tantivy holds a lock file): the task worker and
the management commands. Readers reload on the writer's commit.

Very common words only score, they do not find (like Lucene's common-terms query): a query word held by more
than ``COMMON_TERM_DOCS`` records and by more than ``COMMON_TERM_SHARE`` of them (结果, 系统, 技术 … in a
million abstracts) is scored in the documents the query's other words find, and a document holding only such
words is not a result. Walking their posting lists was most of a query's cost at a million documents, and
their low idf kept those documents out of the top anyway: the scores of the documents found are the full
query's (docs/search.md gives what it changed). A query of common words only finds with all of them, and so
does a query within one category (the field prior's second query, see ``ranking``): there the common words of
the field are what brings its documents in, and the category keeps their postings short.
"""
from __future__ import annotations

import datetime
import os
import zlib
import shutil
import threading
import time
from contextlib import contextmanager
from collections.abc import Iterable
from pathlib import Path

import tantivy

from .base import FIELD_WEIGHTS, EngineHit, EngineQuery, EngineResult, IndexEntry, SearchBackend

SCHEMA_VERSION = "4"
_TEXT_FIELDS = ("title", "keywords", "body")
_NO_DATE = 0
# Hits are read from fast fields (columns), not from stored documents: the record type as its index here,
# the object id, and the category as a CRC-32 (only equality matters to the field prior).
_DOC_TYPES = ("achievement", "demand", "expert", "organization")
_DOC_TYPE_INDEX = {name: i for i, name in enumerate(_DOC_TYPES)}
_KEY_PREFIXES = tuple(f"{name}:" for name in _DOC_TYPES)
COMMON_TERM_DOCS = 10_000   # below this many records a word's postings are cheap to walk whatever its share
COMMON_TERM_SHARE = 0.01    # idf below ln(100): 1 % of a million abstracts hold 试验, 处理 or 特征


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("key", stored=True, tokenizer_name="raw")
    b.add_text_field("type", tokenizer_name="raw", index_option="basic")
    for name in _TEXT_FIELDS:
        b.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    b.add_integer_field("dtype", fast=True)
    b.add_integer_field("oid", fast=True)
    b.add_integer_field("cat", indexed=True, fast=True)  # indexed for the field prior's query in one field
    b.add_text_field("visible", tokenizer_name="raw", index_option="basic")  # "public", "org:7", "r:410105"
    b.add_text_field("region", tokenizer_name="raw", index_option="basic")
    b.add_text_field("field", tokenizer_name="raw", index_option="basic")
    b.add_integer_field("trl", indexed=True, fast=True)
    b.add_integer_field("pmin", indexed=True, fast=True)
    b.add_integer_field("pmax", indexed=True, fast=True)
    b.add_integer_field("date", indexed=True, fast=True)  # yyyymmdd, 0 when unknown
    return b.build()


def _date_int(day: datetime.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else _NO_DATE


def _category_code(category: str) -> int:
    return zlib.crc32(category.encode()) if category else 0


def _visibility_terms(entry: IndexEntry) -> list[str]:
    terms = [f"r:{code}" for code in entry.regions]
    # "private" lets the public scope exclude the few non-public records (a cheap MUST NOT over a short
    # posting list) instead of intersecting every query with the long list of public ones.
    terms.append("public" if entry.public else "private")
    if entry.owner_org:
        terms.append(f"org:{entry.owner_org}")
    return terms


def _document(entry: IndexEntry) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("key", entry.key)
    doc.add_text("type", entry.doc_type)
    if entry.title:
        doc.add_text("title", " ".join(entry.title))
    if entry.keywords:
        doc.add_text("keywords", " ".join(entry.keywords))
    if entry.body:
        doc.add_text("body", " ".join(entry.body))
    doc.add_integer("dtype", _DOC_TYPE_INDEX[entry.doc_type])
    doc.add_integer("oid", int(entry.object_id))
    doc.add_integer("cat", _category_code(entry.category))
    for term in _visibility_terms(entry):
        doc.add_text("visible", term)
    for code in entry.regions:
        doc.add_text("region", code)
    for code in entry.tech_fields:
        doc.add_text("field", code)
    if entry.trl is not None:
        doc.add_integer("trl", int(entry.trl))
    if entry.price_min_fen is not None or entry.price_max_fen is not None:
        low = entry.price_min_fen if entry.price_min_fen is not None else entry.price_max_fen
        high = entry.price_max_fen if entry.price_max_fen is not None else entry.price_min_fen
        doc.add_integer("pmin", int(low))
        doc.add_integer("pmax", int(high))
    doc.add_integer("date", _date_int(entry.date))
    return doc


class EmbeddedBackend(SearchBackend):
    name = "techmarket-embedded"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._index: tantivy.Index | None = None
        self._schema = _schema()
        self._lock = threading.Lock()

    # -- opening --
    def _open(self) -> tantivy.Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    version = self.path / "SCHEMA_VERSION"
                    if version.exists() and version.read_text().strip() != SCHEMA_VERSION:
                        self._wipe()
                    index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
                    index.config_reader(reload_policy="OnCommit")
                    version.write_text(SCHEMA_VERSION)
                    self._index = index
        return self._index

    def _wipe(self) -> None:
        for child in self.path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()

    def _writer(self, *, heap: int = 64_000_000, threads: int = 1):
        index = self._open()
        deadline = time.monotonic() + 30
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError:  # another process holds the writer lock: wait for it
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _searcher(self) -> tantivy.Searcher:
        # Other processes' commits arrive through the reader's OnCommit policy (it watches meta.json);
        # this process's own commits reload at once (``_committed``).
        return self._open().searcher()

    def _committed(self) -> None:
        self._open().reload()

    # -- writing --
    @contextmanager
    def _writing(self, **writer_options):
        """A writer that commits when the block ends, rolls back if it fails, and leaves this process's
        readers on the new commit."""
        writer = self._writer(**writer_options)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
            self._committed()

    def upsert(self, entries: Iterable[IndexEntry]) -> int:
        entries = list(entries)
        if not entries:
            return 0
        with self._writing() as writer:
            for entry in entries:
                writer.delete_documents_by_term("key", entry.key)
                writer.add_document(_document(entry))
        return len(entries)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with self._writing() as writer:
            for key in keys:
                writer.delete_documents_by_term("key", key)
        return len(keys)

    def clear(self) -> None:
        with self._writing() as writer:
            writer.delete_all_documents()

    def bulk_build(self, entries: Iterable[IndexEntry]) -> int:
        """Empty the index and add every entry with one multi-threaded writer and one commit."""
        n = 0
        with self._writing(heap=512_000_000, threads=max(1, min(4, os.cpu_count() or 1))) as writer:
            writer.delete_all_documents()
            for entry in entries:
                writer.add_document(_document(entry))
                n += 1
        return n

    # -- reading --
    def _filters(self, q: EngineQuery) -> list[tantivy.Query]:
        s = self._schema
        I = tantivy.FieldType.Integer
        must: list[tantivy.Query] = []
        if not q.scope.everything and (q.scope.staff_regions or q.scope.owner_org):
            visible = ["public"] + [f"r:{code}" for code in q.scope.staff_regions]
            if q.scope.owner_org:
                visible.append(f"org:{q.scope.owner_org}")
            must.append(tantivy.Query.term_set_query(s, "visible", visible))
        if q.doc_types:
            must.append(tantivy.Query.term_set_query(s, "type", list(q.doc_types)))
        if q.region:
            must.append(tantivy.Query.term_query(s, "region", q.region))
        if q.tech_field:
            must.append(tantivy.Query.term_query(s, "field", q.tech_field))
        if q.category:
            must.append(tantivy.Query.term_query(s, "cat", int(q.category)))
        if q.trl_min is not None or q.trl_max is not None:
            must.append(tantivy.Query.range_query(s, "trl", I, q.trl_min, q.trl_max))
        if q.price_min_fen is not None:  # the record's range reaches the lower bound
            must.append(tantivy.Query.range_query(s, "pmax", I, int(q.price_min_fen), None))
        if q.price_max_fen is not None:
            must.append(tantivy.Query.range_query(s, "pmin", I, None, int(q.price_max_fen)))
        if q.date_from is not None or q.date_to is not None:
            low = _date_int(q.date_from) if q.date_from else 1
            high = _date_int(q.date_to) if q.date_to else None
            must.append(tantivy.Query.range_query(s, "date", I, low, high))
        return must

    def _text_clauses(self, terms, searcher: tantivy.Searcher, *, split: bool) -> tuple[list, list]:
        """One SHOULD clause per query term and text field the term occurs in, with the field's weight: those of
        the words that find documents, and those of the very common words that only score them (empty when
        no word is common, when every word is, or without ``split``)."""
        s = self._schema
        common_over = max(COMMON_TERM_DOCS, COMMON_TERM_SHARE * searcher.num_docs) if split else float("inf")
        finding, common = [], []
        for term in terms:
            clauses, most = [], 0
            for name in _TEXT_FIELDS:
                df = searcher.doc_freq(name, term)
                if not df:  # skip absent terms: fewer scorers to merge
                    continue
                most = max(most, df)
                query = tantivy.Query.term_query(s, name, term, index_option="freq")
                weight = FIELD_WEIGHTS[name]
                clauses.append((tantivy.Occur.Should,
                                query if weight == 1.0 else tantivy.Query.boost_query(query, weight)))
            (common if most > common_over else finding).extend(clauses)
        if not finding:
            return common, []
        return finding, common

    def search(self, query: EngineQuery) -> EngineResult:
        searcher = self._searcher()
        clauses = [(tantivy.Occur.Must, f) for f in self._filters(query)]
        if not query.scope.everything and not (query.scope.staff_regions or query.scope.owner_org):
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "visible", "private")))
        for key in query.exclude_keys:
            clauses.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "key", key)))
        # tantivy panics on a limit of 0 (a question for the count alone): ask for one hit and drop it
        limit = max(1, query.limit)
        common: list = []  # clauses of very common words, which only score
        if query.terms:
            text, common = self._text_clauses(query.terms, searcher, split=not query.category)
            if not text:
                return EngineResult(hits=[], total=0)
            if common:
                # the other words must find a document; a common word's SHOULD beside that MUST is optional and
                # only adds its score where it occurs (tantivy seeks its postings instead of walking them)
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(text)))
                clauses.extend(common)
            elif any(occur == tantivy.Occur.Must for occur, _q in clauses):
                clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(text)))
            else:
                # Only exclusions beside the words (a public reader's search): the words' clauses go into the
                # same boolean, which tantivy runs as one union; nested under a MUST they cost half as much again
                # (1M documents: 4.3 -> 2.9 ms a query, same hits, scores and count).
                clauses.extend(text)
            result = searcher.search(tantivy.Query.boolean_query(clauses), limit=limit, offset=query.offset,
                                     count=query.count_total)
        else:  # no words: the newest records that pass the filters
            if not any(occur == tantivy.Occur.Must for occur, _q in clauses):  # MUST NOT alone matches nothing
                clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
            result = searcher.search(tantivy.Query.boolean_query(clauses), limit=limit, offset=query.offset,
                                     count=True, order_by_field="date")
        found = result.hits if query.limit > 0 else []
        addresses = [address for _score, address in found]
        dtypes = searcher.fast_field_values("dtype", addresses)
        oids = searcher.fast_field_values("oid", addresses)
        cats = searcher.fast_field_values("cat", addresses)
        # a page reads some 400 hits of the rerank window: positional arguments and ready prefixes halve this
        scores = [float(score) for score, _a in found] if query.terms else [0.0] * len(addresses)
        prefixes = _KEY_PREFIXES
        hits = [EngineHit(prefixes[t] + str(o), score, str(c) if c else "")
                for score, t, o, c in zip(scores, dtypes, oids, cats)]
        total = int(result.count) if result.count is not None else query.offset + len(hits)
        return EngineResult(hits=hits, total=total, partial=bool(common))

    def doc_freq(self, term: str) -> int:
        searcher = self._searcher()
        return max(searcher.doc_freq(name, term) for name in _TEXT_FIELDS)

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def size_bytes(self) -> int:
        if not self.path.exists():
            return 0
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def keys(self) -> set[str]:
        searcher = self._searcher()
        n = searcher.num_docs
        if not n:
            return set()
        result = searcher.search(tantivy.Query.all_query(), limit=n, count=False)
        return {searcher.doc(address).get_first("key") for _score, address in result.hits}
