"""XRechnung 3.0 (CII): valid against the XSD and meeting each point of DOMAIN.md."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import drafthorse
import pytest
from lxml import etree

from plugins.billing.invoices import cancel, invoice_by_number
from plugins.billing.xrechnung import xrechnung_xml
from tests.billing.conftest import finalize_all, run

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
SCHEMA = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse(xml: bytes) -> etree._Element:
    """Parse safely: no entities resolved, no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xml, parser)


def one(root, path):
    (found,) = root.xpath(path, namespaces=NS)
    return found


def text(root, path):
    return one(root, path).text


@pytest.fixture
def documents(app, connected_2024, kkd):
    run("2024-03")
    run("2023-10")
    finalize_all(dt.date(2024, 4, 2))
    taxed = invoice_by_number("KIT-2024-00001")
    not_taxable = next(
        invoice_by_number(f"KKD-2024-{n:05d}")
        for n in range(1, 20)
        if invoice_by_number(f"KKD-2024-{n:05d}").buyer["key"] == "kirchhain"
    )
    return {
        "S": parse(xrechnung_xml(taxed)),
        "O": parse(xrechnung_xml(not_taxable)),
        "taxed": taxed,
    }


def test_documents_are_valid_against_the_en16931_xsd(documents):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for key in ("S", "O"):
        assert schema.validate(documents[key]), schema.error_log


def test_specification_and_process_identifiers(documents):
    root = documents["S"]
    assert text(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    )
    assert text(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    )


def test_buyer_reference_is_the_leitweg_id(documents):
    assert text(documents["S"], "//ram:BuyerReference") == "05558016-59"


