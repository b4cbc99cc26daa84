"""PostgreSQL row-level security: a second wall below the ORM's tenant scoping.

The ORM session adds ``tenant_id = <current>`` to every statement (``core.tenancy``);
hand-written SQL and Core statements bypass it. On PostgreSQL every tenant-owned
table therefore also has row-level security, ``ENABLE`` and ``FORCE`` (so that the
table owner is bound too), with one policy ``rathaus_tenant_isolation`` that lets a
transaction see and write a row only when

* the row's ``tenant_id`` is the setting ``rathaus.tenant_id`` (the tenant context), or
* ``rathaus.cross_tenant`` is ``on`` (code inside ``cross_tenant("reason")``), or
* for tables with platform rows: ``tenant_id`` is NULL and no tenant is set.

Every statement a session sends runs with the settings of the code's current scope:
before a statement whose scope differs from what the transaction has, the two
settings are set with ``set_config(..., true)`` (local to the transaction; the value
is cached per transaction, so a request in one scope pays for it once). With
``DATABASE_ROLE`` set, each session transaction also switches to that role
(``SET LOCAL ROLE``): superusers and roles with ``BYPASSRLS`` are never bound by
policies, so production (and the test suite) should run as a plain role.
Migrations do not go through a session and run as the connecting (owner) role.

Plugins call :func:`enable` in a migration for each tenant-owned table they create
(see ``docs/plugins.md``); :func:`report` (``rathaus db rls``) lists the state.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, text

from core.tenancy import current_scope

TENANT_SETTING = "rathaus.tenant_id"
CROSS_SETTING = "rathaus.cross_tenant"
POLICY = "rathaus_tenant_isolation"

#: SQL for "the tenant of the current scope" (NULL in the platform scope).
CURRENT_TENANT = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::integer"
#: SQL for "inside cross_tenant()".
CROSS_TENANT = f"coalesce(current_setting('{CROSS_SETTING}', true), '') = 'on'"

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_CACHE = "rathaus_rls_scope"
_ACTIVE = "rathaus_rls_active"


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def tenant_condition(column: str = "tenant_id", *, platform_rows: bool = False) -> str:
    """The policy condition for a table whose rows belong to the tenant in ``column``."""
    column = _check_name(column)
    condition = f"{CROSS_TENANT} OR {column} = {CURRENT_TENANT}"
    if platform_rows:
        condition += f" OR ({column} IS NULL AND {CURRENT_TENANT} IS NULL)"
    return condition


def policy_statements(
    table: str, *, column: str = "tenant_id", platform_rows: bool = False, using: str | None = None
) -> list[str]:
    """The SQL that puts ``table`` under row-level security (see :func:`enable`)."""
    table = _check_name(table)
    condition = using or tenant_condition(column, platform_rows=platform_rows)
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition})",
    ]


def enable(
    table: str, *, column: str = "tenant_id", platform_rows: bool = False, using: str | None = None
) -> None:
    """Put a tenant-owned table under row-level security; call it in a migration.

    Does nothing on SQLite. ``platform_rows`` lets the platform scope see rows with a
    NULL tenant (operator accounts); ``using`` replaces the whole condition (build
    it from :data:`CROSS_TENANT` and :data:`CURRENT_TENANT`).
    """
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in policy_statements(
        table, column=column, platform_rows=platform_rows, using=using
    ):
        op.execute(statement)


def disable(table: str) -> None:
    """Undo :func:`enable` (for a migration's ``downgrade``)."""
    from alembic import op

    if op.get_bind().dialect.name != "postgresql":
        return
    table = _check_name(table)
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


# ---------------------------------------------------------------------------------
# Setting the scope on every session transaction
# ---------------------------------------------------------------------------------


def _scope_values(options: Any) -> tuple[str, str]:
    """The settings for a statement: the code's scope, or cross-tenant for the ORM's
    explicit opt-out (``execution_options(cross_tenant=True)``) and for column loads of
    objects the session already holds (which the ORM scoping lets through as well)."""
    if options.get("cross_tenant") or options.get("rathaus_column_load"):
        return "", "on"
    scope = current_scope()
    tenant = "" if scope.tenant_id is None else str(scope.tenant_id)
    return tenant, "on" if scope.cross_tenant else ""


def install(engine: Any, sessionmaker: Any, *, role: str | None = None) -> None:
    """Make every session transaction on ``engine`` carry the current scope (and run
    as ``role``). Connections used outside sessions (migrations) are left alone."""
    if role is not None:
        _check_name(role)

    @event.listens_for(sessionmaker, "after_begin")
    def _mark(_session: Any, _transaction: Any, connection: Any) -> None:
        connection.info[_ACTIVE] = True
        connection.info.pop(_CACHE, None)
        if role is not None:
            connection.execute(text(f"SET LOCAL ROLE {role}"))

    @event.listens_for(engine, "before_cursor_execute")
    def _apply(
        conn: Any, cursor: Any, _statement: Any, _params: Any, context: Any, *_: Any
    ) -> None:
        info = conn.info
        if not info.get(_ACTIVE):
            return
        values = _scope_values(context.execution_options if context is not None else {})
        if info.get(_CACHE) == values:
            return
        cursor.execute(
            f"SELECT set_config('{TENANT_SETTING}', %s, true), "
            f"set_config('{CROSS_SETTING}', %s, true)",
            values,
        )
        info[_CACHE] = values

    def _forget(conn: Any, *_args: Any) -> None:
        conn.info.pop(_CACHE, None)

    def _end(conn: Any, *_args: Any) -> None:
        conn.info.pop(_CACHE, None)
        conn.info.pop(_ACTIVE, None)

    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_CACHE, None)
        record.info.pop(_ACTIVE, None)

    event.listen(engine, "rollback_savepoint", _forget)
    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)
    event.listen(engine, "checkin", _checkin)


# ---------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------


def report(connection: Any) -> list[dict[str, Any]]:
    """Every table with a ``tenant_id`` column or a policy: whether row-level
    security is enabled and forced, and its policies (PostgreSQL only)."""
    rows = connection.execute(
        text(
            """
            SELECT c.relname AS table_name, c.relrowsecurity AS enabled,
                   c.relforcerowsecurity AS forced,
                   coalesce(array_agg(p.polname ORDER BY p.polname)
                            FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies,
                   EXISTS (SELECT 1 FROM information_schema.columns col
                           WHERE col.table_schema = n.nspname AND col.table_name = c.relname
                             AND col.column_name = 'tenant_id') AS has_tenant_id
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_policy p ON p.polrelid = c.oid
            WHERE c.relkind = 'r' AND n.nspname = current_schema()
            GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity, n.nspname
            ORDER BY c.relname
            """
        )
    )
    return [
        {
            "table": row.table_name,
            "tenant_id": row.has_tenant_id,
            "enabled": row.enabled,
            "forced": row.forced,
            "policies": list(row.policies),
        }
        for row in rows
        if row.has_tenant_id or row.enabled or row.policies
    ]
