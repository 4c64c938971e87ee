"""Highlighted snippets of search results (SPEC §2 X1, masked per §3).

``snippet_html`` picks the window of a text that holds the most query terms; ``highlight_html`` marks
the terms in a whole (short) text such as a title. Both mask personal data first, so a phone or ID
number written into an abstract never reaches a page or the API, not even inside a <mark>; then they
escape the text and wrap matches in <mark>. Terms are the analyser's (normalised: NFKC, case folded), so
matching runs on the same normalised form of the text, mapped back to the original characters.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from html import escape  # Django's escape gives the same text, with a lazy-string check per call

from django.utils.safestring import SafeString, mark_safe

from techmarket.core.masking import mask_email, mask_text

from .analysis import normalize

ELLIPSIS = "…"
# Characters of context kept before the first matched term of a window.
LEAD = 24
# Matches looked at when choosing the window (long texts repeat common terms many times).
MAX_MATCHES = 300
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ASCII_WORD = re.compile(r"[0-9a-z]")
_SENTENCE_END = "。！？；!?;\n"


def mask_personal(text: str | None) -> str:
    """Phones and ID numbers (core masking), and e-mail addresses, inside free text."""
    text = mask_text(text or "")
    return _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), text) if "@" in text else text


def _fold(ch: str) -> str:
    return " " if ch.isspace() else unicodedata.normalize("NFKC", ch).casefold()


class _Folds(dict):
    """Folded form (NFKC, case folded, white space as one space) of each character seen so far, filled by
    ``str.translate`` on first sight; bounded by the characters in use."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        if not folded:
            _EMPTY.add(code)  # before the entry: a thread that finds the entry finds this too
        self[code] = folded
        return folded


_FOLD = _Folds()
_EMPTY: set[int] = set()  # characters that fold to nothing (none are known; kept so the fast path stays exact)


def _normalized_with_map(text: str) -> tuple[str, Sequence[int]]:
    """``text`` normalised character by character, and for each normalised character its original index.

    ``analysis.normalize`` also collapses white space; here every character keeps its place so that
    offsets map back (white space becomes one space each, which no term contains). Chinese text folds
    character for character (full-width punctuation to half-width), so the usual case is one
    ``str.translate`` and the identity map: when no character folds to nothing, an unchanged length means
    that every character folded to exactly one.

    Faster still, and the same: in a printable text (so no white space but the plain space) that is
    already in NFKC, every character is its own NFKC form, so folding it is ``casefold``, which works
    character by character."""
    if text.isprintable() and unicodedata.is_normalized("NFKC", text):
        norm = text.casefold()
        if len(norm) == len(text):
            return norm, range(len(text))
    norm = text.translate(_FOLD)
    if len(norm) == len(text) and not _EMPTY:
        return norm, range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for part in _FOLD[ord(ch)]:
            out.append(part)
            origin.append(i)
    return "".join(out), origin


def _latin(ch: str) -> bool:
    return bool(_ASCII_WORD.fullmatch(ch))


@functools.lru_cache(maxsize=512)  # a results page asks forty times for the same query's terms
def _cleaned(terms: tuple[str, ...]) -> tuple[tuple[str, bool, bool], ...]:
    """The terms normalised, longest first (so "锂离子电池" wins over its part "电池" where both match at one
    place), each with whether it starts and ends with a Latin letter or digit."""
    cleaned = {normalize(t).replace(" ", "") for t in terms if t}
    ordered = sorted((t for t in cleaned if t), key=lambda t: (-len(t), t))
    return tuple((t, _latin(t[0]), _latin(t[-1])) for t in ordered)


