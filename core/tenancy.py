"""Tenant scoping: a plugin cannot forget the tenant filter.

Every model that mixes in :class:`TenantScoped` carries a ``tenant_id``. Inside a
tenant context (every request under ``/<tenant>/...``, or ``with tenant_context(t):``)
the session

* adds ``tenant_id = <current>`` to every ORM SELECT, UPDATE and DELETE that touches
  a tenant-scoped model, including joins, relationship loads and ``session.get``;
* stamps the current tenant on every new tenant-scoped object;
* refuses to flush a change to, or deletion of, another tenant's object and any
  change of an object's ``tenant_id``.

Outside any tenant context (the *platform* context: operator pages, CLI) a query on
a tenant-scoped model is refused with :class:`~core.errors.TenantScopeError`, except
for models that also have platform rows (``tenant_id`` NULL, e.g. operator accounts),
which then see only those. Reading across tenants is always an explicit, greppable
opt-out: ``with cross_tenant("why"):`` or ``.execution_options(cross_tenant=True)``.

What this does not cover: SQL written by hand (``text()``) and Core-level statements
on ``Table`` objects. Use the ORM for tenant-owned data.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, event, inspect
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

from core.errors import TenantScopeError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scope:
    """Which tenant's rows the current code may see."""

    tenant_id: int | None = None
    cross_tenant: bool = False
    reason: str | None = None

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None and not self.cross_tenant


PLATFORM = Scope()
_scope: ContextVar[Scope] = ContextVar("rathaus_tenant_scope", default=PLATFORM)


def current_scope() -> Scope:
    """The scope the current code runs in."""
    return _scope.get()


def current_tenant_id() -> int | None:
    """Id of the tenant in whose context the code runs, or None."""
    return _scope.get().tenant_id


@contextlib.contextmanager
def tenant_context(tenant: Any) -> Iterator[None]:
    """Run the block on behalf of one tenant (a ``Tenant`` or its id)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.id
    if tenant_id is None:
        raise TenantScopeError("tenant_context() needs a flushed tenant with an id")
    token = _scope.set(Scope(tenant_id=tenant_id))
    try:
        yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def cross_tenant(reason: str) -> Iterator[None]:
    """Read and write across tenants for the block — the explicit opt-out.

    :param reason: why this code may see every tenant's rows (logged at debug level,
        and the call is what ``grep cross_tenant`` finds in a review).
    """
    if not reason:
        raise TenantScopeError("cross_tenant() needs a reason")
    log.debug("cross-tenant access: %s", reason)
    token = _scope.set(Scope(cross_tenant=True, reason=reason))
    try:
        yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def platform_context() -> Iterator[None]:
    """Leave any tenant context for the block (operator work on platform rows)."""
    token = _scope.set(PLATFORM)
    try:
        yield
    finally:
        _scope.reset(token)


def enter_tenant(tenant_id: int) -> Any:
    """Set the tenant for the rest of a request; returns the token for :func:`leave`."""
    return _scope.set(Scope(tenant_id=tenant_id))


def leave(token: Any) -> None:
    """Undo :func:`enter_tenant`."""
    _scope.reset(token)


class TenantScoped:
    """Mixin for every model whose rows belong to one tenant.

    Set ``__platform_rows__ = True`` on a model whose rows may also belong to the
    platform itself (``tenant_id`` NULL), such as operator accounts.
    """

    __platform_rows__: ClassVar[bool] = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy's declared_attr style
        return mapped_column(
            ForeignKey("core_tenant.id", ondelete="RESTRICT"),
            index=True,
            nullable=cls.__platform_rows__,
        )


class TenantSession(Session):
    """The session class of Rathaus: enforces tenant scoping (see module docs)."""

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        # session.get() may answer from the identity map without any SQL, so
        # do_orm_execute never sees it: check the object it returns too.
        obj = super().get(entity, ident, **kwargs)
        if obj is not None and isinstance(obj, TenantScoped) and not _visible(obj):
            return None
        return obj


def _visible(obj: TenantScoped) -> bool:
    scope = current_scope()
    if scope.cross_tenant:
        return True
    if scope.tenant_id is not None:
        return obj.tenant_id == scope.tenant_id
    if type(obj).__platform_rows__:
        return obj.tenant_id is None
    raise TenantScopeError(_outside_message(type(obj).__name__))


def _outside_message(model: str) -> str:
    return (
        f"{model} is tenant-scoped: query it inside tenant_context(tenant), or opt out "
        "explicitly with cross_tenant(reason)"
    )


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    """Add the tenant criterion to every ORM statement on tenant-scoped models."""
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load:
        # Refreshing or lazy-loading attributes of an object the session already holds
        # (it was visible when loaded): row-level security lets this one through too.
        state.update_execution_options(rathaus_column_load=True)
        return
    if state.execution_options.get("cross_tenant"):
        return
    scope = current_scope()
    if scope.cross_tenant:
        return
    # The criterion is added to every statement, not only to those whose entities we
    # recognise: ``select(func.count()).select_from(Model)`` names no entity, and
    # with_loader_criteria still filters it. Only the error message needs detection.
    if scope.tenant_id is not None:
        criterion = _tenant_criterion(scope.tenant_id)
    else:
        tenant_only = [
            m.class_.__name__
            for m in state.all_mappers
            if issubclass(m.class_, TenantScoped) and not m.class_.__platform_rows__
        ]
        if tenant_only:
            raise TenantScopeError(_outside_message(tenant_only[0]))
        criterion = _platform_criterion()
    state.statement = state.statement.options(criterion)


# Building a loader criterion (a lambda SQLAlchemy analyses) costs more than many a
# query it filters; the options are immutable, so each is built once and reused.
@functools.lru_cache(maxsize=4096)
def _tenant_criterion(tenant_id: int) -> Any:
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


@functools.cache
def _platform_criterion() -> Any:
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id.is_(None), include_aliases=True
    )


@event.listens_for(TenantSession, "before_flush")
def _guard_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Stamp new rows with the current tenant; refuse writes into other tenants."""
    scope = current_scope()
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            _stamp(obj, scope)
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped):
            _check_write(obj, scope)


def _stamp(obj: TenantScoped, scope: Scope) -> None:
    name = type(obj).__name__
    if scope.tenant_id is not None:
        if obj.tenant_id is None:
            obj.tenant_id = scope.tenant_id
        elif obj.tenant_id != scope.tenant_id:
            raise TenantScopeError(
                f"refusing to add {name} of tenant {obj.tenant_id} inside the context of "
                f"tenant {scope.tenant_id}"
            )
    elif obj.tenant_id is None and not type(obj).__platform_rows__:
        raise TenantScopeError(f"new {name} has no tenant: {_outside_message(name)}")


def _check_write(obj: TenantScoped, scope: Scope) -> None:
    name = type(obj).__name__
    history = inspect(obj).attrs.tenant_id.history
    if history.deleted and history.deleted[0] is not None:
        raise TenantScopeError(f"the tenant of a {name} cannot change")
    if scope.cross_tenant:
        return
    if scope.tenant_id is not None and obj.tenant_id != scope.tenant_id:
        raise TenantScopeError(
            f"refusing to change {name} of tenant {obj.tenant_id} inside the context of "
            f"tenant {scope.tenant_id}"
        )
    if scope.tenant_id is None and obj.tenant_id is not None:
        raise TenantScopeError(f"refusing to change a tenant's {name} outside its tenant context")
