"""XRechnung 3.0 in the CII syntax, built with drafthorse and checked against the XSD.

drafthorse writes the Cross Industry Invoice and validates it against the EN 16931
schema; it does not know XRechnung's business rules, so this module fills in what
they require (the tests assert each point):

* BT-24 specification and BT-23 process identifier;
* BT-10 buyer reference = the payer's Leitweg-ID;
* seller name, address, contact (name, phone, e-mail) and electronic address
  (BT-34, scheme EM); buyer name, address and electronic address (BT-49: the
  Leitweg-ID with scheme 0204, else the e-mail address with scheme EM);
* the seller's VAT ID (VA) or tax number (FC); for category O (§ 2b UStG) never the
  VAT ID but the tax number plus a legal registration identifier (BT-30);
* payment means 58 (SEPA credit transfer) with the issuer's IBAN, and the due date;
  a cancellation (381) asks for no payment: payment means 97 (clearing between
  partners) without an account, and terms saying the amount is credited or set off;
* the service period in the header and on every line (prior-period amounts keep
  their own period);
* line net = quantity × price; a VAT breakdown per category with the rate always
  present (BR-DE-14) and the exemption reason for O and E; totals that add up;
* a line of category O carries no VAT rate (BR-O-05); S and E lines do (BR-S-05,
  BR-E-05);
* a cancellation is type 381 with the preceding invoice's number and date;
* amounts with two decimals and no empty elements (the delivery group carries the
  first day of service as BT-72);
* the payer's budget position (Produkt / Sachkonto) per line as BT-133
  (``SpecifiedLineTradeSettlement/ReceivableSpecifiedTradeAccountingAccount/ID``) and,
  when every line has the same one, for the invoice as BT-19
  (``ApplicableHeaderTradeSettlement/ReceivableSpecifiedTradeAccountingAccount/ID``);
  both 0..1 in EN 16931, no ``TypeCode`` (not part of the EN 16931 CII subset).
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import drafthorse
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem
from lxml import etree

from core import ConflictError
from plugins.billing.invoice_models import Invoice, InvoiceStatus
from plugins.billing.invoices import vat_breakdown
from plugins.billing.money import format_german, from_cents, rate_from_basis_points
from plugins.billing.vat import VatCategory

SPECIFICATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PROCESS_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SCHEMA_FILE = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
#: Exemption reason codes (VATEX) per category.
EXEMPTION_CODES = {VatCategory.NOT_SUBJECT: "VATEX-EU-O"}
#: Payment terms (BT-20) of a cancellation document: credited or set off, no transfer.
CREDIT_TERMS = (
    "Der Betrag von %(amount)s wird gutgeschrieben bzw. mit offenen Forderungen "
    "verrechnet (Stornierung der Rechnung %(number)s). Keine Zahlung erforderlich."
)


def xrechnung_xml(invoice: Invoice) -> bytes:
    """The XRechnung (CII) of a final invoice, validated against the XSD.

    :raises ConflictError: the invoice is still a draft.
    """
    if invoice.status != InvoiceStatus.FINAL:
        raise ConflictError("a draft has no XRechnung; finalise it first", field="number")
    doc = Document()
    _context_and_header(doc, invoice)
    _seller(doc, invoice)
    _buyer(doc, invoice)
    _settlement(doc, invoice)
    for line in invoice.lines:
        doc.trade.items.add(_line(line))
    return validated(ElementTree.tostring(doc.to_etree(), "utf-8"))


@functools.cache
def _schema() -> etree.XMLSchema:
    """drafthorse's EN 16931 CII schema, parsed once (local files only)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), _safe_parser()))


