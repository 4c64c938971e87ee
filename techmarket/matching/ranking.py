"""Ranking above the engines: the field prior that keeps results in the query's field.

Plain text matching drifts out of the field: a query about 飞行器姿态控制 shares 控制 and 模型 with papers
of every discipline. The best text matches, however, nearly always sit in the right field. So the
engine's top ``FEEDBACK_DOCS`` results vote for the query's field (its discipline; a result without one
abstains, see ``documents._category``), each with a weight that falls off
quickly below the best score, and every
result in the rerank window gains ``FIELD_PRIOR_WEIGHT × best score × the share of the vote its field
got``. A clear text winner is never overtaken by a weak result of the right field, while among results
of similar text relevance those of the query's field come first.

Among a million documents the first ``RERANK_WINDOW`` text matches may hold too few results of the query's
field for the prior to lift: text drifts. So when the window is full, or when the engine left out documents
that hold only very common words of the query (``EngineResult.partial``), the engine is asked a second time
for the best ``FIELD_QUERY_LIMIT`` matches *within the leading field* (cheap: that field's results only),
and they join the window below its last result before the prior reorders it. Their scores are the engine's for
that query, whose field filter is itself a scored term: in the embedded engine a good share of them score above
the window's last result (at 1M documents, 44 of 85 sampled queries had one), which lifts the field further.
The quality figures in docs/benchmarks.md were measured with this behaviour.

The constants are round values chosen once on the shared corpus padded to 100,000 documents (a deeper
window and a stronger weight keep more of the top ten in the field once distractors crowd the text
matches; docs/search.md gives the figures), not fitted per query set; search and matching share them.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from dataclasses import replace

from .backends.base import EngineHit, EngineQuery

RERANK_WINDOW = 300       # results reordered (deep enough to find results of the field); below: engine order
FEEDBACK_DOCS = 10        # results that vote for the query's field
FIELD_PRIOR_WEIGHT = 1.0  # at most the best score is added
VOTE_TEMPERATURE = 0.2    # a result scoring 20 % below the best votes e⁻¹ as much
FIELD_QUERY_LIMIT = 100   # results of the leading field added to a full window


def field_vote(hits: Sequence[EngineHit], *, feedback_docs: int = FEEDBACK_DOCS,
               temperature: float = VOTE_TEMPERATURE) -> dict[str, float]:
    """Share of the vote of each category among the top results whose category is known (shares sum to 1)."""
    top = [h for h in hits[:feedback_docs]]
    if not top or top[0].score <= 0:
        return {}
    best = top[0].score
    votes: dict[str, float] = defaultdict(float)
    total = 0.0
    for hit in top:
        if hit.category:  # a result whose field is unknown says nothing about the query's field
            weight = math.exp((hit.score - best) / (temperature * best))
            votes[hit.category] += weight
            total += weight
    return {category: v / total for category, v in votes.items()} if total else {}


def field_prior_rerank(hits: list[EngineHit], *, weight: float = FIELD_PRIOR_WEIGHT,
                       window: int = RERANK_WINDOW) -> list[EngineHit]:
    """``hits`` (engine order, best first) reordered with the field prior inside the window."""
    if len(hits) < 2 or hits[0].score <= 0:
        return hits
    head, tail = hits[:window], hits[window:]
    votes = field_vote(head)
    if not votes:
        return hits
    best = head[0].score
    boost = {category: weight * best * share for category, share in votes.items()}
    # new hits only where the score changes (the engine's hits are not modified); ties keep the engine's order
    rescored = [EngineHit(key=h.key, score=h.score + boost[h.category], category=h.category)
                if h.category in boost else h for h in head]
    scores = [h.score for h in rescored]
    return [rescored[i] for i in sorted(range(len(rescored)), key=scores.__getitem__, reverse=True)] + tail


def ranked_window(backend, query: EngineQuery) -> tuple[list[EngineHit], int]:
    """The first results of ``query`` as the search page ranks them, and the engine's total.

    The engine's first ``RERANK_WINDOW`` results; when they fill the window or the engine left documents out, the
    best ``FIELD_QUERY_LIMIT`` of the leading field that are not in it yet are appended (with their field query's
    scores, see above); then the field prior reorders them all. Pages inside the window read from this list.
    """
    result = backend.search(replace(query, limit=RERANK_WINDOW, offset=0))
    hits = result.hits
    if len(hits) >= RERANK_WINDOW or result.partial:
        votes = field_vote(hits)
        if votes:
            leading = max(votes, key=lambda c: (votes[c], c))
            seen = {h.key for h in hits}
            extra = backend.search(replace(query, category=leading, limit=FIELD_QUERY_LIMIT, offset=0,
                                           count_total=False))
            hits = hits + [h for h in extra.hits if h.key not in seen]
    return field_prior_rerank(hits, window=len(hits)), result.total
