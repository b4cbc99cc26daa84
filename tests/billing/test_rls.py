"""Invoices behind PostgreSQL's row-level security: a tenant context sees the invoices
it pays (and their lines); the platform scope (operator) and cross_tenant() see all."""

from __future__ import annotations

from sqlalchemy import text

from core.db import get_db, session
from core.tenancy import cross_tenant, platform_context, tenant_context
from tests.billing.conftest import finalize_all, run


def numbers() -> list[str]:
    return session.scalars(text("SELECT number FROM billing_invoice ORDER BY number")).all()


def line_payers() -> list[str]:
    rows = session.scalars(
        text(
            "SELECT DISTINCT i.number FROM billing_invoice_line l "
            "JOIN billing_invoice i ON i.id = l.invoice_id ORDER BY i.number"
        )
    )
    return rows.all()


def test_raw_sql_reads_invoices_in_the_payers_scope(app, connected_2023, connected_2024):
    from plugins.billing.invoices import list_invoices

    run("2024-03")
    finalize_all()
    by_payer = {i.payer_tenant.slug: i.number for i in list_invoices()}
    everything = sorted(by_payer.values())

    with tenant_context(connected_2023):
        coesfeld, coesfeld_lines = numbers(), line_payers()
    with platform_context():
        operator = numbers()
    with cross_tenant("test reads every invoice"):
        everyone = numbers()
    session.rollback()

    if get_db().dialect == "postgresql":
        assert (coesfeld, coesfeld_lines) == ([by_payer["coesfeld"]], [by_payer["coesfeld"]])
    else:
        assert (coesfeld, coesfeld_lines) == (everything, everything)
    assert operator == everyone == everything
