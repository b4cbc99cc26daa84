"""Corrections of finalised pool invoices when a pool's figures change afterwards.

GoBD: a final invoice never changes. When a subsidy is granted after the members'
shares were invoiced (seed 002: "Sofern die Bewilligung einer IKZ-Förderung erfolgt,
reduziert dies die Gesamtkosten"), every final invoice of an affected year is
cancelled by a credit document (type 381, referencing it) and its items are
released; the next billing run of the pool's month bills the reduced shares on a new
invoice. Changing a pool's figures through the configuration file is refused while
final invoices cover the changed years: the decision goes through
:func:`decide_subsidy`, which issues the corrections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core import NotFoundError, Tenant, ValidationError, session
from plugins.billing.invoice_models import Invoice, InvoiceLine, InvoiceStatus
from plugins.billing.pool_models import CostPool, SubsidyStatus

REASON = "Zuschuss %(source)s für %(year)s bewilligt: Kostenbeteiligung wird neu berechnet"


def shares_by_year(pool: CostPool) -> dict[tuple[int, int], int]:
    """(member tenant id, year) -> cents of the pool's current allocation."""
    from plugins.billing.pools import allocate

    ags_of = dict(session.execute(select(Tenant.id, Tenant.ags)).all())
    return {(s.member.member_tenant_id, s.year): s.cents for s in allocate(pool, ags_of)}


def changed_years(before: dict[tuple[int, int], int], after: dict[tuple[int, int], int]) -> set:
    """Years in which any member's share differs."""
    keys = set(before) | set(after)
    return {key[1] for key in keys if before.get(key, 0) != after.get(key, 0)}


def invoices_covering(pool: CostPool, years: set[int]) -> list[Invoice]:
    """Final, not cancelled invoices with a line of the pool for one of ``years``."""
    from plugins.billing.invoices import cancelled_ids

    if not years:
        return []
    found = session.scalars(
        select(Invoice)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.status == InvoiceStatus.FINAL,
            Invoice.type_code == "380",
            InvoiceLine.item_key.startswith(f"pool:{pool.id}:"),
        )
        .order_by(Invoice.id)
    ).unique()
    cancelled = cancelled_ids()
    return [
        invoice
        for invoice in found
        if invoice.id not in cancelled
        and any(
            line.item_key.startswith(f"pool:{pool.id}:")
            and int(line.item_key.rsplit(":", 1)[1]) in years
            for line in invoice.lines
        )
    ]


def refuse_silent_change(pool: CostPool, before: dict[tuple[int, int], int]) -> None:
    """Refuse a configuration change that alters shares already finalised.

    :raises ValidationError: final invoices cover a year whose shares changed.
    """
    invoices = invoices_covering(pool, changed_years(before, shares_by_year(pool)))
    if invoices:
        raise ValidationError(
            "the change alters shares already on final invoices (%(numbers)s); record a "
            "subsidy decision with 'rathaus billing pools subsidy' or cancel them first",
            field="subsidies",
            code="pool.finalised_shares",
            numbers=", ".join(invoice.number for invoice in invoices),
        )


def decide_subsidy(
    pool_key: str, source: str, year: int, status: str, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Record the funder's decision on a subsidy; a grant that changes shares already
    invoiced cancels those invoices (credit documents) so the next run rebills them.

    :return: ``{"status": ..., "credit_notes": [numbers], "cancelled": [numbers]}``.
    :raises NotFoundError: no such pool or subsidy.
    """
    from plugins.billing.invoices import cancel

    pool = session.scalar(select(CostPool).where(CostPool.key == pool_key))
    if pool is None:
        raise NotFoundError("no pool %(key)s", field="pool", code="pool.unknown", key=pool_key)
    subsidy = next((s for s in pool.subsidies if s.source == source and s.first_year == year), None)
    if subsidy is None:
        raise NotFoundError(
            "pool %(key)s has no subsidy %(source)s for %(year)s",
            field="source",
            code="pool.subsidy_unknown",
            key=pool_key,
            source=source,
            year=year,
        )
    before = shares_by_year(pool)
    subsidy.status = SubsidyStatus(status)
    session.flush()
    invoices = invoices_covering(pool, changed_years(before, shares_by_year(pool)))
    session.commit()
    reason = REASON % {"source": source, "year": year}
    credits = [cancel(invoice.number, reason, today=today).number for invoice in invoices]
    return {
        "status": subsidy.status.value,
        "credit_notes": credits,
        "cancelled": [invoice.number for invoice in invoices],
    }


def record_settled(
    contract: Any, *, billing_from: dt.date | None = None, one_time_settled: bool = False
) -> Any:
    """Record what was settled outside the platform for a (backdated) contract.

    A contract running since before it was recorded was billed elsewhere until now:
    ``billing_from`` is the first day the platform charges, ``one_time_settled`` says
    the one-time connection fee was paid already. Only before the contract's first
    billing run; the caller commits.

    :raises ValidationError: a day before the contract's start, or items of the
        contract were billed already.
    """
    from plugins.billing.invoice_models import BilledItem

    if billing_from is not None and billing_from < contract.starts_on:
        raise ValidationError(
            "billing cannot start before the contract starts (%(day)s)",
            field="billing_from",
            code="contract.billing_before_start",
            day=contract.starts_on.isoformat(),
        )
    billed = session.scalar(
        select(BilledItem.item_key).where(
            BilledItem.item_key.startswith(f"contract:{contract.id}:")
        )
    )
    if billed is not None:
        raise ValidationError(
            "contract %(id)s was billed already; cancel its invoices first",
            field="contract",
            code="contract.billed_already",
            id=contract.id,
        )
    from core import tenant_context

    with tenant_context(contract.tenant_id):
        if billing_from is not None:
            contract.billable_from = billing_from
        if one_time_settled:
            contract.one_time_fee_due = False
        session.flush()
    return contract
