"""Benchmark of the operator console and the bulk CLI (issue 10 §1, issue 15 goal 3).

    python bench/operator_bench.py [--file GV100AD_301123.txt] [--runs 30]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

1. **List pages**: a fresh database (SQLite in a temporary folder; with --postgres
   also a scratch PostgreSQL database, dropped afterwards) gets all of Germany
   (GV100AD: about 11,000 Gemeinden, Kreise and Länder), a tenth of the Gemeinden
   active and subscribed to a service. A logged-in operator then fetches the console's
   list pages through the WSGI test client; p50/p95 per page in milliseconds.
2. **400 activations**: ``rathaus tenants activate SLUG x 400`` as one process
   against a SQLite database with NRW imported: wall time including start-up.

Prints a table; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "operator bench password"  # noqa: S105 - a scratch database's account
PAGES = {
    "tenants, page 1": "/operator/tenants/",
    "tenants, page 100": "/operator/tenants/?page=100",
    "tenants, status active": "/operator/tenants/?status=active",
    "tenants, Land 09 (Bayern)": "/operator/tenants/?land=09",
    "tenants, service engagement": "/operator/tenants/?service=engagement",
    "tenants, search name 'berg'": "/operator/tenants/?q=berg",
    "tenants, search postcode 48653": "/operator/tenants/?q=48653",
    "tenants, search AGS 05558": "/operator/tenants/?q=05558",
    "tenant page": "/operator/tenants/coesfeld",
    "audit log, page 1": "/operator/audit",
    "audit log, one tenant": "/operator/audit?tenant=coesfeld",
    "invoices": "/operator/invoices/",
}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def fill(app: Any, path: Path) -> int:
    """Import the file, activate and subscribe every tenth Gemeinde, add an operator."""
    from sqlalchemy import select

    from core import accounts
    from core.db import session
    from core.models import Role, Tenant, TenantKind, TenantStatus
    from core.services import subscribe
    from plugins.tenants.import_sources import read_source
    from plugins.tenants.importing import import_tenants

    with app.app_context():
        report = import_tenants(read_source(path))
        session.commit()
        gemeinden = session.scalars(
            select(Tenant).where(Tenant.kind == TenantKind.GEMEINDE).order_by(Tenant.ags)
        ).all()
        for tenant in gemeinden[::10]:
            tenant.status = TenantStatus.ACTIVE
            subscribe(tenant, "engagement", starts_on=dt.date.today())
        accounts.create_user("bench@example.org", "Bench", PASSWORD, [Role.OPERATOR])
        session.commit()
        return len(report.plan.creates)


def measure_pages(url: str, folder: str, path: Path, runs: int) -> dict[str, Any]:
    """p50/p95 of each console page on a database with all of Germany."""
    from core import create_app, migrate
    from core.testing import submit

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": folder, "SECRET_KEY": "bench"})
    migrate.upgrade(app)
    started = time.perf_counter()
    tenants = fill(app, path)
    figures: dict[str, Any] = {
        "tenants": tenants,
        "fill_s": round(time.perf_counter() - started, 1),
    }
    client = app.test_client()
    with app.app_context():
        answer = submit(client, "/login", {"email": "bench@example.org", "password": PASSWORD})
        assert answer.status_code == 302, answer.status_code
    pages = {}
    for label, page in PAGES.items():
        times = []
        for _ in range(runs + 2):
            began = time.perf_counter()
            response = client.get(page)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        times = times[2:]  # the first two warm caches
        pages[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
        }
    figures["pages"] = pages
    return figures


@contextlib.contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A new PostgreSQL database on the server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"rathaus_operator_bench_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rathaus(env: dict[str, str], *args: str) -> str:
    """Run our own ``rathaus`` command; its standard output."""
    rathaus = str(Path(sys.executable).with_name("rathaus"))
    done = subprocess.run(  # noqa: S603 - our own executable
        [rathaus, *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def measure_activations(folder: str, count: int = 400) -> dict[str, Any]:
    """Wall time of one ``rathaus tenants activate`` process for ``count`` tenants."""
    env = {**os.environ, "RATHAUS_INSTANCE_PATH": folder}
    env.pop("RATHAUS_DATABASE_URL", None)
    _rathaus(env, "db", "upgrade")
    _rathaus(env, "tenants", "import", "--gazetteer", "--land", "05")
    listed = _rathaus(env, "tenants", "list", "--status", "requested", "--json")
    slugs = [row["slug"] for row in json.loads(listed)][:count]
    began = time.perf_counter()
    _rathaus(env, "tenants", "show", slugs[0], "--json")
    anchor = time.perf_counter() - began  # the same start-up, one tenant read
    began = time.perf_counter()
    done = _rathaus(env, "tenants", "activate", *slugs, "--json")
    seconds = time.perf_counter() - began
    return {
        "activated": len(json.loads(done)),
        "seconds": round(seconds, 2),
        "show_one_tenant_s": round(anchor, 2),
    }


def main() -> None:
    from tenants_import import default_file  # bench/ is the script's folder on sys.path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=default_file())
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("RATHAUS_BENCH_POSTGRES_URL"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-pages", action="store_true", help="Only the 400 activations.")
    args = parser.parse_args()
    if args.file is None:
        parser.error("GV100AD_301123.txt not found; give --file")
    figures: dict[str, Any] = {"file": str(args.file), "runs": args.runs, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="rathaus-operator-bench-") as folder:
        if args.skip_pages:
            args.postgres = None
        sqlite = f"sqlite:///{folder}/bench.sqlite3"
        if not args.skip_pages:
            figures["databases"]["sqlite"] = measure_pages(sqlite, folder, args.file, args.runs)
        if args.postgres:
            with scratch_postgres(args.postgres) as url:
                figures["databases"]["postgresql"] = measure_pages(
                    url, folder, args.file, args.runs
                )
    with tempfile.TemporaryDirectory(prefix="rathaus-activate-bench-") as folder:
        figures["activations"] = measure_activations(folder)
    figures["load"] = os.getloadavg()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for database, data in figures["databases"].items():
        print(f"{database}: {data['tenants']} tenants (filled in {data['fill_s']} s)")
        for label, page in data["pages"].items():
            print(f"  {label:34} p50 {page['p50_ms']:7.1f} ms   p95 {page['p95_ms']:7.1f} ms")
    act = figures["activations"]
    print(
        f"activate: {act['activated']} tenants in one process: {act['seconds']} s "
        f"(anchor: `tenants show` of one tenant, same start-up: {act['show_one_tenant_s']} s)"
    )
    print("load average: " + " ".join(f"{x:.2f}" for x in figures["load"]))


if __name__ == "__main__":
    main()
