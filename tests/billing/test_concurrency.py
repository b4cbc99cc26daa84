"""Two processes at once: billing runs create no duplicates, finalisation no gaps.

Each process builds its own application on the test database (PostgreSQL when
configured, else the test's SQLite file) and starts at a barrier.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import session
from plugins.billing.models import BilledItem, Invoice, InvoiceLine
from tests.billing.conftest import apply_example

TENANTS = 60


def _worker(url: str, instance: str, action: str, barrier: Any, results: Any) -> None:
    from core import create_app

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "x",
            "PLUGINS": ["billing", "engagement", "tenants"],
            "INSTANCE_PATH": instance,
        }
    )
    with app.app_context():
        barrier.wait(timeout=60)
        if action == "run":
            from plugins.billing.periods import parse_month
            from plugins.billing.run import run_billing

            results.append(run_billing(parse_month("2024-03")).lines_created)
        else:
            from plugins.billing.invoices import finalize

            results.append(len(finalize(everything=True, today=dt.date(2024, 4, 2))["finalized"]))


def _twice(app: Any, tmp_path: Any, action: str) -> list[int]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    manager = context.Manager()
    results = manager.list()
    url = app.config["DATABASE_URL"]
    processes = [
        context.Process(
            target=_worker, args=(url, str(tmp_path / f"i{n}"), action, barrier, results)
        )
        for n in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    return list(results)


@pytest.fixture
def many_connected(app: Any, make_tenant: Any, subscribe: Any) -> list[Any]:
    apply_example("engagementdirekt.toml")
    tenants = []
    for n in range(TENANTS):
        tenant = make_tenant(
            f"gemeinde-{n:03d}",
            f"05558{n:03d}",
            f"Gemeinde {n}",
            address_street="Markt 1",
            address_postcode="48653",
            address_city="Coesfeld",
            invoice_email=f"r{n}@example.org",
        )
        subscribe(tenant, "engagement", starts_on=dt.date(2024, 3, 1), allow_backdated=True)
        tenants.append(tenant)
    session.commit()
    return tenants


def test_two_concurrent_runs_bill_every_item_once(app, many_connected, tmp_path):
    created = _twice(app, tmp_path, "run")
    session.expire_all()
    assert sum(created) == TENANTS * 2
    assert session.scalar(select(func.count()).select_from(InvoiceLine)) == TENANTS * 2
    assert session.scalar(select(func.count()).select_from(BilledItem)) == TENANTS * 2
    assert session.scalar(select(func.count()).select_from(Invoice)) == TENANTS
    assert session.scalar(select(func.count(func.distinct(Invoice.payer_tenant_id)))) == TENANTS


def test_two_concurrent_finalisations_number_without_gaps(app, many_connected, tmp_path):
    from plugins.billing.periods import parse_month
    from plugins.billing.run import run_billing

    run_billing(parse_month("2024-03"))
    finalized = _twice(app, tmp_path, "finalize")
    session.expire_all()
    assert sum(finalized) == TENANTS
    numbers = sorted(session.scalars(select(Invoice.number)))
    assert numbers == [f"KIT-2024-{n:05d}" for n in range(1, TENANTS + 1)]
