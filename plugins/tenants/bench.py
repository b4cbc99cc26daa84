"""Benchmark of the bulk import (``rathaus tenants bench-import``).

Each database gets a fresh, migrated schema: SQLite in a temporary folder, PostgreSQL
in a scratch database that is dropped afterwards. The figure is the wall time of
reading, planning, writing and committing the whole file; the re-import of the same
file (nothing to create) is timed too.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DATA_FILE = "GV100AD_301123.txt"


def default_file() -> Path | None:
    """The Germany file in a ``shared/data`` folder next to or above the checkout."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "data" / DATA_FILE
        if candidate.is_file():
            return candidate
    return None


def run(path: Path, postgres_url: str | None = None) -> dict[str, Any]:
    """Figures for SQLite and, given a server URL, PostgreSQL."""
    plugins = current_app.config.get("PLUGINS")
    databases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as folder:
        databases["sqlite"] = _measure(f"sqlite:///{folder}/bench.sqlite3", folder, plugins, path)
        if postgres_url:
            with _scratch_database(postgres_url) as url:
                databases["postgresql"] = _measure(url, folder, plugins, path)
    return {"file": str(path), "databases": databases}


def _measure(url: str, instance: str, plugins: Any, path: Path) -> dict[str, Any]:
    from core import create_app, get_db, migrate, session
    from plugins.tenants.import_planning import plan_import
    from plugins.tenants.import_sources import read_source
    from plugins.tenants.import_writing import write_plan

    app = create_app(
        {"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench", "PLUGINS": plugins}
    )
    migrate.upgrade(app)
    figures: dict[str, Any] = {}
    try:
        with app.app_context():
            for label in ("import", "reimport"):
                start = time.perf_counter()
                source = read_source(path)
                read = time.perf_counter()
                plan = plan_import(source)
                planned = time.perf_counter()
                write_plan(plan)
                written = time.perf_counter()
                session.commit()
                done = time.perf_counter()
                if label == "import":
                    figures.update(
                        created=len(plan.creates),
                        read_s=round(read - start, 3),
                        plan_s=round(planned - read, 3),
                        write_s=round(written - planned, 3),
                        commit_s=round(done - written, 3),
                        import_s=round(done - start, 3),
                    )
                else:
                    figures.update(
                        reimport_s=round(done - start, 3),
                        reimport_created=len(plan.creates),
                        reimport_updated=len(plan.changes),
                    )
            session.close()
    finally:
        get_db(app).dispose()
    return figures


@contextlib.contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """A fresh PostgreSQL database next to the one named by ``url``, dropped afterwards."""
    base = make_url(url)
    name = f"{base.database or 'postgres'}_tenants_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
