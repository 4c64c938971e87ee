"""Per-process copies of small tables that every page reads and that change seldom.

The region and technology-field choice lists of the filter forms, the portal's active cities and the texts
of its published articles (which the site search looks in) cost more to read than the rest of a search
page. Each process keeps what ``cached`` built for ``TTL`` seconds. A
save or delete of a model that feeds them clears this process's copies at once (``clear_on_change`` wires
the signals), together with the parts of the page frame rendered from them (the local-memory cache
``FRAGMENTS`` of base.html's ``{% cache %}`` blocks); other processes see the change within the TTL. What is
handed out must be treated as read-only (callers that extend a list copy it first).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db.models.signals import post_delete, post_save

TTL = 60.0
FRAGMENTS = "template_fragments"  # the cache alias Django's {% cache %} tag uses when it is configured
T = TypeVar("T")
_entries: dict[str, tuple[float, object]] = {}

__all__ = ["FRAGMENTS", "TTL", "cached", "clear", "clear_on_change"]


def cached(key: str, build: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is None or now - hit[0] > TTL:
        hit = _entries[key] = (now, build())
    return hit[1]  # type: ignore[return-value]


def clear(**_signal_kwargs) -> None:
    from django.core.cache import caches

    _entries.clear()
    # the parts of the page frame rendered from these tables ({% cache %} in base.html)
    caches[FRAGMENTS].clear()


def clear_on_change(*models) -> None:
    for model in models:
        label = model._meta.label_lower
        post_save.connect(clear, sender=model, dispatch_uid=f"process_cache_{label}_save")
        post_delete.connect(clear, sender=model, dispatch_uid=f"process_cache_{label}_delete")
