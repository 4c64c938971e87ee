"""“您是不是要找” for searches without results (SPEC §2 X1).

A query finds nothing when none of its terms is in the index (the engines OR the terms). A typo usually
breaks a word into pieces the index does not know (逆便器 → 逆 / 便器), so each run of the query made only
of unknown terms is corrected as a whole first, then term by term. The closest word comes from a
vocabulary of known words (the domain dictionary and the terms of published titles), found through
shared characters and ranked by edit distance on the normalised form, then by how many records hold it.
A rewritten query is offered only when it finds something for the same reader with the same filters.
"""
from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .analysis import analyzer, normalize, query_terms
from .engines import engine

# The vocabulary is rebuilt at most this often (and when the analyser or the index instance changes).
VOCABULARY_SECONDS = 300.0
TITLES_PER_TYPE = 5000
CANDIDATES_CHECKED = 8
_CHUNK_SPLIT = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


@dataclass
class _Vocabulary:
    words: frozenset[str]
    by_gram: dict[str, list[str]] = field(default_factory=dict)  # character bigram → words
    by_char: dict[str, list[str]] = field(default_factory=dict)  # character → words
    built_at: float = 0.0
    analyzer: object = None
    backend: object = None


_cache: _Vocabulary | None = None
_cache_lock = threading.Lock()


def _grams(word: str) -> set[str]:
    return {word[i:i + 2] for i in range(len(word) - 1)}


def _title_words(a) -> set[str]:
    """Terms of published titles: what users see and are likely to type."""
    from techmarket.achievements.models import Achievement
    from techmarket.demands.models import Demand

    words: set[str] = set()
    for model in (Achievement, Demand):
        titles = model.objects.filter(status="published").order_by("-pk").values_list("title", flat=True)
        for title in titles[:TITLES_PER_TYPE]:
            words.update(t for t in a.tokenize(title) if len(t) >= 2)
    return words


def vocabulary() -> _Vocabulary:
    global _cache
    a, backend = analyzer(), engine()
    cached = _cache
    if (cached is not None and cached.analyzer is a and cached.backend is backend
            and time.monotonic() - cached.built_at < VOCABULARY_SECONDS):
        return cached
    with _cache_lock:
        words = frozenset(w for w in (a.words | _title_words(a)) if len(w) >= 2)
        by_gram: dict[str, list[str]] = defaultdict(list)
        by_char: dict[str, list[str]] = defaultdict(list)
        for word in sorted(words):
            for gram in _grams(word):
                by_gram[gram].append(word)
            for ch in set(word):
                by_char[ch].append(word)
        _cache = _Vocabulary(words=words, by_gram=dict(by_gram), by_char=dict(by_char), built_at=time.monotonic(),
                             analyzer=a, backend=backend)
        return _cache


def vocabulary_reset() -> None:
    global _cache
    with _cache_lock:
        _cache = None


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance (insert, delete, substitute), stopping early once above ``limit``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_edits(word: str) -> int:
    """One edit for short words; two for long ones (Latin words are longer for the same meaning)."""
    latin = word.isascii()
    return 2 if len(word) >= (8 if latin else 6) else 1


def closest_word(word: str, vocab: _Vocabulary | None = None, *, exclude: set[str] | None = None) -> str | None:
    """The known word nearest to ``word`` within ``allowed_edits``, found in the index; None when none is."""
    word = normalize(word).replace(" ", "")
    if len(word) < 2:
        return None
    vocab = vocab or vocabulary()
    limit = allowed_edits(word)
    candidates: set[str] = set()
    for gram in _grams(word):
        candidates.update(vocab.by_gram.get(gram, ()))
    if not candidates or len(word) <= 3:  # a short word's typo often shares no bigram (电吃 / 电池)
        for ch in set(word):
            candidates.update(w for w in vocab.by_char.get(ch, ()) if abs(len(w) - len(word)) <= limit)
    scored = []
    for candidate in candidates:
        if candidate == word or (exclude and candidate in exclude) or abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit and distance < len(candidate):  # a distance the size of the word is no typo
            scored.append((distance, abs(len(candidate) - len(word)), candidate))
    if not scored:
        return None
    scored.sort()
    backend = engine()
    best = None
    for distance, _length_gap, candidate in scored[:CANDIDATES_CHECKED]:
        if best is not None and distance > best[0]:
            break
        df = _doc_freq(backend, candidate)
        if df and (best is None or df > best[1]):
            best = (distance, df, candidate)
    return best[2] if best else None


def _doc_freq(backend, word: str) -> int:
    """Records holding ``word``: as one term, or (a dictionary phrase the analyser splits) all its terms."""
    terms = query_terms(word)
    if not terms:
        return 0
    if len(terms) == 1:
        return backend.doc_freq(terms[0])
    return min(backend.doc_freq(t) for t in terms)


def _rewrite(text: str) -> str | None:
    """``text`` with its unknown pieces replaced by the closest known words; None when nothing changed."""
    backend = engine()
    vocab = vocabulary()
    changed = False
    parts = []
    for chunk in (c for c in _CHUNK_SPLIT.split(text) if c):
        terms = query_terms(chunk)
        unknown = [t for t in terms if backend.doc_freq(t) == 0]
        if not unknown:
            parts.append(chunk)
            continue
        if len(unknown) == len(terms):
            whole = closest_word(chunk, vocab)
            if whole:
                parts.append(whole)
                changed = True
                continue
        fixed = chunk
        for term in unknown:
            better = closest_word(term, vocab)
            if better and term in fixed:
                fixed = fixed.replace(term, better, 1)
                changed = True
        parts.append(fixed)
    return " ".join(parts) if changed else None


def did_you_mean(q: str | None, user=None, *, filters=None) -> str | None:
    """A corrected query that has results for ``user`` (with the same filters), or None."""
    from .services import MAX_QUERY_CHARS, search

    text = normalize(q)[:MAX_QUERY_CHARS]
    if not text:
        return None
    suggestion = _rewrite(text)
    if not suggestion or normalize(suggestion) == text:
        return None
    if search(q=suggestion, user=user, filters=filters, page=1, page_size=1).total == 0:
        return None
    return suggestion
