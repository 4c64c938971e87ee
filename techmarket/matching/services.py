"""Search (SPEC §2 X1): one box over achievements, demands, experts and organizations.

``search()`` is what the search page, the API and ``search_eval`` call. It analyses the query, asks the
deployment's engine for BM25-ranked hits the reader may see, applies the field prior
(``matching.ranking``) to the first ``RERANK_WINDOW`` results, and loads the records, checking each one
against the database once more (a record that expired or was withdrawn a moment ago is never shown,
whatever the index still says).
"""
from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F
from django.utils.translation import gettext as _

from techmarket.accounts.permissions import is_authenticated, is_region_staff
from techmarket.core.errors import ApplicationError

from .analysis import analyzer, analyzer_reset, domain_word_clean, query_terms
from .backends.base import EngineHit, EngineQuery, Scope
from .documents import key_split
from .engines import engine
from .models import DocType, DomainWord
from .ranking import RERANK_WINDOW, ranked_window

MAX_PAGE = 500
MAX_QUERY_CHARS = 200


@dataclass
class SearchFilters:
    doc_type: str | None = None
    region: str | None = None
    field: str | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass
class SearchHit:
    doc_type: str
    object_id: int
    score: float
    record: object
    category: str = ""

    @property
    def key(self) -> str:
        return f"{self.doc_type}:{self.object_id}"


@dataclass
class SearchPage:
    query: str
    terms: list[str]
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    took_ms: float = 0.0
    filters: SearchFilters = field(default_factory=SearchFilters)

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, (self.total + self.page_size - 1) // self.page_size))


# --- who reads --------------------------------------------------------------------------------------------

def scope_for(user) -> Scope:
    if not is_authenticated(user):
        return Scope.public()
    if getattr(user, "is_superuser", False):
        return Scope(everything=True)
    regions: tuple[str, ...] = ()
    if is_region_staff(user) and user.region_id:
        regions = (user.region.code,)
    return Scope(staff_regions=regions, owner_org=user.organization_id)


# --- the records behind hits --------------------------------------------------------------------------------

def _models():
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand
    from techmarket.directory.models import Organization, Person

    return {DocType.ACHIEVEMENT: Achievement, DocType.DEMAND: Demand, DocType.EXPERT: Person,
            DocType.ORGANIZATION: Organization}


_RELATED = {
    DocType.ACHIEVEMENT: ("region", "tech_field", "owner_organization", "discipline"),
    DocType.DEMAND: ("region", "tech_field", "owner_organization"),
    DocType.EXPERT: ("region", "organization"),
    DocType.ORGANIZATION: ("region",),
}


# The columns a list of results shows and checks (title, snippet text, facts, visibility): the search page, the
# API and the suggestion load only these (a 29-column achievement with four related rows costs a page more
# than its SQL); matching loads whole records, which its explanations read. ``_listed_records`` reads them.
_LISTED = {
    DocType.ACHIEVEMENT: ("title", "abstract", "status", "expires_at", "trl", "price_fen", "price_min_fen",
                          "price_max_fen", "negotiable", "owner_organization__name", "region", "tech_field"),
    DocType.DEMAND: ("title", "description", "status", "expires_at", "budget_min_fen", "budget_max_fen",
                     "owner_organization__name", "region", "tech_field"),
    DocType.EXPERT: ("name", "kind", "title", "expertise", "bio", "organization__name", "region"),
    DocType.ORGANIZATION: ("name", "kind", "description", "region"),
}


def _shared_rows() -> dict[str, dict[int, object]]:
    """Every region and taxonomy term by id, kept per process (core.process_cache, cleared when one is saved):
    a page of results refers to a few dozen of them, and joining them and building them again for each row
    cost a search page more than reading the rows themselves. Read-only instances."""
    from techmarket.core import process_cache
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term

    return {"region": process_cache.cached("matching:regions", lambda: Region.objects.in_bulk()),
            "tech_field": process_cache.cached("matching:terms", lambda: Term.objects.in_bulk())}


@functools.cache
def _listed_columns(doc_type: str) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """``_LISTED[doc_type]`` split into the record's own columns and, per relation, the related row's columns."""
    own, joined = [], {}
    for column in _LISTED[doc_type]:
        if "__" in column:
            name, related_column = column.split("__")
            joined.setdefault(name, []).append(related_column)
        else:
            own.append(column)
    return tuple(own), {name: tuple(columns) for name, columns in joined.items()}


