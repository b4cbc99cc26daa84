"""The data layer: one declarative base, one engine per application, one session pattern.

The session pattern is the same for requests, CLI commands and tests: inside an
application context, ``core.db.session`` is that context's ``TenantSession``; it is
closed (and anything uncommitted rolled back) when the context ends. Commit
explicitly. Code outside Flask (benchmarks, scripts) uses ``Database.session()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

from core.tenancy import TenantSession

EXTENSION_KEY = "rathaus.db"

# Deterministic constraint names, so that migrations can name what they alter and
# autogenerate compares equal on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and returned timezone-aware (UTC).

    SQLite keeps no time zone; storing UTC everywhere makes both databases agree.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.db.utcnow() or an aware datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Base(DeclarativeBase):
    """The one declarative base of core and every plugin.

    Table names carry the owner's prefix (``core_``, ``engagement_``...) so that
    nothing collides and migrations know which tables are whose.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class Database:
    """An engine and its session factory, created once per application."""

    def __init__(self, url: str, *, echo: bool = False, role: str | None = None) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, echo=echo, **_engine_options(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(
            self.engine, class_=TenantSession, expire_on_commit=False, autoflush=True
        )
        if self.engine.dialect.name == "postgresql":
            from core import rls

            rls.install(self.engine, self.sessionmaker, role=role)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def session(self) -> TenantSession:
        """A new session (use as a context manager outside Flask)."""
        return self.sessionmaker()

    def ping(self) -> None:
        """Run a trivial query; raises when the database is unreachable."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # One connection per thread is SQLite's own rule; Flask's dev server threads.
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


def init_app(app: Flask) -> Database:
    """Create the application's database and close sessions at context teardown."""
    database = Database(
        app.config["DATABASE_URL"],
        echo=app.config.get("SQL_ECHO", False),
        role=app.config.get("DATABASE_ROLE") or None,
    )
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


def get_db(app: Flask | None = None) -> Database:
    """The database of ``app`` (default: the current application)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> TenantSession:
    """The session of the current application context, created on first use."""
    if "_rathaus_session" not in g:
        g._rathaus_session = get_db().session()
    return g._rathaus_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("_rathaus_session", None)
    if db_session is not None:
        db_session.close()


#: The current context's session: ``from core.db import session``.
session: TenantSession = LocalProxy(get_session)  # type: ignore[assignment]


def enum_column_type(enum_cls: type, name: str) -> Any:
    """A portable column type for a ``StrEnum``: VARCHAR plus a CHECK constraint.

    Stores the enum's *values* (``"gemeinde"``), not member names, so the database
    reads well and renaming a Python member does not need a migration.
    """
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
