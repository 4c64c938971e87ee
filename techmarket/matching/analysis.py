"""The Chinese analysis every search engine of the product shares (SPEC §2 X1).

``tokenize`` turns a text into index terms: NFKC folding (full-width → half-width), case folding, jieba
segmentation in search mode with the domain dictionary, and removal of stop words and punctuation.
Documents and queries go through the same function, so the embedded and the PostgreSQL engines see the
same terms.

The domain dictionary holds the names of the shipped taxonomies (technology fields, industries,
disciplines) and the keywords of achievements and demands (``DomainWord`` rows). Each process loads it
once and picks up new words at most every few seconds, so a keyword saved by one process segments the
same way in the others soon after.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

import jieba

jieba.setLogLevel(logging.WARNING)

# A token must hold a letter, a digit or a CJK character; everything else (punctuation, spaces) goes.
_WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
# jieba's own dictionary frequency for domain words: high enough to win over splitting them.
DOMAIN_WORD_FREQ = 50_000
# A domain word longer than this is a phrase, not a term (long keywords still match through their parts).
DOMAIN_WORD_MAX_LEN = 16
REFRESH_SECONDS = 5.0


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("techmarket.matching").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def normalize(text: str | None) -> str:
    """Full-width → half-width (NFKC), case folding, runs of white space → one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold()).strip()


def domain_word_clean(word: str) -> str:
    """The form a word takes in the dictionary ("" when it cannot be a term)."""
    word = normalize(word).replace(" ", "")
    if not (2 <= len(word) <= DOMAIN_WORD_MAX_LEN) or not _WORDLIKE.search(word):
        return ""
    return word


class Analyzer:
    """One jieba tokenizer with the domain dictionary; thread-safe for reading."""

    def __init__(self) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._stop = stop_words()
        self._words: set[str] = set()
        self._lock = threading.Lock()
        self._last_id = 0
        self._checked_at = 0.0

    # -- dictionary --
    def add_words(self, words: Iterable[str]) -> int:
        added = 0
        with self._lock:
            for word in words:
                word = domain_word_clean(word)
                if word and word not in self._words:
                    self._words.add(word)
                    self._jieba.add_word(word, freq=DOMAIN_WORD_FREQ)
                    added += 1
        return added

    def refresh(self, *, force: bool = False) -> None:
        """Load domain words saved since the last look (at most every REFRESH_SECONDS)."""
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_SECONDS:
            return
        self._checked_at = now
        from django.db import DatabaseError

        from .models import DomainWord

        try:
            rows = list(DomainWord.objects.filter(pk__gt=self._last_id).order_by("pk").values_list("pk", "word"))
        except DatabaseError:  # before migrations (e.g. a management command on an empty database)
            return
        if rows:
            self.add_words(word for _pk, word in rows)
            self._last_id = rows[-1][0]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self._words)

    # -- analysis --
    def tokenize(self, text: str | None) -> list[str]:
        """Index terms of ``text`` in order (repeats kept: they are term frequencies)."""
        text = normalize(text)
        if not text:
            return []
        stop = self._stop
        return [t for t in self._jieba.cut_for_search(text)
                if len(t) > 0 and t not in stop and t != " " and _WORDLIKE.search(t)]


_analyzer: Analyzer | None = None
_analyzer_lock = threading.Lock()


def analyzer(*, refresh: bool = True) -> Analyzer:
    """The process's analyzer, with the domain dictionary loaded from the database."""
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                instance = Analyzer()
                instance.add_words(taxonomy_words())
                _analyzer = instance
    if refresh:
        _analyzer.refresh()
    return _analyzer


def analyzer_reset() -> None:
    """Forget the process's analyzer (tests, and ``search_reindex`` after a dictionary rebuild)."""
    global _analyzer
    with _analyzer_lock:
        _analyzer = None


def taxonomy_words() -> list[str]:
    """Names of the shipped taxonomies: technology fields, industries, disciplines, contract fields."""
    from django.db import DatabaseError

    from techmarket.taxonomies.models import Term

    try:
        names = list(Term.objects.filter(scheme__code__in=DICTIONARY_SCHEMES).values_list("name", flat=True))
    except DatabaseError:
        return []
    words = []
    for name in names:
        # "新材料及其应用" is a term; so are the parts a 、/及/和 joins ("新材料", "应用").
        words.append(name)
        words.extend(part for part in re.split(r"[、，,/（）()及和与]", name) if part)
    return words


DICTIONARY_SCHEMES = ("hitech_domains", "gbt4754", "gbt13745", "contract_field")


def tokenize(text: str | None) -> list[str]:
    return analyzer().tokenize(text)


def query_terms(text: str | None) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(tokenize(text)))