def _listed_queryset(model, doc_type: str, ids: list[int]):
    own, joined = _listed_columns(doc_type)
    annotations = {f"listed_{name}_{c}": F(f"{name}__{c}") for name, columns in joined.items() for c in columns}
    return model.objects.filter(pk__in=ids).order_by().only(*own, *joined).annotate(**annotations)


@dataclass(frozen=True)
class _ListedSql:
    """The SQL of ``_listed_queryset`` for a number of ids, and where its columns go."""

    sql: str
    attnames: tuple[str, ...]                    # the record's own columns, in the model's order
    own: tuple[int, ...]                         # their positions in a row
    annotations: tuple[tuple[int, str], ...]     # (position, attribute) of the related rows' columns
    expressions: tuple[tuple[int, object], ...]  # (position, column) of every column, for its converters


_LISTED_SQL: dict[tuple[str, int, str], _ListedSql | None] = {}


def _listed_sql(model, doc_type: str, n: int, using: str) -> _ListedSql | None:
    """The SQL of ``_listed_queryset`` for ``n`` ids, compiled once per process for each number and database:
    building and compiling the query cost a page of results twice what running it does. The ids must be its only
    parameters, in their order, and the record's columns in the model's order (checked when it is compiled);
    None when they are not."""
    key = (doc_type, n, using)
    if key not in _LISTED_SQL:
        marks = list(range(1, n + 1))  # distinct, so that the IN list keeps them all, in order
        compiler = _listed_queryset(model, doc_type, marks).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        own = tuple(compiler.klass_info["select_fields"])
        attnames = tuple(compiler.select[i][0].target.attname for i in own)
        in_model_order = [f.attname for f in model._meta.concrete_fields if f.attname in attnames]
        _LISTED_SQL[key] = _ListedSql(
            sql=sql, attnames=attnames, own=own,
            annotations=tuple((i, alias) for alias, i in compiler.annotation_col_map.items()),
            expressions=tuple((i, column) for i, (column, _sql, _alias) in enumerate(compiler.select)),
        ) if list(params) == marks and list(attnames) == in_model_order else None
    return _LISTED_SQL[key]


def _listed_rows(model, listed: _ListedSql, ids: list[int], using: str) -> list:
    """The records of one page from a cursor: through a raw queryset twenty records took a fifth longer (0.37
    against 0.31 ms at 1M; most of the rest is Django building the instances). The database's converters apply as
    the ORM applies them (datetimes, booleans, decimals)."""
    connection = connections[using]
    converters = []
    for i, column in listed.expressions:
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((i, functions, column))
    with connection.cursor() as cursor:
        cursor.execute(listed.sql, ids)
        rows = cursor.fetchall()
    records = []
    for row in rows:
        if converters:
            row = list(row)
            for i, functions, column in converters:
                value = row[i]
                for function in functions:
                    value = function(value, column, connection)
                row[i] = value
        obj = model.from_db(using, listed.attnames, [row[i] for i in listed.own])
        for i, attribute in listed.annotations:
            setattr(obj, attribute, row[i])
        records.append(obj)
    return records


def _listed_records(model, ids: list[int], doc_type: str) -> list:
    """The records of ``model`` with these ids, with only the columns of ``_LISTED[doc_type]``.

    A related row's column (the owner's name) comes with the record's own row, and each related row of the page
    is built once with only that column (the rest load if read): twenty results of one institute made twenty
    organizations through ``select_related``. Regions and technology fields come from ``_shared_rows``."""
    own, joined = _listed_columns(doc_type)
    using = model.objects.db
    listed = _listed_sql(model, doc_type, len(ids), using)
    records = (_listed_rows(model, listed, ids, using) if listed is not None
               else list(_listed_queryset(model, doc_type, ids)))
    shared = [(model._meta.get_field(name), rows) for name, rows in _shared_rows().items() if name in own]
    related = []
    for name, columns in joined.items():
        field = model._meta.get_field(name)
        # from_db takes the loaded columns' values in the model's column order, the primary key among them
        pk_name = field.related_model._meta.pk.attname
        ordered = [f.attname for f in field.related_model._meta.concrete_fields
                   if f.attname == pk_name or f.attname in columns]
        related.append((field, pk_name, ordered))
    built: dict[tuple[str, int], object] = {}
    for obj in records:
        for field, rows in shared:
            row = rows.get(getattr(obj, field.attname))
            if row is not None:  # one created in another process a moment ago loads when read
                field.set_cached_value(obj, row)
        for field, pk_name, columns in related:
            pk = getattr(obj, field.attname)
            if pk is None:
                continue
            key = (field.name, pk)
            if key not in built:
                values = [pk if c == pk_name else getattr(obj, f"listed_{field.name}_{c}") for c in columns]
                built[key] = field.related_model.from_db(using, columns, values)
            field.set_cached_value(obj, built[key])
    return records