def _safe_parser(schema: etree.XMLSchema | None = None) -> etree.XMLParser:
    """A parser that resolves no entities, loads no DTD and uses no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, schema=schema)


def validated(xml: bytes) -> bytes:
    """``xml`` checked against the CII schema (parsed safely) and pretty-printed.

    drafthorse's own ``serialize`` parses with lxml's default parser; this does the
    same check with entity resolution and network access switched off.

    :raises lxml.etree.XMLSyntaxError: the document does not match the schema.
    """
    root = etree.fromstring(xml, _safe_parser(_schema()))
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _money(cents: int) -> Decimal:
    return from_cents(cents)


def _context_and_header(doc: Document, invoice: Invoice) -> None:
    doc.context.business_parameter.id = PROCESS_ID
    doc.context.guideline_parameter.id = SPECIFICATION_ID
    doc.header.id = invoice.number
    doc.header.type_code = invoice.type_code
    doc.header.issue_date_time = invoice.issue_date
    if invoice.type_code == "381" and invoice.cancel_reason:
        doc.header.notes.add(IncludedNote(content=f"Stornierung: {invoice.cancel_reason}"))
    doc.trade.agreement.buyer_reference = invoice.buyer.get("leitweg_id") or invoice.buyer.get(
        "key"
    )


def _name_and_address(party: Any, data: dict[str, Any]) -> None:
    party.name = data["name"]
    party.address.line_one = data["street"]
    party.address.postcode = data["postcode"]
    party.address.city_name = data["city"]
    party.address.country_id = data.get("country") or "DE"


def _seller(doc: Document, invoice: Invoice) -> None:
    data = invoice.seller
    seller = doc.trade.agreement.seller
    _name_and_address(seller, data)
    seller.contact.person_name = data["contact_name"]
    seller.contact.telephone.number = data["contact_phone"]
    seller.contact.email.address = data["contact_email"]
    seller.electronic_address.uri_ID = ("EM", data["electronic_address"])
    not_subject = invoice.vat_category == VatCategory.NOT_SUBJECT
    if data.get("registration_id"):
        seller.legal_organization.id = ("", data["registration_id"])
    if data.get("vat_id") and not not_subject:
        seller.tax_registrations.add(TaxRegistration(id=("VA", data["vat_id"])))
    if data.get("tax_number") and (not_subject or not data.get("vat_id")):
        seller.tax_registrations.add(TaxRegistration(id=("FC", data["tax_number"])))


def _buyer(doc: Document, invoice: Invoice) -> None:
    data = invoice.buyer
    buyer = doc.trade.agreement.buyer
    _name_and_address(buyer, data)
    if data.get("leitweg_id"):
        buyer.electronic_address.uri_ID = ("0204", data["leitweg_id"])
    else:
        buyer.electronic_address.uri_ID = ("EM", data["email"])


def _settlement(doc: Document, invoice: Invoice) -> None:
    settlement = doc.trade.settlement
    settlement.currency_code = "EUR"
    settlement.period.start = invoice.service_start
    settlement.period.end = invoice.service_end
    # BT-72: the delivery group must not stay empty; services start on this day.
    doc.trade.delivery.event.occurrence = invoice.service_start
    if invoice.type_code == "381":
        _credit_terms(settlement, invoice)
    else:
        _payment_terms(settlement, invoice)
    if invoice.cancels is not None:
        settlement.invoice_referenced_document.issuer_assigned_id = invoice.cancels.number
        settlement.invoice_referenced_document.issue_date_time = invoice.cancels.issue_date
    for group in vat_breakdown(invoice):
        settlement.trade_tax.add(_tax(group, invoice))
    summation = settlement.monetary_summation
    summation.line_total = _money(sum(line.net_cents for line in invoice.lines))
    summation.charge_total = _money(0)
    summation.allowance_total = _money(0)
    summation.tax_basis_total = (_money(invoice.net_cents), None)
    summation.tax_total = (_money(invoice.vat_cents), "EUR")
    summation.grand_total = (_money(invoice.gross_cents), None)
    summation.prepaid_total = _money(0)
    summation.due_amount = _money(invoice.gross_cents)
    reference = buyer_accounting_reference(invoice)
    if reference:
        settlement.accounting_account.id = reference


def buyer_accounting_reference(invoice: Invoice) -> str | None:
    """BT-19: the budget position all lines share (None when they differ or none has one)."""
    positions = {line.budget_position for line in invoice.lines}
    return positions.pop() if len(positions) == 1 else None


def _payment_terms(settlement: Any, invoice: Invoice) -> None:
    """An invoice asks for a SEPA transfer to the issuer's IBAN by the due date."""
    means = PaymentMeans()
    means.type_code = "58"
    means.payee_account.iban = invoice.seller["iban"]
    settlement.payment_means.add(means)
    terms = PaymentTerms()
    terms.description = f"Zahlbar ohne Abzug bis zum {invoice.due_date:%d.%m.%Y}"
    terms.due = invoice.due_date
    settlement.terms.add(terms)


def _credit_terms(settlement: Any, invoice: Invoice) -> None:
    """A cancellation asks for nothing: the amount is credited or set off.

    UNTDID 4461 code 97 is "clearing between partners"; no account (BG-17) is named,
    so nobody transfers money to the issuer because of this document.
    """
    means = PaymentMeans()
    means.type_code = "97"
    means.information.add("Gutschrift / Verrechnung")
    settlement.payment_means.add(means)
    terms = PaymentTerms()
    terms.description = CREDIT_TERMS % {
        "amount": format_german(invoice.gross_cents) + " EUR",
        "number": invoice.cancels.number if invoice.cancels is not None else "",
    }
    settlement.terms.add(terms)


def _tax(group: dict[str, Any], invoice: Invoice) -> ApplicableTradeTax:
    tax = ApplicableTradeTax()
    category = VatCategory(group["category"])
    tax.calculated_amount = _money(group["vat_cents"])
    tax.type_code = "VAT"
    if category != VatCategory.STANDARD:
        tax.exemption_reason = invoice.exemption_reason
        if category in EXEMPTION_CODES:
            tax.exemption_reason_code = EXEMPTION_CODES[category]
    tax.basis_amount = _money(group["net_cents"])
    tax.category_code = category.value
    tax.rate_applicable_percent = Decimal(group["rate"])
    return tax


def _line(line: Any) -> LineItem:
    item = LineItem()
    item.document.line_id = str(line.position)
    item.product.name = line.description
    item.agreement.net.amount = _money(line.unit_price_cents)
    item.delivery.billed_quantity = (Decimal(line.quantity), line.unit_code)
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.vat_category.value
    if line.vat_category != VatCategory.NOT_SUBJECT:  # BR-O-05: no rate on O lines
        item.settlement.trade_tax.rate_applicable_percent = rate_from_basis_points(line.vat_rate_bp)
    item.settlement.period.start = line.period_start
    item.settlement.period.end = line.period_end
    item.settlement.monetary_summation.total_amount = _money(line.net_cents)
    if line.budget_position:
        item.settlement.accounting_account.id = line.budget_position  # BT-133
    return item
