"""The test database: SQLite (a migrated template file each test copies) or, when
``RATHAUS_TEST_DATABASE_URL`` names a server, one PostgreSQL database per pytest
worker, migrated once, emptied after each test and dropped when the run ends.

Fixtures: ``rathaus_database`` (session), ``worker_id``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url


def _configured_url() -> str | None:
    return os.environ.get("RATHAUS_TEST_DATABASE_URL") or os.environ.get("RATHAUS_DATABASE_URL")


@dataclass
class TestDatabase:
    """Where the tests' data lives and how to give each test a clean one."""

    url: str
    template: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def url_for_test(self, tmp_path: Path) -> str:
        if not self.is_sqlite:
            return self.url
        target = tmp_path / "rathaus.sqlite3"
        shutil.copyfile(self.template, target)  # type: ignore[arg-type]
        return f"sqlite:///{target}"

    def empty(self) -> None:
        """Delete every row (PostgreSQL; SQLite tests get a fresh copy instead)."""
        if self.is_sqlite:
            return
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                tables = [
                    name
                    for name in inspect(conn).get_table_names()
                    if not name.startswith("alembic_version")
                ]
                if tables:
                    quoted = ", ".join(f'"{name}"' for name in tables)
                    conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()


#: The role the tests' sessions run as on PostgreSQL: neither superuser nor owner, so
#: row-level security binds it as it binds production (``DATABASE_ROLE``).
TEST_APP_ROLE = "rathaus_test_app"


def _grant_app_role(url: str) -> None:
    """Create the test role (once per server) and let it use every table."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    grants = (
        "SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public",
        "USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public",
    )
    try:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "DO $$ BEGIN CREATE ROLE "
                    + TEST_APP_ROLE
                    + " NOLOGIN NOSUPERUSER NOBYPASSRLS; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )
            )
            for grant in grants:
                conn.execute(text(f"GRANT {grant} TO {TEST_APP_ROLE}"))
            conn.execute(
                text(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
                    f"DELETE, TRUNCATE ON TABLES TO {TEST_APP_ROLE}"
                )
            )
            conn.execute(
                text(
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE "
                    f"ON SEQUENCES TO {TEST_APP_ROLE}"
                )
            )
    finally:
        engine.dispose()


def _drop_worker_database(base_url: str, worker_url: str) -> None:
    """Drop a worker's database at the end of the run: nothing is left behind."""
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = make_url(worker_url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _worker_database(base_url: str, worker: str) -> str:
    """Create (fresh) a PostgreSQL database for one pytest worker; return its URL."""
    url = make_url(base_url)
    # RATHAUS_TEST_DB_SUFFIX keeps two checkouts testing at once apart.
    suffix = os.environ.get("RATHAUS_TEST_DB_SUFFIX", "")
    name = f"{url.database}_rathaus{'_' + suffix if suffix else ''}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def rathaus_database(
    tmp_path_factory: pytest.TempPathFactory, rathaus_plugins: list[str] | None, worker_id: str
) -> Iterator[TestDatabase]:
    """The migrated test database of this pytest worker (on PostgreSQL dropped again
    when the run ends)."""
    from core import create_app, migrate

    configured = _configured_url()
    if configured and not configured.startswith("sqlite"):
        database = TestDatabase(_worker_database(configured, worker_id))
        url = database.url
    else:
        template = tmp_path_factory.mktemp("rathaus-db") / "template.sqlite3"
        database = TestDatabase(f"sqlite:///{template}", template)
        url = database.url
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "PLUGINS": rathaus_plugins,
            "PLUGINS_STRICT": True,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("rathaus-instance")),
        }
    )
    migrate.upgrade(app)
    app.extensions["rathaus.db"].dispose()
    if not database.is_sqlite:
        _grant_app_role(database.url)
    yield database
    if not database.is_sqlite:
        _drop_worker_database(configured, database.url)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker name (``master`` without xdist)."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"
