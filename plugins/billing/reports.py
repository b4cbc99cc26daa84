"""Reports and exports: the yearly report, the CSV for finance software, monthly costs.

Cancellation documents (type 381) count negatively everywhere, so a cancelled and
re-issued invoice is counted once.

CSV columns (one row per invoice line; ``;``-separated, UTF-8, decimal comma, dates
ISO 8601), for import into municipal finance software:
``Rechnungsnummer; Belegart (380 Rechnung, 381 Storno); Rechnungsdatum; Faellig_am;
Aussteller; Zahler; Zahler_AGS; Leitweg_ID; Abrechnungsmonat; Position;
Beschreibung; Leistung_von; Leistung_bis; Menge; Einzelpreis; Netto; USt_Kategorie;
USt_Satz; Rechnung_Netto; Rechnung_USt; Rechnung_Brutto; Storno_von; Haushaltsstelle``.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from sqlalchemy import select

from core import Tenant, csvsafe, session
from plugins.billing.invoice_models import Invoice, InvoiceStatus
from plugins.billing.invoices import payer_of
from plugins.billing.money import format_amount, rate_from_basis_points

CSV_COLUMNS = (
    "Rechnungsnummer",
    "Belegart",
    "Rechnungsdatum",
    "Faellig_am",
    "Aussteller",
    "Zahler",
    "Zahler_AGS",
    "Leitweg_ID",
    "Abrechnungsmonat",
    "Position",
    "Beschreibung",
    "Leistung_von",
    "Leistung_bis",
    "Menge",
    "Einzelpreis",
    "Netto",
    "USt_Kategorie",
    "USt_Satz",
    "Rechnung_Netto",
    "Rechnung_USt",
    "Rechnung_Brutto",
    "Storno_von",
    "Haushaltsstelle",
)


def _sign(invoice: Invoice) -> int:
    return -1 if invoice.type_code == "381" else 1


def _final(
    period: str | None = None, year: int | None = None, payer_tenant_id: int | None = None
) -> list[Invoice]:
    stmt = select(Invoice).where(Invoice.status == InvoiceStatus.FINAL).order_by(Invoice.id)
    if period:
        stmt = stmt.where(Invoice.period == period)
    if year:
        stmt = stmt.where(Invoice.period.startswith(f"{year:04d}-"))
    if payer_tenant_id is not None:
        stmt = stmt.where(Invoice.payer_tenant_id == payer_tenant_id)
    return list(session.scalars(stmt).unique())


def _decimal_comma(cents: int) -> str:
    return format_amount(cents).replace(".", ",")


def invoices_csv(*, period: str | None = None, year: int | None = None) -> str:
    """Final invoices and cancellations, one row per line (columns: module docs)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for invoice in _final(period, year):
        sign = _sign(invoice)
        buyer = invoice.buyer
        for line in invoice.lines:
            writer.writerow(
                [
                    invoice.number,
                    invoice.type_code,
                    invoice.issue_date.isoformat(),
                    invoice.due_date.isoformat(),
                    invoice.seller.get("name"),
                    buyer.get("name"),
                    buyer.get("ags") or "",
                    buyer.get("leitweg_id") or "",
                    invoice.period,
                    line.position,
                    line.description,
                    line.period_start.isoformat(),
                    line.period_end.isoformat(),
                    line.quantity,
                    _decimal_comma(line.unit_price_cents),
                    _decimal_comma(sign * line.net_cents),
                    line.vat_category.value,
                    f"{rate_from_basis_points(line.vat_rate_bp):.2f}".replace(".", ","),
                    _decimal_comma(sign * invoice.net_cents),
                    _decimal_comma(sign * invoice.vat_cents),
                    _decimal_comma(sign * invoice.gross_cents),
                    invoice.cancels.number if invoice.cancels else "",
                    line.budget_position or "",
                ]
            )
    return out.getvalue()


def yearly_report(year: int) -> dict[str, Any]:
    """Net, VAT and gross per payer and net per service of a year's billing months."""
    payers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    services: dict[str, int] = defaultdict(int)
    totals = [0, 0, 0]
    for invoice in _final(year=year):
        sign = _sign(invoice)
        key = payer_of(invoice)["key"]
        for index, cents in enumerate((invoice.net_cents, invoice.vat_cents, invoice.gross_cents)):
            payers[key][index] += sign * cents
            totals[index] += sign * cents
        for line in invoice.lines:
            services[line.service_key or "other"] += sign * line.net_cents
    return {
        "year": year,
        "payers": [
            {
                "payer": key,
                "net": format_amount(v[0]),
                "vat": format_amount(v[1]),
                "gross": format_amount(v[2]),
            }
            for key, v in sorted(payers.items())
        ],
        "services": [
            {"service": key, "net": format_amount(cents)} for key, cents in sorted(services.items())
        ],
        "total": {
            "net": format_amount(totals[0]),
            "vat": format_amount(totals[1]),
            "gross": format_amount(totals[2]),
        },
    }


def monthly_costs(tenant: Tenant, year: int) -> list[tuple[str, int]]:
    """Gross cost of a tenant per billing month of ``year`` (12 entries, cents)."""
    months = {f"{year:04d}-{month:02d}": 0 for month in range(1, 13)}
    for invoice in _final(year=year, payer_tenant_id=tenant.id):
        months[invoice.period] += _sign(invoice) * invoice.gross_cents
    return list(months.items())
