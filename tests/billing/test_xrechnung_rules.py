"""EN 16931 and XRechnung 3.0 business rules, asserted on the generated XML.

drafthorse checks the schema only; the Schematron rules of EN 16931 (BR-*) and the
German CIUS (BR-DE-*) are asserted here, one test per rule id, for every VAT category
the platform emits (S: Engagementdirekt, O: § 2b cost shares, E: an exempt tariff)
and for invoices (380) and cancellations (381). Category Z is not emitted: no seed
service is zero-rated, and the VAT category enum has no Z.

The XML is parsed with lxml and entity resolution switched off.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from lxml import etree

from plugins.billing.invoices import cancel, invoice_by_number
from plugins.billing.xrechnung import xrechnung_xml
from tests.billing.conftest import EXAMPLES, finalize_all, master_data, run

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
LINE = "//ram:IncludedSupplyChainTradeLineItem"
BREAKDOWN = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
SELLER_TAX = "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"


def parse(xml: bytes) -> etree._Element:
    """Parse safely: no entities resolved, no DTD, no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xml, parser)


def xpath(root: etree._Element, path: str) -> list[etree._Element]:
    return root.xpath(path, namespaces=NS)


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in xpath(root, path)]


def amount(root: etree._Element, path: str) -> Decimal:
    (value,) = texts(root, path)
    return Decimal(value)


