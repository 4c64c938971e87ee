"""Which engine serves this deployment, and how records reach it (index updates after commit).

``TECHMARKET_SEARCH_ENGINE``: ``auto`` (PostgreSQL engine on PostgreSQL, embedded engine otherwise),
``embedded`` or ``postgres``. Web processes never write the index: a save enqueues the record's key after
the transaction commits, and the task worker (``search_index_update``) analyses and writes it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from .backends.base import SearchBackend

log = logging.getLogger(__name__)

_engines: dict[tuple, SearchBackend] = {}
_engines_lock = threading.Lock()


def engine_name() -> str:
    name = getattr(settings, "TECHMARKET_SEARCH_ENGINE", "auto")
    if name == "auto":
        return "postgres" if connection.vendor == "postgresql" else "embedded"
    if name not in ("embedded", "postgres"):
        raise ValueError(f"TECHMARKET_SEARCH_ENGINE must be auto, embedded or postgres, not {name!r}")
    return name


def search_dir() -> Path:
    configured = getattr(settings, "TECHMARKET_SEARCH_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "search"


def engine() -> SearchBackend:
    name = engine_name()
    cache_key = (name, str(search_dir()) if name == "embedded" else "default")
    backend = _engines.get(cache_key)
    if backend is None:
        with _engines_lock:
            backend = _engines.get(cache_key)
            if backend is None:
                if name == "embedded":
                    from .backends.embedded import EmbeddedBackend

                    backend = EmbeddedBackend(search_dir())
                else:
                    from .backends.postgres import PostgresBackend

                    backend = PostgresBackend()
                _engines[cache_key] = backend
    return backend


# --- index updates ---------------------------------------------------------------------------------------

_pending = threading.local()


@contextmanager
def index_updates_deferred():
    """Bulk loads (the demo, large imports) skip per-record updates; the caller rebuilds the index after."""
    previous = getattr(_pending, "deferred", False)
    _pending.deferred = True
    try:
        yield
    finally:
        _pending.deferred = previous


def index_later(keys: Iterable[str]) -> None:
    """Queue keys for the worker once the current transaction commits (one task per transaction).

    The pending set belongs to the transaction's on-commit callback: if the transaction rolls back, the
    callback and its keys go with it, and the next save starts a new set.
    """
    keys = list(keys)
    if not keys or getattr(_pending, "deferred", False):
        return
    conn = transaction.get_connection()
    flush = getattr(conn, "_search_index_flush", None)
    if flush is None or not conn.in_atomic_block or not any(
            entry[1] is flush for entry in conn.run_on_commit):
        pending: set[str] = set()

        def flush() -> None:
            conn._search_index_flush = None
            if pending:
                from .tasks import search_index_update

                search_index_update.enqueue(keys=sorted(pending))

        flush.pending = pending
        conn._search_index_flush = flush
        flush.pending.update(keys)
        transaction.on_commit(flush, robust=True)
        return
    flush.pending.update(keys)


def index_now(keys: Iterable[str]) -> tuple[int, int]:
    """Analyse and write the records behind ``keys`` (the worker, commands and tests).
    Returns (upserted, deleted)."""
    from .documents import entries_for_keys
    from .services import domain_words_add_for_keys

    keys = list(dict.fromkeys(keys))
    if not keys:
        return 0, 0
    domain_words_add_for_keys(keys)
    entries, gone = entries_for_keys(keys)
    backend = engine()
    return backend.upsert(entries), backend.delete(gone)
