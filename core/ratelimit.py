"""Throttling of sensitive actions (login, registration) with the ``limits`` library.

One limiter per application, kept in ``app.extensions``; the storage is in memory by
default and Redis (``RATELIMIT_STORAGE_URI=redis://...``) when several workers must
share the counts.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "rathaus.ratelimit"
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Reserve the application's limiter; it is built on first use (``limits`` and a
    Redis client are not worth importing for processes that never log anyone in)."""
    app.extensions[EXTENSION_KEY] = None


def _limiter() -> Any:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        if app.extensions[EXTENSION_KEY] is None:
            from limits.storage import storage_from_string
            from limits.strategies import MovingWindowRateLimiter

            storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
            app.extensions[EXTENSION_KEY] = MovingWindowRateLimiter(storage)
        return app.extensions[EXTENSION_KEY]


def hit(limit: str, *identifiers: str) -> bool:
    """Count one attempt; False when the limit (e.g. ``"5 per minute"``) is exceeded."""
    from limits import parse

    return _limiter().hit(parse(limit), *identifiers)


def allows(limit: str, *identifiers: str) -> bool:
    """Whether one more attempt would be within the limit, without counting it (login
    counts only failures: first ask, then ``hit`` when the attempt failed)."""
    from limits import parse

    return _limiter().test(parse(limit), *identifiers)