def record_visible(user, doc_type: str, record) -> bool:
    """The database's word on whether ``user`` may see ``record`` (the index's is only a first filter)."""
    if doc_type in (DocType.ACHIEVEMENT, DocType.DEMAND):
        from techmarket.achievements.records import can_view

        return can_view(user, record)
    return True  # experts and organizations: public registry views


def records_for(hits: Iterable[EngineHit], user, *, check: bool = True, listed: bool = False) -> list[SearchHit]:
    """The records behind ``hits`` that ``user`` may see, in the hits' order; ``listed``: only the columns a
    list of results needs (``_LISTED``)."""
    hits = list(hits)
    by_type: dict[str, list[int]] = {}
    for hit in hits:
        by_type.setdefault(hit.doc_type, []).append(hit.object_id)
    models = _models()
    loaded: dict[tuple[str, int], object] = {}
    for doc_type, ids in by_type.items():
        # no ORDER BY: the hits give the order, and the models' default ordering only costs compilation
        if listed:
            records = _listed_records(models[doc_type], ids, doc_type)
        else:
            records = models[doc_type].objects.filter(pk__in=ids).order_by().select_related(*_RELATED[doc_type])
        for obj in records:
            loaded[(doc_type, obj.pk)] = obj
    out = []
    for hit in hits:
        record = loaded.get((hit.doc_type, hit.object_id))
        if record is None or (check and not record_visible(user, hit.doc_type, record)):
            continue
        out.append(SearchHit(doc_type=hit.doc_type, object_id=hit.object_id, score=hit.score, record=record,
                             category=hit.category))
    return out


# --- search ---------------------------------------------------------------------------------------------------

def engine_query(terms: list[str], filters: SearchFilters, scope: Scope, *, limit: int, offset: int = 0,
                 doc_types: Iterable[str] = (), exclude_keys: Iterable[str] = ()) -> EngineQuery:
    types = list(doc_types) or ([filters.doc_type] if filters.doc_type else [])
    return EngineQuery(terms=terms, scope=scope, doc_types=types, region=filters.region, tech_field=filters.field,
                       trl_min=filters.trl_min, trl_max=filters.trl_max, price_min_fen=filters.price_min_fen,
                       price_max_fen=filters.price_max_fen, date_from=filters.date_from, date_to=filters.date_to,
                       exclude_keys=list(exclude_keys), limit=limit, offset=offset)


def ranked_hits(terms: list[str], filters: SearchFilters, scope: Scope, *, page: int, page_size: int,
                doc_types: Iterable[str] = (), exclude_keys: Iterable[str] = ()) -> tuple[list[EngineHit], int]:
    """The engine hits of one page, with the field prior applied inside the rerank window."""
    start = (page - 1) * page_size
    backend = engine()
    if terms and start + page_size <= RERANK_WINDOW:
        window, total = ranked_window(backend, engine_query(terms, filters, scope, limit=RERANK_WINDOW,
                                                            doc_types=doc_types, exclude_keys=exclude_keys))
        return window[start:start + page_size], total
    # deeper pages: the engine's own order below the window
    result = backend.search(engine_query(terms, filters, scope, limit=page_size, offset=start,
                                         doc_types=doc_types, exclude_keys=exclude_keys))
    return result.hits, result.total


def search(*, q: str, user=None, filters: SearchFilters | None = None, page: int = 1,
           page_size: int = 20) -> SearchPage:
    started = time.perf_counter()
    filters = filters or SearchFilters()
    q = (q or "").strip()[:MAX_QUERY_CHARS]
    page = max(1, min(int(page), MAX_PAGE))
    terms = query_terms(q)
    if q and not terms:  # only stop words or punctuation: nothing to look for
        return SearchPage(query=q, terms=[], hits=[], total=0, page=page, page_size=page_size, filters=filters)
    hits, total = ranked_hits(terms, filters, scope_for(user), page=page, page_size=page_size)
    return SearchPage(query=q, terms=terms, hits=records_for(hits, user, listed=True), total=total, page=page,
                      page_size=page_size, took_ms=(time.perf_counter() - started) * 1000, filters=filters)


# --- the domain dictionary and the index as a whole ------------------------------------------------------------

