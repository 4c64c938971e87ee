"""The one search interface both engines implement (SPEC §2 X1).

An engine stores ``IndexEntry`` rows (already analysed terms plus the structured attributes filters and
permissions need) and answers an ``EngineQuery`` with BM25-ranked ``EngineHit`` rows. Ranking beyond
text relevance (the field prior, match signals) lives in ``matching.ranking``, above the engines, so both
engines rank the same way.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Field weights: a term in the title counts three times one in the body, a keyword twice (title >
# keywords > abstract, as users expect of a search over records they describe by a title).
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(slots=True)
class IndexEntry:
    key: str                      # "achievement:12"
    doc_type: str                 # DocType value
    object_id: int
    title: list[str]              # analysed terms, repeats kept
    keywords: list[str]
    body: list[str]
    category: str = ""            # "d:<discipline code>" (the field prior's unit), "" when unknown
    public: bool = False          # visible to anyone (published and not expired, or a public registry record)
    owner_org: int | None = None  # users of this organization see the record
    regions: list[str] = field(default_factory=list)      # region code and its ancestors ("410000", "410100", …)
    tech_fields: list[str] = field(default_factory=list)  # technology field code and its ancestors
    trl: int | None = None
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    date: datetime.date | None = None


@dataclass(slots=True)
class Scope:
    """Who reads: public records always; staff also records of their regions; users also their own."""

    staff_regions: tuple[str, ...] = ()   # region codes whose subtrees the reader manages
    owner_org: int | None = None
    everything: bool = False              # evaluation and benchmark runs only: no visibility filter

    @classmethod
    def public(cls) -> "Scope":
        return cls()


@dataclass(slots=True)
class EngineQuery:
    terms: Sequence[str]                        # distinct analysed query terms
    scope: Scope = field(default_factory=Scope)
    doc_types: Sequence[str] = ()
    region: str | None = None                   # region code: the record's region lies in its subtree
    tech_field: str | None = None               # technology field code: the field or a sub-field
    trl_min: int | None = None
    trl_max: int | None = None
    price_min_fen: int | None = None            # price ranges overlap
    price_max_fen: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    exclude_keys: Sequence[str] = ()
    category: str | None = None                 # only results of this category, as this engine's hits name it
    limit: int = 20
    offset: int = 0
    count_total: bool = True                    # pages need the total; matching and evaluation do not


@dataclass(slots=True)
class EngineHit:
    key: str
    score: float
    category: str = ""

    @property
    def doc_type(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def object_id(self) -> int:
        return int(self.key.split(":", 1)[1])


@dataclass(slots=True)
class EngineResult:
    hits: list[EngineHit]
    total: int
    # some documents holding query words were not candidates: those holding only very common ones (the embedded
    # engine's common words); a window that is not full may then still miss results of the query's field
    partial: bool = False


class SearchBackend:
    """What an engine does. Writers: ``upsert``/``delete``/``clear`` (the worker and commands only)."""

    name = ""

    def upsert(self, entries: Iterable[IndexEntry]) -> int:
        raise NotImplementedError

    def delete(self, keys: Iterable[str]) -> int:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def bulk_build(self, entries: Iterable[IndexEntry]) -> int:
        """Fill an empty index as fast as the engine can (reindex, evaluation, benchmarks)."""
        self.clear()
        return self.upsert(entries)

    def search(self, query: EngineQuery) -> EngineResult:
        raise NotImplementedError

    def doc_freq(self, term: str) -> int:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def size_bytes(self) -> int:
        return 0

    def keys(self) -> set[str]:
        """Every key in the index (consistency checks)."""
        raise NotImplementedError
