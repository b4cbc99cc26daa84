"""A worker's short memory of tenants and their subscriptions, for request routing.

Every request under ``/<tenant>/`` or ``/api/v1/tenants/<tenant>/`` needs the tenant
(``g.tenant``) and, on a service's routes, whether the tenant subscribes to the service.
Asking the database both on every request costs more than many answers themselves
(a cached search answer: two queries and a connection checkout for 0.1 ms of work).
The directory keeps both for ``TENANT_CACHE_SECONDS`` (default 5 s, ``0`` turns it off):

* the tenant as its column values, handed to the request's session as a persistent
  object without a query (:func:`sqlalchemy.orm.make_transient_to_detached`), so lazy
  relationships, changes and flushes work as on a loaded one;
* whether the tenant subscribes to a service today.

Forgetting: any statement of this process that writes the tenant, alias or
subscription tables (ORM flush or Core ``insert``/``update``/``delete``) empties every
directory of the process at once, and again when that transaction ends. A change made
by another process (the CLI, another worker) shows here after the seconds above at
the latest — the same promise as the host-name routing's cache
(``HostTenantMiddleware``). Unknown slugs are never remembered, so a new tenant answers
at once.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import UpdateBase

from core.models import Subscription, Tenant, TenantAlias

DEFAULT_SECONDS = 5.0

#: Tables whose writes make every directory forget.
_WATCHED = frozenset({Tenant.__tablename__, TenantAlias.__tablename__, Subscription.__tablename__})
_DIRTY = "rathaus.tenant_directory.dirty"

_DIRECTORIES: weakref.WeakSet[TenantDirectory] = weakref.WeakSet()
_LISTENING: weakref.WeakSet[Engine] = weakref.WeakSet()


class TenantDirectory:
    """Tenants by slug and today's subscriptions by (tenant, service), each for
    ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._tenants: dict[str, tuple[float, dict[str, Any]]] = {}
        self._subscribed: dict[tuple[int, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()
        _DIRECTORIES.add(self)

    def tenant(self, session: Any, slug: str, load: Any) -> Tenant | None:
        """The tenant ``slug`` as a persistent object of ``session``; ``load(slug)``
        asks the database when the directory does not know it (or no longer)."""
        remembered = self._tenants.get(slug)
        if remembered is not None and time.monotonic() - remembered[0] < self.seconds:
            return _attach(session, remembered[1])
        tenant = load(slug)
        if tenant is not None:
            with self._lock:
                self._tenants[slug] = (time.monotonic(), _columns(tenant))
        return tenant

    def subscribed(self, tenant: Tenant, service_key: str, ask: Any) -> bool:
        """Whether ``tenant`` subscribes to the service today; ``ask()`` when unknown.

        Keyed without the day, so the memory stays as small as the number of
        tenants and services: a subscription that starts or ends at midnight shows
        after the seconds at the latest, as any other change does."""
        key = (tenant.id, service_key)
        remembered = self._subscribed.get(key)
        if remembered is not None and time.monotonic() - remembered[0] < self.seconds:
            return remembered[1]
        answer = bool(ask())
        with self._lock:
            self._subscribed[key] = (time.monotonic(), answer)
        return answer

    def forget(self) -> None:
        """Forget everything (a watched table was written)."""
        with self._lock:
            self._tenants.clear()
            self._subscribed.clear()


def directory_of(app: Any) -> TenantDirectory | None:
    """The application's directory, made on first use; ``None`` when turned off."""
    directory = app.extensions.get("rathaus.tenant_directory", False)
    if directory is False:
        seconds = float(app.config.get("TENANT_CACHE_SECONDS", DEFAULT_SECONDS))
        directory = TenantDirectory(seconds) if seconds > 0 else None
        app.extensions["rathaus.tenant_directory"] = directory
    return directory


def watch(engine: Engine) -> None:
    """Make writes through ``engine`` to the watched tables empty every directory."""
    if engine in _LISTENING:
        return
    _LISTENING.add(engine)
    event.listen(engine, "before_execute", _before_execute)
    event.listen(engine, "commit", _transaction_ended)
    event.listen(engine, "rollback", _transaction_ended)


def forget_everywhere() -> None:
    """Empty every directory of this process."""
    for directory in list(_DIRECTORIES):
        directory.forget()


def _before_execute(conn: Connection, clause: Any, *_args: Any) -> None:
    # Only data-changing statements are looked at; a SELECT costs one isinstance test.
    if isinstance(clause, UpdateBase) and getattr(clause.table, "name", None) in _WATCHED:
        conn.info[_DIRTY] = True
        forget_everywhere()


def _transaction_ended(conn: Connection) -> None:
    # A request that read the old row between the write and the commit may have
    # remembered it again: forget once more when the writing transaction ends.
    if conn.info.pop(_DIRTY, False):
        forget_everywhere()


def _columns(tenant: Tenant) -> dict[str, Any]:
    state = inspect(tenant)
    loaded = state.dict
    return {attr.key: loaded[attr.key] for attr in state.mapper.column_attrs if attr.key in loaded}


def _attach(session: Any, columns: dict[str, Any]) -> Tenant:
    """A persistent ``Tenant`` in ``session`` from remembered columns, without SQL (the
    session's own object when it already holds this tenant)."""
    key = inspect(Tenant).identity_key_from_primary_key((columns["id"],))
    existing = session.identity_map.get(key)
    if existing is not None:
        return existing
    tenant = inspect(Tenant).class_manager.new_instance()
    # Filling the instance's dict directly, then marking it all as loaded from the
    # database (make_transient_to_detached), is several times faster than setting
    # each attribute as committed one by one.
    inspect(tenant).dict.update(columns)
    make_transient_to_detached(tenant)
    session.add(tenant)
    return tenant