def domain_words_add(words: Iterable[str], *, source: str = "") -> int:
    """Add words to the domain dictionary (existing ones are kept); returns how many were new."""
    cleaned = list(dict.fromkeys(w for w in (domain_word_clean(w) for w in words) if w))
    if not cleaned:
        return 0
    existing = set(DomainWord.objects.filter(word__in=cleaned).values_list("word", flat=True))
    new = [DomainWord(word=w, source=source) for w in cleaned if w not in existing]
    DomainWord.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        analyzer(refresh=False).refresh(force=True)
    return len(new)


def domain_words_add_for_keys(keys: Iterable[str]) -> int:
    """Keywords of the achievements and demands behind ``keys`` join the dictionary."""
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand

    ids: dict[str, list[int]] = {}
    for key in keys:
        doc_type, pk = key_split(key)
        ids.setdefault(doc_type, []).append(pk)
    words = []
    for doc_type, model in ((DocType.ACHIEVEMENT, Achievement), (DocType.DEMAND, Demand)):
        if ids.get(doc_type):
            for keywords in model.objects.filter(pk__in=ids[doc_type]).values_list("keywords", flat=True):
                words.extend(keywords or [])
    return domain_words_add(words, source="keywords")


def search_reindex(*, doc_types: Iterable[str] | None = None, progress=None) -> int:
    """Rebuild the index from the database: dictionary first (all keywords), then every record."""
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand

    from .documents import all_entries, count_records

    words = []
    for model in (Achievement, Demand):
        for keywords in model.objects.values_list("keywords", flat=True).iterator():
            words.extend(keywords or [])
    domain_words_add(words, source="keywords")
    analyzer_reset()
    analyzer()
    entries = all_entries(doc_types)
    if progress is not None:
        entries = progress(entries, count_records(doc_types))
    return engine().bulk_build(entries)


def search_filters_clean(params) -> SearchFilters:
    """Query-string or API parameters → filters; a bad value is an ApplicationError naming the field."""
    from techmarket.achievements.selectors import yuan_filter_value
    from techmarket.core.dates import date_clean
    from techmarket.regions.models import Region
    from techmarket.taxonomies.models import Term

    def text(name):
        value = params.get(name)
        return str(value).strip() if value not in (None, "") else None

    def trl(name, label):
        value = text(name)
        if value is None:
            return None
        if not value.isdigit() or not 1 <= int(value) <= 9:
            raise ApplicationError(_("{label}须为 1–9 的整数").format(label=label), field=name, code="invalid")
        return int(value)

    doc_type = text("type")
    if doc_type and doc_type not in DocType.values:
        raise ApplicationError(_("类型取值无效：{v}（可选 {c}）").format(v=doc_type, c="、".join(DocType.values)),
                               field="type", code="invalid_choice")
    region = text("region")
    if region and not Region.objects.filter(code=region).exists():
        raise ApplicationError(_("区域代码无效：{c}").format(c=region), field="region", code="invalid_region")
    tech_field = text("field")
    if tech_field and not Term.objects.filter(scheme__code="hitech_domains", code=tech_field).exists():
        raise ApplicationError(_("技术领域代码无效：{c}").format(c=tech_field), field="field", code="unknown_term")
    filters = SearchFilters(
        doc_type=doc_type, region=region, field=tech_field,
        trl_min=trl("trl_min", _("技术就绪水平下限")), trl_max=trl("trl_max", _("技术就绪水平上限")),
        price_min_fen=yuan_filter_value(text("price_min"), "price_min"),
        price_max_fen=yuan_filter_value(text("price_max"), "price_max"),
        date_from=date_clean(text("date_from"), field="date_from", label=_("起始日期")),
        date_to=date_clean(text("date_to"), field="date_to", label=_("截止日期")))
    for name, value in (("price_min", filters.price_min_fen), ("price_max", filters.price_max_fen)):
        if value is not None and value < 0:
            raise ApplicationError(_("价格不能为负数"), field=name, code="invalid")
    if filters.trl_min and filters.trl_max and filters.trl_min > filters.trl_max:
        raise ApplicationError(_("技术就绪水平下限不能高于上限"), field="trl_min", code="invalid_range")
    if (filters.price_min_fen is not None and filters.price_max_fen is not None
            and filters.price_min_fen > filters.price_max_fen):
        raise ApplicationError(_("价格下限不能高于价格上限"), field="price_min", code="invalid_range")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ApplicationError(_("起始日期不能晚于截止日期"), field="date_from", code="invalid_range")
    return filters