@pytest.fixture
def documents(app, connected_2024, kkd):
    """An S invoice (Dülmen), an O cost share (Kirchhain), and their cancellations;
    both payers have a budget position (Kirchhain's "Budget 010102" is seed 002's,
    Dülmen's is invented)."""
    from plugins.billing.describe import contract_by_id
    from plugins.billing.pool_admin import set_contract_budget, set_member_budget
    from plugins.billing.pool_config import contract_of

    set_member_budget("kkd", "kirchhain", "010102", None)
    contract = contract_of("05558016", "engagement", "contract")
    set_contract_budget(contract_by_id(contract.id), "01.11.99", "543199")
    run("2024-03")
    run("2023-10")
    finalize_all(dt.date(2024, 4, 2))
    kirchhain = next(
        invoice_by_number(f"KKD-2024-{n:05d}")
        for n in range(1, 20)
        if invoice_by_number(f"KKD-2024-{n:05d}").buyer["key"] == "kirchhain"
    )
    numbers = {"S": "KIT-2024-00001", "O": kirchhain.number}
    found = {key: parse(xrechnung_xml(invoice_by_number(n))) for key, n in numbers.items()}
    for key, number in numbers.items():
        document = cancel(number, "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
        found[f"{key}-381"] = parse(xrechnung_xml(document))
    return found


@pytest.fixture
def exempt(app, other_tenant, subscribe):
    """Engagementdirekt priced as exempt (category E) for one invoice of Dülmen."""
    from plugins.billing.configuration import apply_toml

    text = (EXAMPLES / "engagementdirekt.toml").read_text(encoding="utf-8")
    taxed = 'vat_category = "S"\n  vat_rate = "19.00"'
    assert taxed in text
    apply_toml(text.replace(taxed, 'vat_category = "E"\n  vat_rate = "0.00"'))
    duelmen = master_data(other_tenant)
    subscribe(duelmen, "engagement", starts_on=dt.date(2024, 3, 15), allow_backdated=True)
    run("2024-03")
    finalize_all(dt.date(2024, 4, 2))
    return parse(xrechnung_xml(invoice_by_number("KIT-2024-00001")))


@pytest.fixture(params=["S and O", "E"])
def every(request):
    """The documents by key: S and O with their cancellations, or the E invoice
    (both cannot exist in one database: they price the same service)."""
    if request.param == "E":
        return {"E": request.getfixturevalue("exempt")}
    return request.getfixturevalue("documents")


def categories(root: etree._Element) -> list[str]:
    return texts(root, LINE + "//ram:ApplicableTradeTax/ram:CategoryCode")


# --- general rules ---------------------------------------------------------------


def test_br_01_br_de_21_specification_identifier(every):
    for root in every.values():
        assert texts(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
            "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
        ]


def test_br_04_br_de_17_type_code_380_or_381(every):
    expected = {"S": "380", "S-381": "381", "O": "380", "O-381": "381", "E": "380"}
    for key, root in every.items():
        assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode") == [expected[key]]


def test_br_16_at_least_one_line_and_br_21_to_26_line_content(every):
    for root in every.values():
        lines = xpath(root, LINE)
        assert lines
        for line in lines:
            assert texts(line, "ram:AssociatedDocumentLineDocument/ram:LineID")
            (quantity,) = xpath(line, ".//ram:BilledQuantity")
            assert quantity.get("unitCode") == "C62"
            assert texts(line, ".//ram:LineTotalAmount")
            assert texts(line, "ram:SpecifiedTradeProduct/ram:Name")
            assert texts(line, ".//ram:NetPriceProductTradePrice/ram:ChargeAmount")


def test_br_27_item_net_price_is_not_negative(every):
    for root in every.values():
        for price in texts(root, LINE + "//ram:NetPriceProductTradePrice/ram:ChargeAmount"):
            assert Decimal(price) >= 0


def test_br_29_br_30_periods_end_on_or_after_start(every):
    for root in every.values():
        for period in xpath(root, "//ram:BillingSpecifiedPeriod"):
            (start,) = texts(period, "ram:StartDateTime/udt:DateTimeString")
            (end,) = texts(period, "ram:EndDateTime/udt:DateTimeString")
            assert end >= start


def test_br_co_10_13_14_15_16_totals(every):
    for root in every.values():
        lines = sum(Decimal(t) for t in texts(root, LINE + "//ram:LineTotalAmount"))
        taxes = sum(Decimal(t) for t in texts(root, BREAKDOWN + "/ram:CalculatedAmount"))
        assert amount(root, SUMMATION + "LineTotalAmount") == lines
        assert amount(root, SUMMATION + "TaxBasisTotalAmount") == lines
        assert amount(root, SUMMATION + "TaxTotalAmount") == taxes
        assert amount(root, SUMMATION + "GrandTotalAmount") == lines + taxes
        assert amount(root, SUMMATION + "DuePayableAmount") == lines + taxes


def test_br_co_17_vat_is_basis_times_rate_rounded_to_cents(every):
    for root in every.values():
        for group in xpath(root, BREAKDOWN):
            basis = amount(group, "ram:BasisAmount")
            rate = amount(group, "ram:RateApplicablePercent")
            expected = (basis * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert amount(group, "ram:CalculatedAmount") == expected


def test_br_co_18_at_least_one_vat_breakdown(every):
    for root in every.values():
        assert len(xpath(root, BREAKDOWN)) >= 1


def test_br_co_25_positive_amount_due_has_due_date_or_terms(every):
    for root in every.values():
        assert amount(root, SUMMATION + "DuePayableAmount") > 0
        terms = texts(root, "//ram:SpecifiedTradePaymentTerms/ram:Description")
        due = texts(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
        assert terms or due


def test_br_55_cancellation_references_the_preceding_invoice(documents):
    (reference,) = xpath(documents["S-381"], "//ram:InvoiceReferencedDocument")
    assert texts(reference, "ram:IssuerAssignedID") == ["KIT-2024-00001"]
    assert texts(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString") == ["20240402"]
    assert texts(documents["O-381"], "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID")


# --- category S -------------------------------------------------------------------


def test_br_s_01_s_lines_have_an_s_breakdown(documents):
    for key in ("S", "S-381"):
        assert set(categories(documents[key])) == {"S"}
        assert texts(documents[key], BREAKDOWN + "/ram:CategoryCode") == ["S"]


def test_br_s_02_seller_vat_id_present(documents):
    for key in ("S", "S-381"):
        assert [(e.get("schemeID"), e.text) for e in xpath(documents[key], SELLER_TAX)] == [
            ("VA", "DE999999995")
        ]


def test_br_s_05_s_line_rate_is_greater_than_zero(documents):
    for key in ("S", "S-381"):
        rates = texts(documents[key], LINE + "//ram:ApplicableTradeTax/ram:RateApplicablePercent")
        assert rates and all(Decimal(rate) == Decimal("19.00") for rate in rates)


def test_br_s_08_s_basis_is_sum_of_s_lines(documents):
    for key in ("S", "S-381"):
        root = documents[key]
        lines = sum(Decimal(t) for t in texts(root, LINE + "//ram:LineTotalAmount"))
        assert amount(root, BREAKDOWN + "/ram:BasisAmount") == lines == Decimal("4991.29")


def test_br_s_09_s_vat_is_basis_times_rate(documents):
    for key in ("S", "S-381"):
        assert amount(documents[key], BREAKDOWN + "/ram:CalculatedAmount") == Decimal("948.35")


def test_br_s_10_s_breakdown_has_no_exemption_reason(documents):
    for key in ("S", "S-381"):
        assert texts(documents[key], BREAKDOWN + "/ram:ExemptionReason") == []
        assert texts(documents[key], BREAKDOWN + "/ram:ExemptionReasonCode") == []


# --- category O (§ 2b UStG) -------------------------------------------------------


def test_br_o_01_exactly_one_o_breakdown(documents):
    for key in ("O", "O-381"):
        assert texts(documents[key], BREAKDOWN + "/ram:CategoryCode") == ["O"]


def test_br_o_02_no_seller_or_buyer_vat_id(documents):
    for key in ("O", "O-381"):
        root = documents[key]
        assert [e.get("schemeID") for e in xpath(root, SELLER_TAX)] == ["FC"]
        assert xpath(root, "//ram:SellerTaxRepresentativeTradeParty") == []
        assert xpath(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration") == []


def test_br_o_05_o_lines_carry_no_vat_rate(documents):
    for key in ("O", "O-381"):
        root = documents[key]
        assert len(xpath(root, LINE)) == 2
        assert xpath(root, LINE + "//ram:ApplicableTradeTax/ram:RateApplicablePercent") == []


def test_br_o_08_o_basis_is_sum_of_o_lines(documents):
    for key in ("O", "O-381"):
        assert amount(documents[key], BREAKDOWN + "/ram:BasisAmount") == Decimal("21695.55")


def test_br_o_09_o_vat_is_zero(documents):
    for key in ("O", "O-381"):
        assert amount(documents[key], BREAKDOWN + "/ram:CalculatedAmount") == Decimal("0.00")
        assert amount(documents[key], SUMMATION + "TaxTotalAmount") == Decimal("0.00")


def test_br_o_10_o_breakdown_has_exemption_reason(documents):
    for key in ("O", "O-381"):
        assert texts(documents[key], BREAKDOWN + "/ram:ExemptionReasonCode") == ["VATEX-EU-O"]
        (reason,) = texts(documents[key], BREAKDOWN + "/ram:ExemptionReason")
        assert reason.startswith("Nicht steuerbar nach § 2b UStG")


def test_br_o_11_br_o_12_no_other_category_beside_o(documents):
    for key in ("O", "O-381"):
        assert set(categories(documents[key])) == {"O"}


def test_br_de_14_o_breakdown_keeps_its_rate_zero(documents):
    for key in ("O", "O-381"):
        assert texts(documents[key], BREAKDOWN + "/ram:RateApplicablePercent") == ["0.00"]


# --- category E -------------------------------------------------------------------


def test_br_e_01_exactly_one_e_breakdown(exempt):
    assert texts(exempt, BREAKDOWN + "/ram:CategoryCode") == ["E"]
    assert set(categories(exempt)) == {"E"}


def test_br_e_02_seller_vat_id_or_tax_registration(exempt):
    assert [e.get("schemeID") for e in xpath(exempt, SELLER_TAX)] == ["VA"]


def test_br_e_05_e_line_rate_is_zero(exempt):
    rates = texts(exempt, LINE + "//ram:ApplicableTradeTax/ram:RateApplicablePercent")
    assert rates == ["0.00", "0.00"]


def test_br_e_08_e_basis_is_sum_of_e_lines(exempt):
    lines = sum(Decimal(t) for t in texts(exempt, LINE + "//ram:LineTotalAmount"))
    assert amount(exempt, BREAKDOWN + "/ram:BasisAmount") == lines == Decimal("4991.29")


def test_br_e_09_e_vat_is_zero(exempt):
    assert amount(exempt, BREAKDOWN + "/ram:CalculatedAmount") == Decimal("0.00")
    assert amount(exempt, SUMMATION + "GrandTotalAmount") == Decimal("4991.29")


def test_br_e_10_e_breakdown_has_exemption_reason(exempt):
    assert texts(exempt, BREAKDOWN + "/ram:ExemptionReason") == ["Steuerfrei nach § 4 UStG"]


# --- XRechnung (BR-DE) ------------------------------------------------------------


def test_br_de_1_payment_instructions_present(every):
    for root in every.values():
        assert len(texts(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode")) == 1


def test_br_de_15_buyer_reference_present(every):
    for root in every.values():
        (reference,) = texts(root, "//ram:BuyerReference")
        assert reference


def test_br_de_16_o_invoice_has_tax_number_instead_of_vat_id(documents):
    for key in ("O", "O-381"):
        assert [(e.get("schemeID"), e.text) for e in xpath(documents[key], SELLER_TAX)] == [
            ("FC", "02633908881")
        ]


def test_br_de_23_a_credit_transfer_names_the_account(every):
    for key in set(every) & {"S", "O", "E"}:
        root = every[key]
        assert texts(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["58"]
        assert len(texts(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID")) == 1


# --- cancellations ask for no payment --------------------------------------------


def test_cancellation_says_credited_or_set_off_and_asks_for_no_transfer(documents):
    for key in ("S-381", "O-381"):
        root = documents[key]
        assert texts(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["97"]
        assert xpath(root, "//ram:PayeePartyCreditorFinancialAccount") == []
        assert xpath(root, "//ram:DueDateDateTime") == []
        whole = etree.tostring(root, encoding="unicode")
        assert "Zahlbar ohne Abzug" not in whole
        assert "überweisen" not in whole
    (terms,) = texts(documents["S-381"], "//ram:SpecifiedTradePaymentTerms/ram:Description")
    assert terms == (
        "Der Betrag von 5.939,64 EUR wird gutgeschrieben bzw. mit offenen Forderungen "
        "verrechnet (Stornierung der Rechnung KIT-2024-00001). Keine Zahlung erforderlich."
    )


def test_invoice_asks_for_transfer_by_due_date(documents):
    (terms,) = texts(documents["S"], "//ram:SpecifiedTradePaymentTerms/ram:Description")
    assert terms == "Zahlbar ohne Abzug bis zum 02.05.2024"


#: BT-19 and BT-133: the buyer's accounting reference (0..1 each in EN 16931).
BT_19 = "//ram:ApplicableHeaderTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount"
BT_133 = "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount"


def test_bt_19_and_bt_133_budget_position_at_most_once_and_never_empty(documents):
    expected = {"S": "Produkt 01.11.99, Sachkonto 543199", "O": "Produkt 010102"}
    for key, root in documents.items():
        position = expected[key[0]]  # a cancellation books back on the same position
        header = xpath(root, BT_19)
        assert [[etree.QName(c).localname for c in el] for el in header] == [["ID"]]
        assert texts(root, BT_19 + "/ram:ID") == [position]
        for line in xpath(root, LINE):
            refs = line.xpath(BT_133 + "/ram:ID", namespaces=NS)
            assert [ref.text for ref in refs] == [position]
