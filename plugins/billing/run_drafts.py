"""How a billing run writes its charges: as lines of draft invoices.

One draft per group of charges (issuer, payer, VAT category); a payer's open draft of
the period is found by its unique ``open_key`` and extended rather than opened twice.
Every line's item is claimed in ``billing_billed_item`` (unique ``item_key``) in the
same transaction, so the database refuses a second bill for an item. A batch that
collides with a concurrent run is rolled back and written group by group with what
is still unbilled (:func:`write_batch`).

VAT is computed per category and rate on the category total (:func:`totals_of`),
never summed per line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from core import session
from plugins.billing.charges import Charge
from plugins.billing.invoice_models import BilledItem, Invoice, InvoiceLine, InvoiceStatus
from plugins.billing.money import vat_cents
from plugins.billing.party_models import Issuer
from plugins.billing.periods import Period
from plugins.billing.vat import VatCategory

#: How often a group that collided with a concurrent run is retried.
RETRIES = 3

#: Exemption reasons printed (and sent as BT-120/BT-121) per VAT category.
EXEMPTION_REASONS = {
    VatCategory.NOT_SUBJECT: (
        "Nicht steuerbar nach § 2b UStG (Zusammenarbeit juristischer Personen "
        "des öffentlichen Rechts)"
    ),
    VatCategory.EXEMPT: "Steuerfrei nach § 4 UStG",
}

#: What one draft invoice gathers: (issuer id, payer as ``t<id>``/``s<id>``, VAT category).
GroupKey = tuple[int, str, VatCategory]


class Written(NamedTuple):
    """What writing a batch did."""

    invoices_created: int
    invoices_extended: int
    lines_created: int
    net_cents: int


def open_key(period: Period, key: GroupKey) -> str:
    """The unique key of a payer's open draft for the period."""
    issuer_id, payer, category = key
    return f"{issuer_id}:{payer}:{period.label}:{category.value}"


def claimed_keys(keys: list[str]) -> set[str]:
    """Which of ``keys`` are billed already."""
    claimed: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        claimed.update(
            session.scalars(select(BilledItem.item_key).where(BilledItem.item_key.in_(chunk)))
        )
    return claimed


def write_batch(period: Period, batch: dict[GroupKey, list[Charge]]) -> Written:
    """Write a batch in one transaction; on a collision, group by group with retries."""
    try:
        counts = _write_groups(period, batch)
        session.commit()
        written = [charges for charges in batch.values()]
    except IntegrityError:
        session.rollback()
        written = []
        counts = (0, 0, 0)
        for key, charges in batch.items():
            group_counts, fresh = _write_group_retrying(period, key, charges)
            counts = tuple(a + b for a, b in zip(counts, group_counts, strict=True))  # type: ignore[assignment]
            written.append(fresh)
    net = sum(charge.net_cents for charges in written for charge in charges)
    return Written(*counts, net_cents=net)


def _write_group_retrying(
    period: Period, key: GroupKey, charges: list[Charge]
) -> tuple[tuple[int, int, int], list[Charge]]:
    """Write one group with what a concurrent run has not billed meanwhile."""
    for _attempt in range(RETRIES):
        claimed = claimed_keys([charge.item_key for charge in charges])
        fresh = [charge for charge in charges if charge.item_key not in claimed]
        if not fresh:
            return (0, 0, 0), []
        try:
            counts = _write_groups(period, {key: fresh})
            session.commit()
            return counts, fresh
        except IntegrityError:
            session.rollback()
    raise RuntimeError(f"could not write the invoice group {key} after {RETRIES} attempts")


