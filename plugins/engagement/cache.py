"""A cache of search results, per process and database, emptied when offers change.

The search API answers the same searches again and again (a portal's start page, a
PLZ and two fields). :func:`cached` keeps the last ``ENGAGEMENT_SEARCH_CACHE_SIZE``
answers (default 2,048; 0 turns the cache off) under a key made of the normalised
query (see ``describe.search_listing``), least recently used out first.

Two things empty it:

* a flush of offers or organisations through the ORM in this process (at once);
* the counter ``engagement_search_version``, which database triggers raise on every
  write to offers and organisations — also from other processes (the other gunicorn
  workers, the CLI) and from writes outside the ORM. It is read at most every
  ``ENGAGEMENT_SEARCH_CACHE_CHECK_SECONDS`` (default 1.0): another process's change
  shows after at most that long. 0 reads it before every search.

Hits and misses are counted (``stats()``) so that benchmarks can measure both.
"""

from __future__ import annotations

import itertools
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core import get_db, session
from plugins.engagement.models import Opportunity, Organisation, SearchVersion

DEFAULT_SIZE = 2048
DEFAULT_CHECK_SECONDS = 1.0
_VERSION = select(SearchVersion.__table__.c.version).where(SearchVersion.__table__.c.id == 1)


class ResultCache:
    """Least recently used answers, valid while the version counter stays the same."""

    def __init__(self, size: int, check_seconds: float) -> None:
        self.size = size
        self.check_seconds = check_seconds
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._version: int | None = None
        self._checked = -float("inf")

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached answer for ``key``, else ``compute()`` (then kept)."""
        self._check()
        try:
            value = self._entries[key]
        except KeyError:
            self.misses += 1
            value = self._entries[key] = compute()
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value
        self.hits += 1
        self._entries.move_to_end(key)
        return value

    def clear(self) -> None:
        """Forget every answer and read the counter again before the next search."""
        self._entries.clear()
        self._checked = -float("inf")

    def _check(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        version = session.connection().execute(_VERSION).scalar()
        if version is None or version != self._version:  # no row: cannot tell
            self._entries.clear()
            self._version = version
        self._checked = now


#: Every cache of the process (one per database; tests make many).
_CACHES: weakref.WeakSet[ResultCache] = weakref.WeakSet()


def result_cache() -> ResultCache | None:
    """The current database's cache, or None when it is turned off."""
    database = get_db()
    cache = getattr(database, "engagement_result_cache", None)
    if cache is None:
        size = int(current_app.config.get("ENGAGEMENT_SEARCH_CACHE_SIZE", DEFAULT_SIZE))
        seconds = float(
            current_app.config.get("ENGAGEMENT_SEARCH_CACHE_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
        )
        cache = ResultCache(size, seconds) if size > 0 else False
        database.engagement_result_cache = cache  # type: ignore[attr-defined]
        if cache:
            _CACHES.add(cache)
    return cache or None


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer, from the cache when the same ``key`` was answered since
    offers last changed."""
    cache = result_cache()
    return compute() if cache is None else cache.get(key, compute)


def stats() -> dict[str, int]:
    """Hits and misses of the current database's cache."""
    cache = result_cache()
    return {"hits": cache.hits, "misses": cache.misses} if cache else {"hits": 0, "misses": 0}


@event.listens_for(Session, "after_flush")
def _offers_changed(flushed: Session, _context: Any) -> None:
    """An offer or organisation written through the ORM empties the caches at once."""
    changed = itertools.chain(flushed.new, flushed.dirty, flushed.deleted)
    if any(isinstance(obj, (Opportunity, Organisation)) for obj in changed):
        for cache in list(_CACHES):
            cache.clear()
