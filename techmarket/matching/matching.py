"""Matching (SPEC §2 X2): for a demand, the achievements, experts and institutions that could solve it; for
an achievement, the demands and enterprises that could use it. Each match explains itself in Chinese.

How a list is made:

1. The source record's text becomes one query: the distinct terms of its title, keywords and description
   (abstract), each weighted by where it appears (title > keywords > text) and by its rarity in the index
   (idf from ``engine.doc_freq``); the best ``QUERY_TERMS`` terms are kept. Terms absent from the index
   cannot match anything and are dropped.
2. ``services.ranked_hits`` answers it per target type, restricted to what the reader may see
   (``services.scope_for``), with the field prior of search applied; ``CANDIDATES`` results per type.
3. Text relevance is normalised to [0, 1] by the best candidate of the type, then structured signals add
   points (``Signal``): technology field, discipline, TRL fit, price within budget, region, and the marks
   users gave (B2). The sum orders the list.

A target the source's owner marked "not useful" (``MatchMark.by_owner`` and not useful) never reappears
in that source's list. Targets of the source's own organization are not matches either.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from techmarket.core.masking import mask_text

from .analysis import tokenize
from .documents import _field_codes, key_for
from .engines import engine
from .models import DocType, MatchMark
from .services import SearchFilters, ranked_hits, records_for, scope_for
from .snippets import highlight_html, snippet_html

QUERY_TERMS = 30          # distinct terms of the source kept in the query (highest weight × idf)
CANDIDATES = 50           # text candidates per target type before the structured signals reorder them
ORG_OVERFETCH = 3         # organizations are filtered by kind after the engine: ask for more
SHARED_TERMS_SHOWN = 8
TERM_WEIGHT = {"title": 3.0, "keywords": 2.0, "body": 1.0}

# Points added to the normalised text score (at most 1.0). A strong structural fit moves a match up a
# few places; it never lifts a target with no text in common above a clear text match on its own.
POINTS = {
    "field_exact": 0.30, "field_near": 0.20, "field_top": 0.10,
    "discipline_exact": 0.15, "discipline_top": 0.08,
    "trl_ready": 0.15, "trl_develop": 0.0,
    "price_within": 0.15, "price_overlap": 0.08, "price_over": -0.05,
    "region_district": 0.15, "region_city": 0.10, "region_province": 0.05,
    "mark_each": 0.05, "mark_cap": 0.15,
}
TRL_READY = 6  # 技术就绪水平 ≥ 6: prototype demonstrated in a relevant environment, ready to transfer

INSTITUTION_KINDS = ("university", "institute", "rd_institution")
ENTERPRISE_KINDS = ("enterprise",)
SOLVER_PERSON_KINDS = ("expert", "researcher", "talent")  # brokers bring deals, they do not solve problems

# What each source type is matched against by default, and which organizations count as targets.
DEFAULT_TARGETS = {
    DocType.DEMAND: ("achievement", "expert", "organization"),
    DocType.ACHIEVEMENT: ("demand", "organization"),
}
ORGANIZATION_KINDS = {DocType.DEMAND: INSTITUTION_KINDS, DocType.ACHIEVEMENT: ENTERPRISE_KINDS}


@dataclass
class Signal:
    code: str
    label: str
    points: float

    def __iter__(self):  # (code, label, points), as the brief's tuple form
        return iter((self.code, self.label, self.points))


@dataclass
class Match:
    target_type: str
    target_id: int
    record: object
    score: float
    text_score: float
    signals: list[Signal] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def key(self) -> str:
        return key_for(self.target_type, self.target_id)

    @property
    def title(self) -> str:
        return target_title(self.target_type, self.record)

    @property
    def explanation_html(self) -> SafeString:
        """The explanation with the shared terms in <mark> (everything else escaped)."""
        return explanation_html(self.shared_terms, self.signals)

    @property
    def title_html(self) -> SafeString:
        return highlight_html(self.title, self.shared_terms)

    @property
    def snippet_html(self) -> SafeString:
        """Masked like every output (SPEC §3): the search page's snippets."""
        return snippet_html(target_text(self.target_type, self.record), self.shared_terms, length=120)

    @property
    def type_label(self) -> str:
        return str(DocType(self.target_type).label)


# --- the source --------------------------------------------------------------------------------------------

