"""Cost entries a pool derives instead of having them typed: staff and contracts.

See :mod:`plugins.billing.pool_models` for what the rows mean and which seed
sentences they follow. Both produce :class:`CostEntry` values that the allocation
in :mod:`plugins.billing.pools` shares exactly like typed cost entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from core import cross_tenant, session
from plugins.billing.pool_models import CostPool, PoolContractCost

FULL_TIME = 10000  # fte_bp of one full-time post


@dataclass(frozen=True)
class CostEntry:
    """A derived cost of one module for a year (or span of years)."""

    module: str
    description: str
    first_year: int
    last_year: int
    amount_cents: int


def staff_year_cents(annual_cost_cents: int, fte_bp: int) -> int:
    """A year's cost of a staff line: annual cost × share of a full-time post,
    rounded half-up to cents (1.0 × 70,000.00 = 70,000.00; 0.5 × 12,345.67 = 6,172.84)."""
    from plugins.billing.money import prorate_cents

    return prorate_cents(annual_cost_cents, fte_bp, FULL_TIME)


def fte_text(fte_bp: int) -> str:
    """The share of a full-time post as people write it: 10000 -> ``1.0``, 5000 -> ``0.5``."""
    whole, rest = divmod(fte_bp, FULL_TIME)
    text = f"{whole}.{rest:04d}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def staff_entries(pool: CostPool) -> list[CostEntry]:
    """One cost entry per staff line and year."""
    entries = []
    for line in pool.staff_costs:
        if line.annual_cost_cents is None:
            continue  # not entered yet: see pool_run.pool_warnings
        cents = staff_year_cents(line.annual_cost_cents, line.fte_bp)
        for year in range(line.first_year, line.last_year + 1):
            description = f"{line.description} ({line.grade}, {fte_text(line.fte_bp)} Stelle)"
            entries.append(CostEntry(line.module, description, year, year, cents))
    return entries


def billed_fees(tenant_id: int, service_key: str, with_vat: bool) -> dict[int, int]:
    """Year -> what ``tenant_id`` was billed under its contract(s) for the service:
    the contract lines of its final, not cancelled invoices, by the year their
    service period starts in; VAT (when asked for) on each year's net per rate,
    half-up. A sponsor's invoices are not the tenant's cost."""
    from plugins.billing.invoice_models import Invoice, InvoiceLine, InvoiceStatus
    from plugins.billing.invoices import cancelled_ids
    from plugins.billing.money import vat_cents

    with cross_tenant("a pool's cost is the fees billed under a tenant's contract"):
        rows = session.execute(
            select(
                InvoiceLine.invoice_id,
                InvoiceLine.net_cents,
                InvoiceLine.vat_rate_bp,
                InvoiceLine.period_start,
            )
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(
                Invoice.status == InvoiceStatus.FINAL,
                Invoice.type_code == "380",
                Invoice.payer_tenant_id == tenant_id,
                InvoiceLine.service_key == service_key,
                InvoiceLine.item_key.startswith("contract:"),
            )
        ).all()
        cancelled = cancelled_ids()
    by_year_rate: dict[tuple[int, int], int] = defaultdict(int)
    for invoice_id, net, rate, start in rows:
        if invoice_id not in cancelled:
            by_year_rate[(start.year, rate)] += net
    fees: dict[int, int] = defaultdict(int)
    for (year, rate), net in by_year_rate.items():
        fees[year] += net + (vat_cents(net, rate) if with_vat else 0)
    return dict(fees)


def contract_entries(basis: PoolContractCost, before_year: int) -> list[CostEntry]:
    """A contract basis's cost entries: its share of each year's billed fees, for the
    years before ``before_year`` (completed) and from its ``from_year`` on."""
    from plugins.billing.money import prorate_cents

    fees = billed_fees(basis.holder_tenant_id, basis.service_key, basis.with_vat)
    return [
        CostEntry(
            basis.module,
            basis.description,
            year,
            year,
            prorate_cents(cents, basis.share_bp, FULL_TIME),
        )
        for year, cents in sorted(fees.items())
        if year < before_year and (basis.from_year is None or year >= basis.from_year)
    ]
