"""Benchmark of a billing run (not part of the test suite).

    python bench/billing_run.py [--tenants 11000] [--period 2024-03] [--url URL] [--json]

Fills an empty database (``--url``, or ``RATHAUS_BENCH_DATABASE_URL``; default: a
temporary SQLite file) with N tenants, each subscribed to two services (the
Engagementdirekt tariff and a second monthly tariff with a tracked quantity), then
times the billing run for one month, a re-run (nothing to do) and the finalisation
of every draft. Prints the seconds of each phase, the invoices, lines and
finalisations counted, and the peak memory (maximum resident set size of the
process), one ``name: value`` a line; ``--json`` prints them as JSON. The plugins
loaded are those of the ``PLUGINS`` setting (``RATHAUS_PLUGINS``), as for ``rathaus``.
Targets for 11,000 tenants: first run < 30 s, re-run < 5 s, peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_SERVICE = "bench_records"
BENCH_TARIFF = """
[[tariffs]]
key = "bench-records"
service = "bench_records"
name = "Aktenablage"
issuer = "kommunal-it"

  [[tariffs.versions]]
  valid_from = 2023-01-01
  description = "Aktenablage: Betrieb"
  recurring_fee = "120.00"
  interval = "monthly"
  proration = "by_day"
  vat_category = "S"
  vat_rate = "19.00"

    [[tariffs.versions.metrics]]
    metric = "gigabytes"
    description = "Speicher"
    unit_price = "0.50"
    included = 10
"""


def _peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024, 1)


def _timed(function: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function()
    return result, round(time.perf_counter() - start, 2)


def run_bench(*, tenants: int, period: str, database_url: str | None) -> dict[str, Any]:
    """Fill, run, re-run and finalise; returns the figures."""
    from core import ConflictError, ServiceManifest, catalogue, create_app, migrate

    workdir = Path(tempfile.mkdtemp(prefix="rathaus-billing-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir)})
    catalogue(app).add(
        ServiceManifest(
            key=BENCH_SERVICE,
            title="Aktenablage",
            description="Benchmark service",
            themenfeld="Querschnitt",
        )
    )
    with app.app_context():
        from core import Tenant, get_db, session

        migrate.upgrade(app)
        if session.scalar(select(func.count()).select_from(Tenant)):
            raise ConflictError("the benchmark needs an empty database", field="database_url")
        _, setup_s = _timed(lambda: _fill(tenants))
        figures = _measure(period)
        figures.update(
            {
                "database": get_db().dialect,
                "tenants": tenants,
                "subscriptions": tenants * 2,
                "setup_s": setup_s,
            }
        )
    figures["peak_memory_mb"] = _peak_mb()
    return figures


def _fill(count: int) -> None:
    """Tenants with master data, two subscriptions each, tariffs and contracts."""
    from core import Subscription, Tenant, TenantKind, TenantStatus, session
    from plugins.billing.configuration import apply_toml
    from plugins.billing.contracts import reconcile_contracts
    from plugins.billing.demo import EXAMPLES

    apply_toml((EXAMPLES / "engagementdirekt.toml").read_text(encoding="utf-8") + BENCH_TARIFF)
    rows = [
        {
            "slug": f"bench-{n:05d}",
            "ags": f"99{n:06d}",
            "name": f"Benchgemeinde {n}",
            "kind": TenantKind.GEMEINDE,
            "status": TenantStatus.ACTIVE,
            "invoice_recipient": f"Benchgemeinde {n}",
            "address_street": "Markt 1",
            "address_postcode": "12345",
            "address_city": "Benchstadt",
            "invoice_email": f"r{n}@bench.example",
            "parent_may_administer": False,
        }
        for n in range(count)
    ]
    ids = session.scalars(
        insert(Tenant).returning(Tenant.id, sort_by_parameter_order=True), rows
    ).all()
    start = dt.date(2024, 1, 1)
    subscriptions = [
        {"tenant_id": tenant_id, "service_key": key, "starts_on": start, "settings": {}}
        for tenant_id in ids
        for key in ("engagement", BENCH_SERVICE)
    ]
    session.execute(insert(Subscription), subscriptions)
    session.commit()
    reconcile_contracts()
    session.commit()


def _measure(period: str) -> dict[str, Any]:
    from plugins.billing.invoices import finalize
    from plugins.billing.periods import parse_month
    from plugins.billing.run import run_billing

    month = parse_month(period)
    first, first_s = _timed(lambda: run_billing(month))
    again, rerun_s = _timed(lambda: run_billing(month))
    final, finalize_s = _timed(
        lambda: finalize(everything=True, today=month.end + dt.timedelta(days=1))
    )
    return {
        "first_run_s": first_s,
        "first_run_invoices": first.invoices_created,
        "first_run_lines": first.lines_created,
        "rerun_s": rerun_s,
        "rerun_lines": again.lines_created,
        "finalize_s": finalize_s,
        "finalized": len(final["finalized"]),
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, run the benchmark and print its figures."""
    from core import ConflictError

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tenants", type=int, default=11000, help="Tenants with two subscriptions each."
    )
    parser.add_argument("--period", default="2024-03", help="Month billed (YYYY-MM).")
    parser.add_argument(
        "--url",
        default=os.environ.get("RATHAUS_BENCH_DATABASE_URL"),
        help="Empty database to fill (default: a temporary SQLite file).",
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    try:
        figures = run_bench(tenants=args.tenants, period=args.period, database_url=args.url)
    except ConflictError as error:
        parser.error(str(error))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