@dataclass
class Source:
    """What matching needs of a source record (a demand, an achievement, later a challenge)."""

    doc_type: str
    record: object
    title: str
    keywords: list[str]
    body: str
    tech_field: object = None
    disciplines: list = field(default_factory=list)
    region: object = None
    owner_org_id: int | None = None
    trl: int | None = None
    budget: tuple[int | None, int | None] | None = None   # demands: (min fen, max fen)
    price: tuple[int | None, int | None] | None = None    # achievements: (low fen, high fen)


def source_type_for(record) -> str:
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand

    if isinstance(record, Achievement):
        return DocType.ACHIEVEMENT
    if isinstance(record, Demand):
        return DocType.DEMAND
    # A record that stands for a demand (a 揭榜挂帅 challenge) is matched as one.
    return DocType.DEMAND


def _price_range(record) -> tuple[int | None, int | None] | None:
    if getattr(record, "negotiable", False) and record.price_fen is None and record.price_min_fen is None:
        return None
    low = record.price_fen if record.price_fen is not None else record.price_min_fen
    high = record.price_fen if record.price_fen is not None else record.price_max_fen
    if low is None and high is None:
        return None
    return low, high


def source_for(record) -> Source:
    doc_type = source_type_for(record)
    body = getattr(record, "summary", None) or getattr(record, "description", "") or getattr(record, "abstract", "")
    discipline = getattr(record, "discipline", None)
    source = Source(
        doc_type=doc_type, record=record, title=record.title or "", keywords=list(getattr(record, "keywords", []) or []),
        body=body or "", tech_field=getattr(record, "tech_field", None),
        disciplines=[discipline] if discipline is not None else [], region=getattr(record, "region", None),
        owner_org_id=getattr(record, "owner_organization_id", None), trl=getattr(record, "trl", None))
    if doc_type == DocType.ACHIEVEMENT:
        source.price = _price_range(record)
    elif hasattr(record, "budget_max_fen") or hasattr(record, "budget_min_fen"):
        source.budget = (getattr(record, "budget_min_fen", None), getattr(record, "budget_max_fen", None))
    return source


def source_terms(source: Source, *, limit: int = QUERY_TERMS) -> tuple[list[str], dict[str, float]]:
    """The query of a source: its best ``limit`` terms, and every kept term's weight (for ordering)."""
    where: dict[str, float] = {}
    counts: dict[str, int] = {}
    parts = (("title", [source.title]), ("keywords", source.keywords), ("body", [source.body]))
    for part, texts in parts:
        for text in texts:
            for term in tokenize(text):
                where[term] = max(where.get(term, 0.0), TERM_WEIGHT[part])
                counts[term] = counts.get(term, 0) + 1
    if not where:
        return [], {}
    backend = engine()
    n = max(1, backend.count())
    weights = {}
    for term, place in where.items():
        df = backend.doc_freq(term)
        if df <= 0:
            continue  # nothing in the index has it
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        weights[term] = place * idf * (1.0 + math.log(counts[term]))
    ranked = sorted(weights, key=lambda t: (-weights[t], t))[:limit]
    return ranked, {t: weights[t] for t in ranked}


# --- the targets -------------------------------------------------------------------------------------------

def target_title(target_type: str, record) -> str:
    if target_type in (DocType.EXPERT, DocType.ORGANIZATION):
        return record.name
    return record.title


def target_text(target_type: str, record) -> str:
    """The public text of a target (personal data masked), for shared terms and snippets."""
    if target_type == DocType.ACHIEVEMENT:
        text = record.abstract
    elif target_type == DocType.DEMAND:
        text = record.description
    elif target_type == DocType.EXPERT:
        text = " ".join(filter(None, [record.title, record.expertise, record.bio]))
    else:
        text = record.description
    return mask_text(text or "")


def _target_fields(target_type: str, record) -> list:
    if target_type in (DocType.ACHIEVEMENT, DocType.DEMAND):
        return [record.tech_field] if record.tech_field_id else []
    return list(record.tech_fields.all())


def _target_disciplines(target_type: str, record) -> list:
    if target_type == DocType.ACHIEVEMENT:
        return [record.discipline] if record.discipline_id else []
    if target_type == DocType.EXPERT:
        return list(record.disciplines.all())
    return []


def _target_owner_org(target_type: str, record) -> int | None:
    if target_type == DocType.ORGANIZATION:
        return record.pk
    if target_type == DocType.EXPERT:
        return record.organization_id
    return record.owner_organization_id


