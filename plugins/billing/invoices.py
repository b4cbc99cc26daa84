"""Finalising, cancelling, finding and describing invoices.

Finalisation assigns the number inside the transaction that makes the invoice
final: ``<prefix>-<year>-<sequence>`` from a counter row per issuer series and year,
locked ``FOR UPDATE`` on PostgreSQL (SQLite serialises writers, and the counter is
written first so the write lock is taken before anything is read). Numbers are
therefore sequential without gaps, also when two finalisations run at once.

A final document never changes (database triggers refuse it, see the migration).
A correction is a cancellation document (type 381) referencing the original's number
and date, which releases the original's items so that the next billing run bills
them anew on a new invoice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core import (
    ConflictError,
    NotFoundError,
    Tenant,
    ValidationError,
    audit,
    get_db,
    session,
    utcnow,
)
from plugins.billing.invoice_models import (
    BilledItem,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberCounter,
)
from plugins.billing.money import rate_from_basis_points
from plugins.billing.parties import check_buyer, seller_snapshot, sponsor_buyer, tenant_buyer
from plugins.billing.party_models import Issuer, Sponsor

BATCH_SIZE = 500


# ---------------------------------------------------------------------------------
# Finding
# ---------------------------------------------------------------------------------


def invoice_by_number(number: str) -> Invoice:
    """The final document with this number (numbers are unique per issuer; the
    prefix makes them unique across issuers)."""
    invoice = session.scalar(select(Invoice).where(Invoice.number == number.strip()))
    if invoice is None:
        raise NotFoundError(
            "no invoice with number %(number)s",
            field="number",
            code="invoice.unknown",
            number=repr(number),
        )
    return invoice


def invoice_by_ref(ref: str) -> Invoice:
    """A document by number, or a draft by its id (drafts have no number yet)."""
    if ref.isdigit():
        invoice = session.get(Invoice, int(ref))
        if invoice is None:
            raise NotFoundError(
                "no draft or invoice with id %(ref)s",
                field="number",
                code="invoice.unknown",
                ref=ref,
            )
        return invoice
    return invoice_by_number(ref)


def list_invoices(
    *,
    period: str | None = None,
    payer: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    payer_tenant_id: int | None = None,
) -> list[Invoice]:
    """Invoices, oldest first, filtered by period, payer (tenant slug or sponsor key),
    status (draft, final, cancelled) and issuer key."""
    stmt = select(Invoice).order_by(Invoice.id)
    if period:
        stmt = stmt.where(Invoice.period == period)
    if issuer:
        stmt = stmt.join(Issuer, Issuer.id == Invoice.issuer_id).where(Issuer.key == issuer)
    if payer:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.slug == payer))
        sponsor_id = session.scalar(select(Sponsor.id).where(Sponsor.key == payer))
        if tenant_id is None and sponsor_id is None:
            raise NotFoundError(
                "no tenant or sponsor %(payer)s",
                field="payer",
                code="invoice.unknown_payer",
                payer=repr(payer),
            )
        stmt = stmt.where(
            (Invoice.payer_tenant_id == tenant_id)
            if tenant_id is not None
            else (Invoice.sponsor_id == sponsor_id)
        )
    if payer_tenant_id is not None:
        stmt = stmt.where(Invoice.payer_tenant_id == payer_tenant_id)
    invoices = list(session.scalars(stmt).unique())
    if status:
        cancelled = cancelled_ids()
        invoices = [invoice for invoice in invoices if status_of(invoice, cancelled) == status]
    return invoices


def invoices_of_tenant(tenant: Tenant, *, finalised_only: bool = True) -> list[Invoice]:
    """The invoices a tenant pays (what its admins may see)."""
    invoices = list_invoices(payer_tenant_id=tenant.id)
    if finalised_only:
        invoices = [invoice for invoice in invoices if invoice.status == InvoiceStatus.FINAL]
    return invoices


def invoice_of_tenant(tenant: Tenant, number: str) -> Invoice:
    """One final invoice of the tenant; ``NotFoundError`` for anyone else's."""
    invoice = session.scalar(
        select(Invoice).where(
            Invoice.number == number,
            Invoice.payer_tenant_id == tenant.id,
            Invoice.status == InvoiceStatus.FINAL,
        )
    )
    if invoice is None:
        raise NotFoundError(
            "no invoice with number %(number)s",
            field="number",
            code="invoice.unknown",
            number=repr(number),
        )
    return invoice


def cancelled_ids() -> set[int]:
    """Ids of invoices that a cancellation document references."""
    return set(session.scalars(select(Invoice.cancels_id).where(Invoice.cancels_id.is_not(None))))


