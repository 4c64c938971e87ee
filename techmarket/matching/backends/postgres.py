"""The PostgreSQL engine: a GIN-indexed tsvector of analysed terms per record, ranked with BM25.

PostgreSQL's own ``ts_rank_cd`` ranks poorly for this task (it has no inverse document frequency), so
this engine keeps document frequencies in ``SearchTerm`` and scores candidates with BM25F in SQL:

* the tsvector is written by the application, not by ``to_tsvector``: lexemes are the analyzer's terms,
  each position carries the field as its weight (A title, B keywords, D body), so the weighted term
  frequency of a candidate is read back from the positions with ``unnest(tsvector)``;
* candidates come from the GIN index: the query's rarest terms, as many as fit a candidate budget
  (documents holding only very common terms could not reach the top anyway); when even the rarest term
  is too common, documents holding all of the rarest two or three terms, at most twice the budget;
* scores sum, over the query terms, idf × tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)).
"""
from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from .base import BM25_B, BM25_K1, FIELD_WEIGHTS, EngineHit, EngineQuery, EngineResult, IndexEntry, SearchBackend

TABLE = "matching_searchdocument"
TERMS = "matching_searchterm"
MAX_POSITION = 16383            # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_LEXEME = 256  # PostgreSQL keeps at most 256 positions per lexeme
# Candidates scored per query: scoring reads each candidate's tsvector back (unnest), so their number sets
# the latency. The rarest query terms pick them; a document holding none of them would rank low anyway.
CANDIDATE_BUDGET = 3_000
STATS_SECONDS = 30.0
COPY_BATCH = 5000
_WEIGHT_LETTER = {"title": "A", "keywords": "B", "body": ""}
_COLUMNS = ("key", "doc_type", "object_id", "length", "category", "public", "owner_org", "regions",
            "tech_fields", "region_path", "trl", "price_min_fen", "price_max_fen", "date", "tsv")