def _target_words(target_type: str, record) -> set[str]:
    texts = [target_title(target_type, record), target_text(target_type, record)]
    texts.extend(getattr(record, "keywords", None) or [])
    if target_type in (DocType.EXPERT, DocType.ORGANIZATION):
        texts.extend(t.name for t in _target_fields(target_type, record))
    words: set[str] = set()
    for text in texts:
        words.update(tokenize(text))
    return words


# --- signals ------------------------------------------------------------------------------------------------

_term_names: dict[tuple[str, str], str] = {}


def _term_name(scheme: str, code: str) -> str:
    name = _term_names.get((scheme, code))
    if name is None:
        from techmarket.taxonomies.models import Term

        name = Term.objects.filter(scheme__code=scheme, code=code).values_list("name", flat=True).first() or code
        _term_names[(scheme, code)] = name
    return name


def _common_ancestor(a: list[str], b: list[str]) -> tuple[str | None, int]:
    """Deepest shared code of two root-last ancestor chains, and its depth from the root (1 = top)."""
    ra, rb = list(reversed(a)), list(reversed(b))
    common, depth = None, 0
    for x, y in zip(ra, rb):
        if x != y:
            break
        common, depth = x, depth + 1
    return common, depth


def field_signal(source_fields: Sequence, target_fields: Sequence) -> Signal | None:
    """Same technology field (or one inside the other), same second-level field, or same top-level field."""
    best: Signal | None = None
    for sf in source_fields:
        s_codes = _field_codes(sf)
        for tf in target_fields:
            t_codes = _field_codes(tf)
            if sf.code == tf.code or sf.code in t_codes or tf.code in s_codes:
                name = sf.name if sf.code in t_codes else tf.name
                signal = Signal("field_exact", _("同一技术领域：{name}").format(name=name), POINTS["field_exact"])
            else:
                common, depth = _common_ancestor(s_codes, t_codes)
                if common is None:
                    continue
                name = _term_name("hitech_domains", common)
                if depth >= 2:
                    signal = Signal("field_near", _("相近技术领域：同属{name}").format(name=name),
                                    POINTS["field_near"])
                else:
                    signal = Signal("field_top", _("同属{name}大类").format(name=name), POINTS["field_top"])
            if best is None or signal.points > best.points:
                best = signal
    return best


def _discipline_top(term) -> str:
    node = term
    while node.parent_id:
        node = node.parent
    return node.code


def discipline_signal(source_disciplines: Sequence, target_disciplines: Sequence) -> Signal | None:
    best: Signal | None = None
    for sd in source_disciplines:
        for td in target_disciplines:
            if sd.pk == td.pk:
                return Signal("discipline_exact", _("同一学科：{name}").format(name=sd.name), POINTS["discipline_exact"])
            top = _discipline_top(sd)
            if top == _discipline_top(td) and best is None:
                best = Signal("discipline_top", _("同属{name}学科").format(name=_term_name("gbt13745", top)),
                              POINTS["discipline_top"])
    return best


def trl_signal(trl: int | None) -> Signal | None:
    if not trl:
        return None
    if trl >= TRL_READY:
        return Signal("trl_ready", _("技术就绪水平 {n}，可直接转化").format(n=trl), POINTS["trl_ready"])
    return Signal("trl_develop", _("技术就绪水平 {n}，需二次开发").format(n=trl), POINTS["trl_develop"])


def price_signal(price: tuple | None, budget: tuple | None) -> Signal | None:
    """An achievement's price (fixed or range) against a demand's budget range."""
    if not price or not budget:
        return None
    low, high = price
    budget_min, budget_max = budget
    if budget_max is None or low is None:
        return None
    high = high if high is not None else low
    if high <= budget_max:
        return Signal("price_within", _("报价在预算范围内"), POINTS["price_within"])
    if low <= budget_max:
        return Signal("price_overlap", _("报价区间与预算有交集"), POINTS["price_overlap"])
    return Signal("price_over", _("报价高于预算上限"), POINTS["price_over"])


_region_cache: dict[str, tuple[str, int]] = {}


def _region_info(code: str) -> tuple[str, int]:
    info = _region_cache.get(code)
    if info is None:
        from techmarket.regions.models import Region

        row = Region.objects.filter(code=code).values_list("name", "level").first()
        info = _region_cache[code] = row if row else (code, 0)
    return info


def region_signal(a, b) -> Signal | None:
    if a is None or b is None:
        return None
    common = None
    for x, y in zip([c for c in a.path.split("/") if c], [c for c in b.path.split("/") if c]):
        if x != y:
            break
        common = x
    if common is None:
        return None
    name, level = _region_info(common)
    if level >= 3:
        return Signal("region_district", _("同在{name}").format(name=name), POINTS["region_district"])
    if level == 2:
        return Signal("region_city", _("同在{name}").format(name=name), POINTS["region_city"])
    return Signal("region_province", _("同在{name}").format(name=name), POINTS["region_province"])