def _matches(text: str, terms: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) spans in ``text`` (original offsets), overlaps merged, in order."""
    cleaned = _cleaned(tuple(terms))
    if not text or not cleaned:
        return []
    norm, origin = _normalized_with_map(text)
    spans: list[tuple[int, int, str]] = []
    for term, open_left, open_right in cleaned:
        # A term starting or ending with a Latin letter or digit matches whole words only there
        # ("ai" is not highlighted inside "detail"; Chinese terms match anywhere).
        start = norm.find(term)
        while start != -1:
            end = start + len(term)
            if (open_left and start > 0 and _latin(norm[start - 1])) or (
                    open_right and end < len(norm) and _latin(norm[end])):
                start = norm.find(term, start + 1)
                continue
            spans.append((origin[start], origin[end - 1] + 1, term))
            start = norm.find(term, end)
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int, str]] = []
    for start, end, term in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end > last[1]:
                merged[-1] = (last[0], end, last[2])
            continue
        merged.append((start, end, term))
    return merged


def _render(text: str, spans: list[tuple[int, int, str]], offset: int = 0) -> str:
    parts, pos = [], 0
    for start, end, _term in spans:
        start, end = start - offset, end - offset
        if start < pos or end > len(text):
            continue
        parts.append(escape(text[pos:start]))
        parts.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    parts.append(escape(text[pos:]))
    return "".join(parts)


def highlight_html(text: str | None, terms: Iterable[str]) -> SafeString:
    """The whole of ``text``, masked and escaped, with the query terms in <mark>."""
    text = mask_personal(text)
    return mark_safe(_render(text, _matches(text, terms)))  # noqa: S308 (every piece is escaped above)


def _best_window(spans: list[tuple[int, int, str]], size: int, length: int) -> int:
    """Start of the window of ``length`` characters holding the most distinct terms (then the most matches)."""
    best_key, best_start = None, 0
    spans = spans[:MAX_MATCHES]
    for i, (first_start, _e, _t) in enumerate(spans):
        start = max(0, min(first_start - LEAD, size - length))
        end = start + length
        distinct, count = set(), 0
        for s, e, term in spans[i:]:
            if s >= end:
                break
            if s >= start and e <= end:
                distinct.add(term)
                count += 1
        key = (len(distinct), count, -start)
        if best_key is None or key > best_key:
            best_key, best_start = key, start
    return best_start


def snippet_html(text: str | None, terms: Iterable[str], *, length: int = 160) -> SafeString:
    """A window of about ``length`` characters of ``text`` showing the query terms, masked, escaped, marked."""
    text = " ".join(mask_personal(text).split())  # line breaks and runs of spaces read as one space
    if not text:
        return mark_safe("")
    spans = _matches(text, terms)
    if len(text) <= length:
        return mark_safe(_render(text, spans))  # noqa: S308
    start = _best_window(spans, len(text), length) if spans else 0
    if start > 0 and spans:
        # Begin at the start of the sentence holding the first match when it lies inside the lead.
        first = next((s for s, _e, _t in spans if s >= start), start)
        cut = max(text.rfind(ch, start, first) for ch in _SENTENCE_END)
        if cut != -1:
            start = cut + 1
    end = min(len(text), start + length)
    # Never cut a match in two at the window's edges.
    for s, e, _t in spans:
        if s < end < e:
            end = e
        if s < start < e:
            start = s
    inside = [(s, e, t) for s, e, t in spans if s >= start and e <= end]
    html = _render(text[start:end], inside, offset=start)
    return mark_safe((ELLIPSIS if start > 0 else "") + html + (ELLIPSIS if end < len(text) else ""))  # noqa: S308


def record_snippet_text(doc_type: str, record) -> str:
    """The public free text a result's snippet comes from (never phone, e-mail or ID fields)."""
    if doc_type == "achievement":
        return record.abstract
    if doc_type == "demand":
        return record.description
    if doc_type == "expert":
        return " ".join(filter(None, [record.expertise, record.bio]))
    if doc_type == "organization":
        return record.description
    return ""


def record_title(doc_type: str, record) -> str:
    if doc_type in ("achievement", "demand"):
        return record.title
    return record.name
