"""Benchmark of the tenants plugin's bulk import (not part of the test suite).

    python bench/tenants_import.py [--file GV100AD_301123.txt] [--json]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each database gets a fresh, migrated schema: SQLite in a temporary folder and, with
``--postgres`` (or ``RATHAUS_BENCH_POSTGRES_URL``), PostgreSQL in a scratch database
next to the one named, dropped afterwards. The figure is the wall time of reading,
planning, writing and committing the whole file (default: all of Germany,
``GV100AD_301123.txt`` in a ``shared/data`` folder next to or above the checkout),
split into those four steps; the re-import of the same file (nothing to create) is
timed too, with the tenants it created and updated. Prints one line per database;
``--json`` prints the figures as JSON. The plugins loaded are those of the
``PLUGINS`` setting (``RATHAUS_PLUGINS``), as for ``rathaus``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    databases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as folder:
        databases["sqlite"] = _measure(f"sqlite:///{folder}/bench.sqlite3", folder, path)
        if postgres_url:
            with _scratch_database(postgres_url) as url:
                databases["postgresql"] = _measure(url, folder, path)
    return {"file": str(path), "databases": databases}


def _measure(url: str, instance: str, path: Path) -> dict[str, Any]:
    from core import create_app, get_db, migrate, session
    from plugins.tenants.import_planning import plan_import
    from plugins.tenants.import_sources import read_source
    from plugins.tenants.import_writing import write_plan

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench"})
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


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--file",
        type=Path,
        default=default_file(),
        help=f"GV100AD file (default: the whole of Germany, {DATA_FILE}, if found).",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("RATHAUS_BENCH_POSTGRES_URL"),
        help="PostgreSQL server URL to measure too (a scratch database is created and dropped).",
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    if args.file is None:
        parser.error(f"{DATA_FILE} not found; give --file")
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    figures = run(args.file, args.postgres)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for database, result in figures["databases"].items():
        print(
            f"{database}: import of {result['created']} tenants {result['import_s']:.2f} s "
            f"(read {result['read_s']:.2f}, plan {result['plan_s']:.2f}, write "
            f"{result['write_s']:.2f}, "
            f"commit {result['commit_s']:.2f}); re-import {result['reimport_s']:.2f} s "
            f"({result['reimport_created']} created, {result['reimport_updated']} updated)"
        )


if __name__ == "__main__":
    main()
