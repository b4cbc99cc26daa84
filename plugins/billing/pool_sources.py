"""Cost entries a pool derives instead of having them typed: staff and contracts.

See :mod:`plugins.billing.pool_models` for what the rows mean and which seed
sentences they follow. Both produce :class:`CostEntry` values that the allocation
in :mod:`plugins.billing.pools` shares exactly like typed cost entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from core.db import session
from core.tenancy import cross_tenant
from plugins.billing.models import CostPool
from plugins.billing.pool_models import PoolContractCost

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


def billed_fees(contract_id: int, tenant_id: int, year: int, with_vat: bool) -> int:
    """What ``tenant_id`` was billed under the contract for ``year``: the lines of its
    final, not cancelled invoices whose service period starts in the year; VAT (when
    asked for) is computed on the year's net per rate, half-up."""
    from plugins.billing.invoices import cancelled_ids
    from plugins.billing.models import Invoice, InvoiceLine, InvoiceStatus
    from plugins.billing.money import vat_cents

    with cross_tenant("a pool's cost is the fees billed under a member's contract"):
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
                InvoiceLine.item_key.startswith(f"contract:{contract_id}:"),
            )
        ).all()
        cancelled = cancelled_ids()
    by_rate: dict[int, int] = defaultdict(int)
    for invoice_id, net, rate, start in rows:
        if invoice_id not in cancelled and start.year == year:
            by_rate[rate] += net
    net = sum(by_rate.values())
    if not with_vat:
        return net
    return net + sum(vat_cents(amount, rate) for rate, amount in by_rate.items())


def contract_entry(basis: PoolContractCost, tenant_id: int, year: int) -> CostEntry:
    """A contract basis's cost for ``year``: its share of the fees billed that year."""
    from plugins.billing.money import prorate_cents

    fees = billed_fees(basis.contract_id, tenant_id, year, basis.with_vat)
    cents = prorate_cents(fees, basis.share_bp, FULL_TIME)
    return CostEntry(basis.module, basis.description, year, year, cents)