def _write_groups(period: Period, groups: dict[GroupKey, list[Charge]]) -> tuple[int, int, int]:
    """Insert drafts (or extend open ones), lines and claims; returns the counts."""
    keys = {open_key(period, key): key for key in groups}
    existing = {
        invoice.open_key: invoice
        for invoice in session.scalars(select(Invoice).where(Invoice.open_key.in_(list(keys))))
    }
    new_rows = [
        _draft_row(period, group_key, groups[group_key], okey)
        for okey, group_key in keys.items()
        if okey not in existing
    ]
    ids: dict[str, int] = {okey: invoice.id for okey, invoice in existing.items()}
    if new_rows:
        returned = session.execute(
            insert(Invoice).returning(Invoice.id, Invoice.open_key, sort_by_parameter_order=True),
            new_rows,
        ).all()
        ids.update({row.open_key: row.id for row in returned})
    first_position = _next_positions([existing[k].id for k in existing])
    line_rows, claim_rows = [], []
    for okey, group_key in keys.items():
        invoice_id = ids[okey]
        position = first_position.get(invoice_id, 1)
        for offset, charge in enumerate(groups[group_key]):
            line_rows.append(_line_row(invoice_id, position + offset, charge))
            claim_rows.append(
                {"item_key": charge.item_key, "period": period.label, "invoice_id": invoice_id}
            )
    session.execute(insert(BilledItem), claim_rows)
    session.execute(insert(InvoiceLine), line_rows)
    for okey in existing:
        refresh_totals(existing[okey])
    session.flush()
    return len(new_rows), len(existing), len(line_rows)


def _next_positions(invoice_ids: list[int]) -> dict[int, int]:
    if not invoice_ids:
        return {}
    rows = session.execute(
        select(InvoiceLine.invoice_id, func.max(InvoiceLine.position))
        .where(InvoiceLine.invoice_id.in_(invoice_ids))
        .group_by(InvoiceLine.invoice_id)
    ).all()
    return {invoice_id: (last or 0) + 1 for invoice_id, last in rows}


def _draft_row(period: Period, key: GroupKey, charges: list[Charge], okey: str) -> dict[str, Any]:
    issuer_id, _payer, category = key
    net, vat = totals_of(
        (charge.vat_category, charge.vat_rate_bp, charge.net_cents) for charge in charges
    )
    first = charges[0]
    return {
        "issuer_id": issuer_id,
        "payer_tenant_id": first.payer_tenant_id,
        "sponsor_id": first.sponsor_id,
        "status": InvoiceStatus.DRAFT,
        "type_code": "380",
        "open_key": okey,
        "period": period.label,
        "vat_category": category,
        "exemption_reason": EXEMPTION_REASONS.get(category),
        "service_start": min(charge.period_start for charge in charges),
        "service_end": max(charge.period_end for charge in charges),
        "net_cents": net,
        "vat_cents": vat,
        "gross_cents": net + vat,
        "seller": {},
        "buyer": {},
    }


def _line_row(invoice_id: int, position: int, charge: Charge) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "position": position,
        "item_key": charge.item_key,
        "description": charge.description[:300],
        "for_tenant_id": charge.for_tenant_id,
        "service_key": charge.service_key,
        "quantity": charge.quantity,
        "unit_code": charge.unit_code,
        "unit_price_cents": charge.unit_price_cents,
        "net_cents": charge.net_cents,
        "vat_category": charge.vat_category,
        "vat_rate_bp": charge.vat_rate_bp,
        "period_start": charge.period_start,
        "period_end": charge.period_end,
        "budget_position": charge.budget_position,
    }


def totals_of(lines: Iterable[tuple[VatCategory, int, int]]) -> tuple[int, int]:
    """Net and VAT of lines given as (category, rate, net): VAT per category and rate
    on the category total (never summed per line)."""
    by_rate: dict[tuple[VatCategory, int], int] = defaultdict(int)
    for category, rate, net in lines:
        by_rate[(category, rate)] += net
    net = sum(by_rate.values())
    vat = sum(vat_cents(amount, rate) for (_category, rate), amount in by_rate.items())
    return net, vat


def refresh_totals(invoice: Invoice) -> None:
    """Recompute a draft's totals and service period from its lines."""
    session.refresh(invoice, ["lines"])
    lines = invoice.lines
    invoice.net_cents, invoice.vat_cents = totals_of(
        (line.vat_category, line.vat_rate_bp, line.net_cents) for line in lines
    )
    invoice.gross_cents = invoice.net_cents + invoice.vat_cents
    invoice.service_start = min(line.period_start for line in lines)
    invoice.service_end = max(line.period_end for line in lines)


def issuer_of(invoice: Invoice) -> Issuer:
    """The invoice's issuer (loaded with it)."""
    return invoice.issuer