# --- marks (B2) ---------------------------------------------------------------------------------------------

def owner_declined_keys(source_type: str, source_id: int) -> set[str]:
    """Targets the source's owner marked not useful: they never reappear in its list."""
    rows = MatchMark.objects.filter(source_type=source_type, source_id=source_id, by_owner=True, useful=False)
    return {key_for(t, i) for t, i in rows.values_list("target_type", "target_id")}


def _source_top_fields(source_type: str, ids: Iterable[int]) -> dict[int, str]:
    from .services import _models

    model = _models().get(source_type)
    if model is None or not hasattr(model, "tech_field"):
        return {}
    out = {}
    for obj in model.objects.filter(pk__in=set(ids)).select_related("tech_field"):
        codes = _field_codes(obj.tech_field) if obj.tech_field_id else []
        out[obj.pk] = codes[-1] if codes else ""
    return out


def mark_signals(source: Source, targets: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Signal]:
    """Marks of other users on each target: for this source, or for sources of the same type in the same
    top-level technology field ("similar sources"). Useful adds, not useful subtracts, capped."""
    targets = list(targets)
    if not targets:
        return {}
    query = Q()
    for target_type in {t for t, _i in targets}:
        query |= Q(target_type=target_type, target_id__in=[i for t, i in targets if t == target_type])
    rows = list(MatchMark.objects.filter(query, source_type=source.doc_type)
                .values_list("source_id", "target_type", "target_id", "useful", "by_owner"))
    if not rows:
        return {}
    source_id = source.record.pk
    my_top = _field_codes(source.tech_field)[-1] if source.tech_field is not None else None
    tops = _source_top_fields(source.doc_type, {r[0] for r in rows if r[0] != source_id})
    tally: dict[tuple[str, int], list[int]] = {}
    for sid, target_type, target_id, useful, by_owner in rows:
        if sid == source_id:
            if by_owner and not useful:
                continue  # excluded anyway
        elif my_top is None or tops.get(sid) != my_top:
            continue
        up_down = tally.setdefault((target_type, target_id), [0, 0])
        up_down[0 if useful else 1] += 1
    out = {}
    for target, (up, down) in tally.items():
        points = max(-POINTS["mark_cap"], min(POINTS["mark_cap"], (up - down) * POINTS["mark_each"]))
        if up and down:
            label = _("{u} 人标记有用、{d} 人标记不适用").format(u=up, d=down)
        elif up:
            label = _("{n} 人在类似匹配中标记有用").format(n=up)
        else:
            label = _("{n} 人在类似匹配中标记不适用").format(n=down)
        out[target] = Signal("marks", label, points)
    return out


# --- explanation --------------------------------------------------------------------------------------------

def explanation_text(shared_terms: Sequence[str], signals: Sequence[Signal]) -> str:
    parts = []
    if shared_terms:
        parts.append(_("共同关键词：{terms}").format(terms="、".join(shared_terms)))
    parts.extend(s.label for s in signals)
    if not parts:
        return _("文本相关")
    return "；".join(parts) + "。"


def explanation_html(shared_terms: Sequence[str], signals: Sequence[Signal]) -> SafeString:
    parts = []
    if shared_terms:
        marked = "、".join(f"<mark>{escape(t)}</mark>" for t in shared_terms)
        parts.append(escape(_("共同关键词：")) + marked)
    parts.extend(escape(s.label) for s in signals)
    if not parts:
        return mark_safe(escape(_("文本相关")))
    return mark_safe("；".join(parts) + "。")


# --- ranking ------------------------------------------------------------------------------------------------

def _load_related(target_type: str, records: list) -> None:
    from django.db.models import prefetch_related_objects

    if target_type == DocType.EXPERT:
        prefetch_related_objects(records, "tech_fields", "disciplines__parent")
    elif target_type == DocType.ORGANIZATION:
        prefetch_related_objects(records, "tech_fields")


def _target_allowed(source: Source, target_type: str, record) -> bool:
    if source.owner_org_id is not None and _target_owner_org(target_type, record) == source.owner_org_id:
        return False  # the source's own organization, its people and its records
    if target_type in (DocType.ACHIEVEMENT, DocType.DEMAND) and not record.is_public:
        return False  # only records on the market are matches
    if target_type == DocType.ORGANIZATION:
        return record.kind in ORGANIZATION_KINDS.get(source.doc_type, INSTITUTION_KINDS)
    if target_type == DocType.EXPERT:
        return record.kind in SOLVER_PERSON_KINDS
    return True