def status_of(invoice: Invoice, cancelled: set[int] | None = None) -> str:
    """``draft``, ``final`` or ``cancelled`` (a final invoice with a cancellation)."""
    if invoice.status == InvoiceStatus.DRAFT:
        return "draft"
    cancelled = cancelled_ids() if cancelled is None else cancelled
    return "cancelled" if invoice.id in cancelled else "final"


# ---------------------------------------------------------------------------------
# Finalising
# ---------------------------------------------------------------------------------


def finalize(
    refs: Iterable[str] = (),
    *,
    everything: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Finalise drafts (by id) or all drafts: number, date, due date, party snapshots.

    Drafts whose payer lacks invoicing master data are skipped and reported with the
    reason. Returns ``{"finalized": [numbers], "skipped": [{"id", "reason"}]}``.
    """
    today = today or dt.date.today()
    if everything:
        ids = list(
            session.scalars(
                select(Invoice.id).where(Invoice.status == InvoiceStatus.DRAFT).order_by(Invoice.id)
            )
        )
    else:
        ids = []
        for ref in refs:
            invoice = invoice_by_ref(ref)
            if invoice.status != InvoiceStatus.DRAFT:
                raise ConflictError(
                    "invoice %(number)s is final already",
                    field="number",
                    code="invoice.final",
                    number=invoice.number,
                )
            ids.append(invoice.id)
    session.rollback()
    by_issuer: dict[int, list[int]] = defaultdict(list)
    for issuer_id, invoice_id in session.execute(
        select(Invoice.issuer_id, Invoice.id).where(Invoice.id.in_(ids)).order_by(Invoice.id)
    ):
        by_issuer[issuer_id].append(invoice_id)
    session.rollback()
    report: dict[str, Any] = {"finalized": [], "skipped": []}
    done = 0
    for issuer_id, invoice_ids in sorted(by_issuer.items()):
        for start in range(0, len(invoice_ids), BATCH_SIZE):
            batch = invoice_ids[start : start + BATCH_SIZE]
            _finalize_batch(issuer_id, batch, today, report)
            done += len(batch)
            if progress is not None:
                progress(done, len(ids))
    return report


def _finalize_batch(issuer_id: int, ids: list[int], today: dt.date, report: dict[str, Any]) -> None:
    try:
        issuer = session.get(Issuer, issuer_id)
        counter = lock_counter(issuer, today.year)
        drafts = (
            session.scalars(
                _for_update(
                    select(Invoice).where(
                        Invoice.id.in_(ids), Invoice.status == InvoiceStatus.DRAFT
                    )
                ).order_by(Invoice.id)
            )
            .unique()
            .all()
        )
        seller = seller_snapshot(issuer)
        for invoice in drafts:
            buyer = buyer_of(invoice)
            try:
                check_buyer(buyer)
            except ValidationError as exc:
                report["skipped"].append({"id": invoice.id, "reason": str(exc)})
                continue
            _make_final(invoice, issuer, counter, seller, buyer, today)
            report["finalized"].append(invoice.number)
        session.commit()
    except Exception:
        session.rollback()
        raise


def _for_update(stmt: Any) -> Any:
    return stmt.with_for_update(of=Invoice) if get_db().dialect == "postgresql" else stmt


def lock_counter(issuer: Issuer, year: int) -> NumberCounter:
    """The issuer's counter for ``year``, created if missing and locked for this
    transaction (written first, so SQLite takes its write lock before any read)."""
    values = {
        "issuer_id": issuer.id,
        "series": issuer.number_prefix,
        "year": year,
        "last_number": 0,
    }
    dialect_insert = pg_insert if get_db().dialect == "postgresql" else sqlite_insert
    session.execute(
        dialect_insert(NumberCounter)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["issuer_id", "series", "year"])
    )
    stmt = select(NumberCounter).where(
        NumberCounter.issuer_id == issuer.id,
        NumberCounter.series == issuer.number_prefix,
        NumberCounter.year == year,
    )
    if get_db().dialect == "postgresql":
        stmt = stmt.with_for_update()
    counter = session.scalar(stmt.execution_options(populate_existing=True))
    assert counter is not None  # noqa: S101 - inserted just above
    return counter


def _next_number(issuer: Issuer, counter: NumberCounter) -> str:
    counter.last_number += 1
    return f"{issuer.number_prefix}-{counter.year}-{counter.last_number:05d}"


def _make_final(
    invoice: Invoice,
    issuer: Issuer,
    counter: NumberCounter,
    seller: dict[str, Any],
    buyer: dict[str, Any],
    today: dt.date,
) -> None:
    invoice.number = _next_number(issuer, counter)
    invoice.status = InvoiceStatus.FINAL
    invoice.issue_date = today
    invoice.due_date = today + dt.timedelta(days=issuer.payment_days)
    invoice.seller = seller
    invoice.buyer = buyer
    invoice.open_key = None
    invoice.finalized_at = utcnow()


def buyer_of(invoice: Invoice) -> dict[str, Any]:
    """The payer's current data (snapshot at finalisation)."""
    if invoice.payer_tenant_id is not None:
        return tenant_buyer(invoice.payer_tenant)
    return sponsor_buyer(invoice.sponsor)


# ---------------------------------------------------------------------------------
# Cancelling
# ---------------------------------------------------------------------------------


def cancel(number: str, reason: str, *, today: dt.date | None = None) -> Invoice:
    """Issue a cancellation document (type 381) for a final invoice.

    The document repeats the original's lines, references its number and date, and
    gets the next number of the issuer's series. The original stays as it is; its
    items are released for the next billing run, which bills them on a new invoice.

    :raises ValidationError: no reason given.
    :raises ConflictError: a draft, a cancellation document, or already cancelled.
    """
    today = today or dt.date.today()
    if not (reason or "").strip():
        raise ValidationError("say why the invoice is cancelled", field="reason")
    original = invoice_by_number(number)
    if original.type_code == "381":
        raise ConflictError(
            "%(number)s is a cancellation document itself",
            field="number",
            code="invoice.is_cancellation",
            number=number,
        )
    if original.id in cancelled_ids():
        raise ConflictError(
            "invoice %(number)s is cancelled already",
            field="number",
            code="invoice.cancelled",
            number=number,
        )
    try:
        counter = lock_counter(original.issuer, today.year)
        document = _cancellation_of(original, reason.strip(), today)
        session.add(document)
        session.flush()  # written as a draft with its lines, then made final
        document.number = _next_number(original.issuer, counter)
        document.status = InvoiceStatus.FINAL
        session.flush()
        session.execute(delete(BilledItem).where(BilledItem.invoice_id == original.id))
        audit.record(
            "billing.invoice.cancelled",
            f"invoice:{original.number}",
            reason=reason.strip(),
            details={"cancellation": document.number},
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return document


def _cancellation_of(original: Invoice, reason: str, today: dt.date) -> Invoice:
    document = Invoice(
        issuer_id=original.issuer_id,
        payer_tenant_id=original.payer_tenant_id,
        sponsor_id=original.sponsor_id,
        status=InvoiceStatus.DRAFT,
        type_code="381",
        period=original.period,
        vat_category=original.vat_category,
        exemption_reason=original.exemption_reason,
        issue_date=today,
        due_date=today,
        service_start=original.service_start,
        service_end=original.service_end,
        net_cents=original.net_cents,
        vat_cents=original.vat_cents,
        gross_cents=original.gross_cents,
        seller=dict(original.seller),
        buyer=dict(original.buyer),
        cancels_id=original.id,
        cancel_reason=reason,
        finalized_at=utcnow(),
    )
    document.lines = [
        InvoiceLine(
            position=line.position,
            item_key=line.item_key,
            description=line.description,
            for_tenant_id=line.for_tenant_id,
            service_key=line.service_key,
            quantity=line.quantity,
            unit_code=line.unit_code,
            unit_price_cents=line.unit_price_cents,
            net_cents=line.net_cents,
            vat_category=line.vat_category,
            vat_rate_bp=line.vat_rate_bp,
            period_start=line.period_start,
            period_end=line.period_end,
            budget_position=line.budget_position,
        )
        for line in original.lines
    ]
    return document


# ---------------------------------------------------------------------------------
# Describing
# ---------------------------------------------------------------------------------


def payer_of(invoice: Invoice) -> dict[str, Any]:
    """Kind, key and name of the payer."""
    if invoice.payer_tenant_id is not None:
        tenant = invoice.payer_tenant
        return {
            "kind": "tenant",
            "key": tenant.slug,
            "name": tenant.invoice_recipient or tenant.title,
        }
    return {"kind": "sponsor", "key": invoice.sponsor.key, "name": invoice.sponsor.name}


def vat_breakdown(invoice: Invoice) -> list[dict[str, Any]]:
    """Net and VAT per category and rate (VAT on the category total)."""
    from plugins.billing.money import vat_cents

    groups: dict[tuple[str, int], int] = defaultdict(int)
    for line in invoice.lines:
        groups[(line.vat_category.value, line.vat_rate_bp)] += line.net_cents
    return [
        {
            "category": category,
            "rate": f"{rate_from_basis_points(rate):.2f}",
            "net_cents": net,
            "vat_cents": vat_cents(net, rate),
        }
        for (category, rate), net in sorted(groups.items())
    ]