def _quote_lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(entry: IndexEntry) -> str:
    """``'终端':1A,9 '电池':2A …`` — positions in field order, the field as the weight letter."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for field_name in ("title", "keywords", "body"):
        letter = _WEIGHT_LETTER[field_name]
        for term in getattr(entry, field_name):
            pos = min(pos + 1, MAX_POSITION)
            slots = positions.setdefault(term, [])
            if len(slots) < MAX_POSITIONS_PER_LEXEME:
                slots.append(f"{pos}{letter}")
    return " ".join(f"{_quote_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def weighted_length(entry: IndexEntry) -> float:
    return (FIELD_WEIGHTS["title"] * len(entry.title) + FIELD_WEIGHTS["keywords"] * len(entry.keywords)
            + FIELD_WEIGHTS["body"] * len(entry.body))


def _row(entry: IndexEntry) -> tuple:
    return (entry.key, entry.doc_type, entry.object_id, weighted_length(entry), entry.category or "",
            bool(entry.public), entry.owner_org, json.dumps(entry.regions), json.dumps(entry.tech_fields),
            "", entry.trl,
            entry.price_min_fen if entry.price_min_fen is not None else entry.price_max_fen,
            entry.price_max_fen if entry.price_max_fen is not None else entry.price_min_fen,
            entry.date, tsvector_literal(entry))


class PostgresBackend(SearchBackend):
    name = "techmarket-postgres"

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self._stats: tuple[float, int, float] | None = None  # (read at, N, average length)

    def _cursor(self):
        from django.db import connections

        return connections[self.using].cursor()

    # -- statistics --
    def _collection_stats(self) -> tuple[int, float]:
        now = time.monotonic()
        if self._stats is None or now - self._stats[0] > STATS_SECONDS:
            with self._cursor() as cur:
                cur.execute(f"SELECT count(*), coalesce(avg(length), 0) FROM {TABLE}")
                n, avg = cur.fetchone()
            self._stats = (now, int(n), float(avg or 0.0))
        return self._stats[1], self._stats[2]

    def _forget_stats(self) -> None:
        self._stats = None

    # -- writing --
    def upsert(self, entries: Iterable[IndexEntry]) -> int:
        entries = list(entries)
        if not entries:
            return 0
        placeholders = ", ".join(["%s"] * (len(_COLUMNS) - 1)) + ", %s::tsvector"
        with transaction.atomic(using=self.using), self._cursor() as cur:
            self._delete_keys(cur, [e.key for e in entries])
            for entry in entries:
                cur.execute(f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({placeholders}) RETURNING tsv",
                            _row(entry))
                cur.execute(
                    f"INSERT INTO {TERMS} (term, df) SELECT t, 1 FROM unnest(tsvector_to_array(%s::tsvector)) t "
                    f"ON CONFLICT (term) DO UPDATE SET df = {TERMS}.df + 1", [tsvector_literal(entry)])
        self._forget_stats()
        return len(entries)

    def _delete_keys(self, cur, keys: list[str]) -> int:
        cur.execute(f"DELETE FROM {TABLE} WHERE key = ANY(%s) RETURNING tsv::text", [keys])
        old = [row[0] for row in cur.fetchall()]
        counts: Counter[str] = Counter()
        if old:
            cur.execute("SELECT t FROM unnest(%s::tsvector[]) v, unnest(tsvector_to_array(v)) t", [old])
            counts.update(row[0] for row in cur.fetchall())
        if counts:
            terms, dfs = zip(*counts.items())
            cur.execute(f"UPDATE {TERMS} s SET df = s.df - d.n FROM unnest(%s::text[], %s::int[]) d(term, n) "
                        f"WHERE s.term = d.term", [list(terms), list(dfs)])
            cur.execute(f"DELETE FROM {TERMS} WHERE term = ANY(%s) AND df <= 0", [list(terms)])
        return len(old)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with transaction.atomic(using=self.using), self._cursor() as cur:
            n = self._delete_keys(cur, keys)
        self._forget_stats()
        return n

    def clear(self) -> None:
        with transaction.atomic(using=self.using), self._cursor() as cur:
            cur.execute(f"TRUNCATE {TABLE}, {TERMS}")
        self._forget_stats()

    def bulk_build(self, entries: Iterable[IndexEntry]) -> int:
        """COPY every row in, then build the GIN index and the document frequencies once."""
        n = 0
        with transaction.atomic(using=self.using), self._cursor() as cur:
            cur.execute(f"TRUNCATE {TABLE}, {TERMS}")
            cur.execute("DROP INDEX IF EXISTS matching_searchdocument_tsv_gin")
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            # Entries may come from querysets on this same connection, so each batch is read before its COPY.
            for batch in _batches(entries, COPY_BATCH):
                with raw.copy(f"COPY {TABLE} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                    for entry in batch:
                        copy.write_row(_row(entry))
                n += len(batch)
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute(f"CREATE INDEX matching_searchdocument_tsv_gin ON {TABLE} USING gin (tsv)")
            cur.execute(f"INSERT INTO {TERMS} (term, df) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM {TABLE}')")
        with self._cursor() as cur:
            cur.execute(f"ANALYZE {TABLE}")
            cur.execute(f"ANALYZE {TERMS}")
        self._forget_stats()
        return n

    # -- reading --
    def _dfs(self, cur, terms: list[str]) -> dict[str, int]:
        cur.execute(f"SELECT term, df FROM {TERMS} WHERE term = ANY(%s)", [terms])
        return dict(cur.fetchall())

    def _filters(self, q: EngineQuery) -> tuple[list[str], list]:
        where, params = [], []
        if not q.scope.everything:
            parts = ["d.public"]
            if q.scope.staff_regions:
                parts.append("d.regions ?| %s")
                params.append(list(q.scope.staff_regions))
            if q.scope.owner_org:
                parts.append("d.owner_org = %s")
                params.append(q.scope.owner_org)
            where.append("(" + " OR ".join(parts) + ")")
        if q.doc_types:
            where.append("d.doc_type = ANY(%s)")
            params.append(list(q.doc_types))
        if q.region:
            where.append("d.regions ? %s")
            params.append(q.region)
        if q.tech_field:
            where.append("d.tech_fields ? %s")
            params.append(q.tech_field)
        if q.category:
            where.append("d.category = %s")
            params.append(q.category)
        if q.trl_min is not None:
            where.append("d.trl >= %s")
            params.append(q.trl_min)
        if q.trl_max is not None:
            where.append("d.trl <= %s")
            params.append(q.trl_max)
        if q.price_min_fen is not None:
            where.append("d.price_max_fen >= %s")
            params.append(q.price_min_fen)
        if q.price_max_fen is not None:
            where.append("d.price_min_fen <= %s")
            params.append(q.price_max_fen)
        if q.date_from is not None:
            where.append("d.date >= %s")
            params.append(q.date_from)
        if q.date_to is not None:
            where.append("d.date <= %s")
            params.append(q.date_to)
        if q.exclude_keys:
            where.append("NOT (d.key = ANY(%s))")
            params.append(list(q.exclude_keys))
        return where, params

    def _candidate_tsquery(self, dfs: dict[str, int], terms: list[str], n_docs: int) -> str:
        present = sorted((t for t in terms if dfs.get(t)), key=lambda t: dfs[t])
        budget = CANDIDATE_BUDGET
        chosen, total = [], 0
        for term in present:
            if chosen and total + dfs[term] > budget:
                break
            chosen.append(term)
            total += dfs[term]
        if total > budget and len(present) > 1:  # even the rarest term is common: ask for the rarest together
            return " & ".join(_quote_lexeme(t) for t in present[:3])
        return " | ".join(_quote_lexeme(t) for t in chosen)

    def search(self, query: EngineQuery) -> EngineResult:
        terms = list(dict.fromkeys(query.terms))
        where, params = self._filters(query)
        with self._cursor() as cur:
            if not terms:
                sql = (f"SELECT d.key, d.category, count(*) OVER () FROM {TABLE} d "
                       f"{'WHERE ' + ' AND '.join(where) if where else ''} "
                       f"ORDER BY d.date DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s")
                rows, total = self._page(cur, sql, params, query)
                return EngineResult(hits=[EngineHit(key=k, score=0.0, category=c) for k, c, _n in rows], total=total)
            n_docs, avg_len = self._collection_stats()
            dfs = self._dfs(cur, terms)
            if not dfs or not n_docs:
                return EngineResult(hits=[], total=0)
            # Within one category (the field prior's second query) the rows are few, so every query term may
            # pick candidates: the category's B-tree index and the GIN index are combined.
            tsquery = (" | ".join(_quote_lexeme(t) for t in terms if dfs.get(t)) if query.category
                       else self._candidate_tsquery(dfs, terms, n_docs))
            known = [t for t in terms if dfs.get(t)]
            idfs = [_idf(n_docs, dfs[t]) for t in known]
            weights = (f"CASE w WHEN 'A' THEN {FIELD_WEIGHTS['title']} WHEN 'B' THEN {FIELD_WEIGHTS['keywords']} "
                       f"ELSE {FIELD_WEIGHTS['body']} END")
            sql = f"""
                WITH q(term, idf) AS (SELECT * FROM unnest(%s::text[], %s::float8[])),
                cand AS (SELECT d.id, d.key, d.category, d.length, d.tsv FROM {TABLE} d
                         WHERE d.tsv @@ %s::tsquery {'AND ' + ' AND '.join(where) if where else ''}
                         LIMIT {2 * CANDIDATE_BUDGET}),
                scored AS (
                    SELECT c.id, c.key, c.category, (
                        SELECT sum(x.idf * x.tf * {BM25_K1 + 1}
                                   / (x.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * c.length / %s)))
                        FROM (SELECT q.idf, (SELECT sum({weights}) FROM unnest(u.weights) w) AS tf
                              FROM unnest(c.tsv) u JOIN q ON q.term = u.lexeme) x
                    ) AS score
                    FROM cand c)
                SELECT key, category, score, count(*) OVER () FROM scored
                ORDER BY score DESC, id LIMIT %s OFFSET %s"""
            rows, total = self._page(cur, sql, [known, idfs, tsquery, *params, max(avg_len, 1e-9)], query)
        return EngineResult(hits=[EngineHit(key=k, score=float(s or 0.0), category=c) for k, c, s, _n in rows],
                            total=total)

    @staticmethod
    def _page(cur, sql: str, params: list, query: EngineQuery) -> tuple[list, int]:
        """The rows of one page and the total, which each row carries last (``count(*) OVER ()``). A page past the
        end, or a question for the count alone, has no row to carry it: the first row is then asked for."""
        if query.limit > 0:
            cur.execute(sql, params + [query.limit, query.offset])
            rows = cur.fetchall()
            if rows:
                return rows, rows[0][-1]
        cur.execute(sql, params + [1, 0])
        first = cur.fetchone()
        return [], first[-1] if first else 0

    def doc_freq(self, term: str) -> int:
        with self._cursor() as cur:
            return self._dfs(cur, [term]).get(term, 0)

    def count(self) -> int:
        with self._cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {TABLE}")
            return int(cur.fetchone()[0])

    def size_bytes(self) -> int:
        with self._cursor() as cur:
            cur.execute(f"SELECT pg_total_relation_size('{TABLE}') + pg_total_relation_size('{TERMS}')")
            return int(cur.fetchone()[0])

    def keys(self) -> set[str]:
        with self._cursor() as cur:
            cur.execute(f"SELECT key FROM {TABLE}")
            return {row[0] for row in cur.fetchall()}


def _batches(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _idf(n_docs: int, df: int) -> float:
    import math

    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