def _matches_of_type(source: Source, target_type: str, terms: list[str], weights: dict[str, float], *, user,
                     exclude: set[str]) -> list[Match]:
    size = CANDIDATES * (ORG_OVERFETCH if target_type == DocType.ORGANIZATION else 1)
    hits, _total = ranked_hits(terms, SearchFilters(), scope_for(user), page=1, page_size=size,
                               doc_types=[target_type], exclude_keys=sorted(exclude))
    if not hits:
        return []
    loaded = [h for h in records_for(hits, user) if _target_allowed(source, target_type, h.record)]
    loaded = loaded[:CANDIDATES]
    if not loaded:
        return []
    _load_related(target_type, [h.record for h in loaded])
    best = max(h.score for h in loaded) or 1.0
    marks = mark_signals(source, [(target_type, h.object_id) for h in loaded])
    source_fields = [source.tech_field] if source.tech_field is not None else []
    out = []
    for hit in loaded:
        record = hit.record
        signals: list[Signal] = []
        for signal in (
            field_signal(source_fields, _target_fields(target_type, record)),
            discipline_signal(source.disciplines, _target_disciplines(target_type, record)),
        ):
            if signal:
                signals.append(signal)
        if source.doc_type == DocType.DEMAND and target_type == DocType.ACHIEVEMENT:
            signals.extend(s for s in (trl_signal(record.trl), price_signal(_price_range(record), source.budget)) if s)
        elif source.doc_type == DocType.ACHIEVEMENT and target_type == DocType.DEMAND:
            signals.extend(s for s in (trl_signal(source.trl),
                                       price_signal(source.price, (record.budget_min_fen, record.budget_max_fen)))
                           if s)
        region = region_signal(source.region, getattr(record, "region", None))
        if region:
            signals.append(region)
        if (target_type, hit.object_id) in marks:
            signals.append(marks[(target_type, hit.object_id)])
        words = _target_words(target_type, record)
        shared = [t for t in terms if t in words][:SHARED_TERMS_SHOWN]
        text_score = max(0.0, hit.score / best)
        score = text_score + sum(s.points for s in signals)
        out.append(Match(target_type=target_type, target_id=hit.object_id, record=record, score=round(score, 4),
                         text_score=round(text_score, 4), signals=signals, shared_terms=shared,
                         explanation=explanation_text(shared, signals)))
    return out


def record_matches(record, *, user=None, target_types: Sequence[str] | None = None,
                   limit: int | None = 10) -> list[Match]:
    """Ranked matches of a demand or an achievement (or a record that stands for a demand) for ``user``.
    ``limit=None``: every candidate (at most ``CANDIDATES`` per type)."""
    user = user if user is not None else AnonymousUser()
    source = source_for(record)
    target_types = list(target_types or DEFAULT_TARGETS.get(source.doc_type, ()))
    for t in target_types:
        if t not in DocType.values:
            raise ValueError(f"unknown target type {t!r}")
    terms, weights = source_terms(source)
    if not terms:
        return []
    # A record matched as a demand (a 揭榜挂帅 challenge) carries the marks of the demand it was raised from.
    exclude = owner_declined_keys(source.doc_type, getattr(record, "demand_id", None) or record.pk)
    if source.owner_org_id is not None:
        exclude.add(key_for(DocType.ORGANIZATION, source.owner_org_id))
    matches: list[Match] = []
    for target_type in target_types:
        matches.extend(_matches_of_type(source, target_type, terms, weights, user=user, exclude=exclude))
    matches.sort(key=lambda m: (-m.score, -m.text_score, m.target_type, m.target_id))
    return matches if limit is None else matches[:limit]


def demand_matches(demand, *, user, target_types=("achievement", "expert", "organization"),
                   limit: int | None = 10) -> list[Match]:
    """Achievements, experts and institutions (universities, institutes, new R&D institutions) for a demand."""
    return record_matches(demand, user=user, target_types=target_types, limit=limit)


def achievement_matches(achievement, *, user, target_types=("demand", "organization"),
                        limit: int | None = 10) -> list[Match]:
    """Demands and enterprises for an achievement."""
    return record_matches(achievement, user=user, target_types=target_types, limit=limit)