def test_seller_name_address_contact_and_electronic_address(documents):
    seller = one(documents["S"], "//ram:SellerTradeParty")
    assert text(seller, "ram:Name") == "Kommunal-IT Musterland GmbH"
    assert [
        text(seller, f"ram:PostalTradeAddress/ram:{f}")
        for f in ("LineOne", "PostcodeCode", "CityName", "CountryID")
    ] == ["Musterweg 1", "12345", "Musterstadt", "DE"]
    assert text(seller, "ram:DefinedTradeContact/ram:PersonName") == "Team Abrechnung"
    assert (
        text(
            seller, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"
        )
        == "+49 30 1234567-0"
    )
    assert (
        text(seller, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID")
        == "abrechnung@kommunal-it.example"
    )
    address = one(seller, "ram:URIUniversalCommunication/ram:URIID")
    assert (address.get("schemeID"), address.text) == ("EM", "rechnung@kommunal-it.example")


def test_buyer_name_address_and_electronic_address(documents):
    buyer = one(documents["S"], "//ram:BuyerTradeParty")
    assert text(buyer, "ram:Name") == "Dülmen, Stadt, Kämmerei"
    assert [
        text(buyer, f"ram:PostalTradeAddress/ram:{f}")
        for f in ("LineOne", "PostcodeCode", "CityName")
    ] == ["Markt 1", "48653", "Dülmen"]
    address = one(buyer, "ram:URIUniversalCommunication/ram:URIID")
    assert (address.get("schemeID"), address.text) == ("0204", "05558016-59")


def test_taxed_invoice_shows_the_seller_vat_id(documents):
    registrations = documents["S"].xpath(
        "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS
    )
    assert [(r.get("schemeID"), r.text) for r in registrations] == [("VA", "DE999999995")]


def test_not_taxable_invoice_has_tax_number_and_registration_but_no_vat_id(documents):
    seller = one(documents["O"], "//ram:SellerTradeParty")
    registrations = seller.xpath("ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS)
    assert [(r.get("schemeID"), r.text) for r in registrations] == [("FC", "02633908881")]
    assert text(seller, "ram:SpecifiedLegalOrganization/ram:ID") == "AGS 06534"


def test_payment_means_58_with_iban_and_due_date(documents):
    root = documents["S"]
    assert text(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert (
        text(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
        == "DE02120300000000202051"
    )
    assert (
        text(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
        == "20240502"
    )


def test_header_and_line_service_periods(documents):
    root = documents["S"]
    assert (
        text(
            root,
            "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString",
        )
        == "20240315"
    )
    assert (
        text(
            root,
            "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString",
        )
        == "20240331"
    )


def test_prior_period_amount_has_its_own_line_period(documents):
    lines = documents["O"].xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    periods = [
        (
            text(line, ".//ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"),
            text(line, ".//ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString"),
            text(line, ".//ram:LineTotalAmount"),
        )
        for line in lines
    ]
    assert periods == [("20220101", "20221231", "8869.25"), ("20230101", "20231231", "12826.30")]


def test_line_net_is_quantity_times_price(documents):
    for root in (documents["S"], documents["O"]):
        for line in root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS):
            quantity = Decimal(text(line, ".//ram:BilledQuantity"))
            price = Decimal(text(line, ".//ram:NetPriceProductTradePrice/ram:ChargeAmount"))
            assert Decimal(text(line, ".//ram:LineTotalAmount")) == quantity * price


def test_vat_breakdown_of_taxed_invoice(documents):
    (tax,) = documents["S"].xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    )
    assert [
        text(tax, f"ram:{f}")
        for f in (
            "CalculatedAmount",
            "TypeCode",
            "BasisAmount",
            "CategoryCode",
            "RateApplicablePercent",
        )
    ] == ["948.35", "VAT", "4991.29", "S", "19.00"]


def test_vat_breakdown_of_not_taxable_invoice_has_rate_zero_and_exemption_reason(documents):
    (tax,) = documents["O"].xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    )
    assert text(tax, "ram:CategoryCode") == "O"
    assert text(tax, "ram:RateApplicablePercent") == "0.00"
    assert text(tax, "ram:CalculatedAmount") == "0.00"
    assert text(tax, "ram:ExemptionReasonCode") == "VATEX-EU-O"
    assert text(tax, "ram:ExemptionReason").startswith("Nicht steuerbar nach § 2b UStG")


def test_totals_add_up(documents):
    for root in (documents["S"], documents["O"]):
        lines = sum(
            Decimal(e.text)
            for e in root.xpath(
                "//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount", namespaces=NS
            )
        )
        taxes = sum(
            Decimal(e.text)
            for e in root.xpath(
                "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount",
                namespaces=NS,
            )
        )
        summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        assert Decimal(text(root, summation + "LineTotalAmount")) == lines
        assert Decimal(text(root, summation + "TaxBasisTotalAmount")) == lines
        assert Decimal(text(root, summation + "TaxTotalAmount")) == taxes
        assert Decimal(text(root, summation + "GrandTotalAmount")) == lines + taxes
        assert Decimal(text(root, summation + "DuePayableAmount")) == lines + taxes
        assert one(root, summation + "TaxTotalAmount").get("currencyID") == "EUR"


def test_no_empty_elements(documents):
    for root in (documents["S"], documents["O"]):
        empty = [el.tag for el in root.iter() if len(el) == 0 and not (el.text or "").strip()]
        assert empty == []


def test_amounts_have_at_most_two_decimals(documents):
    for root in (documents["S"], documents["O"]):
        for element in root.iter():
            tag = etree.QName(element).localname
            if tag.endswith("Amount") or tag in ("BilledQuantity", "RateApplicablePercent"):
                assert AMOUNT.match(element.text), (tag, element.text)


def test_cancellation_is_type_381_with_the_preceding_invoice(app, documents):
    document = cancel("KIT-2024-00001", "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    root = parse(xrechnung_xml(document))
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    reference = one(root, "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument")
    assert text(reference, "ram:IssuerAssignedID") == "KIT-2024-00001"
    assert text(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString") == "20240402"
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)


def test_draft_has_no_xrechnung(app, connected_2024, runner):
    run("2024-03")
    result = runner.invoke("billing", "xrechnung", "1", "-o", "-")
    assert result.exit_code == 2
    assert "Error: number: no invoice with number '1'" in result.stderr


def test_xrechnung_command_writes_the_file(app, documents, runner, tmp_path):
    target = tmp_path / "rechnung.xml"
    result = runner.invoke("billing", "xrechnung", "KIT-2024-00001", "-o", str(target))
    assert result.exit_code == 0
    assert text(parse(target.read_bytes()), "//rsm:ExchangedDocument/ram:ID") == "KIT-2024-00001"


def test_validation_parses_safely_without_resolving_entities():
    from plugins.billing.xrechnung import validated

    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]><x>&e;</x>'
    with pytest.raises(etree.XMLSyntaxError) as caught:
        validated(hostile)
    assert Path("/etc/hostname").read_text().strip() not in str(caught.value)
