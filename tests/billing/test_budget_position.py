"""The payer's budget position (Produkt / Sachkonto, seed 001: "im Produkt 04.01.02.01
Kreisentwicklung, Sachkonto 501201"): checked, printed, in the XRechnung as BT-19
and BT-133, on the payment advice."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale
from lxml import etree

from core.db import session
from core.errors import ValidationErrors
from core.testing import bearer
from plugins.billing.budget import checked
from plugins.billing.configuration import apply_toml
from plugins.billing.invoices import invoice_by_number, list_invoices
from plugins.billing.pool_config import contract_of
from plugins.billing.xrechnung import SCHEMA_FILE, xrechnung_xml
from tests.billing.conftest import DATA, apply_example, demo_tenants, finalize_all, run
from tests.billing.test_xrechnung_rules import NS

POSITION = "Produkt 04.01.02.01, Sachkonto 501201"
HEADER_REF = "//ram:ApplicableHeaderTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount"
LINE_REF = "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"


def _root(number):
    xml = xrechnung_xml(invoice_by_number(number))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    schema.assertValid(root)
    return root


@pytest.fixture
def staff_invoice(app):
    """Ascheberg's 2021 share of the staff test pool, its member budget on the line."""
    demo_tenants("05558", "05558004", "05558008")
    apply_toml((DATA / "staff-pool.toml").read_text(encoding="utf-8"))
    from plugins.billing.pool_admin import release

    release("staff-test", dt.date(2021, 4, 1))
    run("2021-01")
    finalize_all(dt.date(2021, 4, 2))
    return next(i for i in list_invoices() if i.payer_tenant.slug == "ascheberg")


def test_formats_are_checked_and_both_errors_reported_in_english_and_german(app):
    assert checked(" 04.01.02.01 ", "501201") == ("04.01.02.01", "501201")
    assert checked("010102", "") == ("010102", None)  # a Hessian budget (seed 002)
    with pytest.raises(ValidationErrors) as caught:
        checked("4.1.2", "50-12")
    assert [(e.field, e.code, e.message) for e in caught.value.errors] == [
        (
            "product",
            "budget.product_format",
            "Produkt '4.1.2': digits in groups separated by dots, e.g. 04.01.02.01",
        ),
        ("account", "budget.account_format", "Sachkonto '50-12': 4 to 10 digits, e.g. 501201"),
    ]
    with app.test_request_context(), force_locale("de"):
        assert [e.localized() for e in caught.value.errors] == [
            "Produkt '4.1.2': Ziffern in Gruppen, durch Punkte getrennt, z. B. 04.01.02.01",
            "Sachkonto '50-12': 4 bis 10 Ziffern, z. B. 501201",
        ]


def test_api_sets_a_contract_budget_anonymous_bad_body_is_401(
    app, client, operator_token, connected_2024
):
    contract = contract_of("05558016", "engagement", "contract").id
    url = f"/api/v1/billing/contracts/{contract}/budget-position"
    bad = {"budget_product": "x", "budget_account": "1"}
    assert client.put(url, json=bad).status_code == 401
    refused = client.put(url, json=bad, headers=bearer(operator_token))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {
        "budget_product": ["Produkt 'x': digits in groups separated by dots, e.g. 04.01.02.01"],
        "budget_account": ["Sachkonto '1': 4 to 10 digits, e.g. 501201"],
    }
    good = {"budget_product": "04.01.02.01", "budget_account": "501201"}
    response = client.put(url, json=good, headers=bearer(operator_token))
    assert response.status_code == 200
    assert response.json == {
        "contract": contract,
        "budget_product": "04.01.02.01",
        "budget_account": "501201",
        "budget_position": POSITION,
    }
    listed = client.get("/api/v1/billing/contracts", headers=bearer(operator_token)).json
    assert [c["budget_position"] for c in listed] == [POSITION]


def test_pool_endpoints_need_an_operator_before_the_body_is_read(app, client, staff_invoice):
    for path in ("staff-costs", "hold", "release"):
        assert client.post(f"/api/v1/billing/pools/staff-test/{path}", json={}).status_code == 401


def test_api_holds_releases_and_adds_staff_costs(app, client, operator_token):
    demo_tenants("05558", "05558004", "05558008")
    apply_toml((DATA / "staff-pool.toml").read_text(encoding="utf-8"))
    headers = bearer(operator_token)
    released = client.post(
        "/api/v1/billing/pools/staff-test/release",
        json={"released_on": "2021-04-01", "reason": "Kreistag"},
        headers=headers,
    )
    assert (released.status_code, released.json["approval"]) == (200, "released")
    again = client.post("/api/v1/billing/pools/staff-test/release", json={}, headers=headers)
    assert (again.status_code, again.json["code"]) == (422, "pool.not_pending")
    added = client.post(
        "/api/v1/billing/pools/staff-test/staff-costs",
        json={
            "module": "",
            "description": "Zweite Stelle",
            "grade": "EG 11 TVöD",
            "fte": "0.25",
            "first_year": 2026,
            "annual_cost": "10000.01",
        },
        headers=headers,
    )
    assert added.status_code == 201
    assert added.json["staff_costs"][1] == {
        "module": "",
        "description": "Zweite Stelle",
        "grade": "EG 11 TVöD",
        "fte": "0.25",
        "first_year": 2026,
        "last_year": 2026,
        "annual_cost": "10000.01",
        "cost_per_year": "2500.00",  # 0.25 x 10,000.01 = 2,500.0025
    }
    held = client.post(
        "/api/v1/billing/pools/staff-test/hold", json={"note": "Sperre"}, headers=headers
    )
    assert (held.status_code, held.json["approval"]) == (200, "approval_pending")


def test_member_budget_is_bt_19_and_bt_133_and_the_xml_stays_valid(app, staff_invoice):
    root = _root(staff_invoice.number)
    header = root.xpath(HEADER_REF, namespaces=NS)
    assert [etree.QName(child).localname for child in header[0]] == ["ID"]  # no TypeCode
    assert [e.text for e in root.xpath(HEADER_REF + "/ram:ID", namespaces=NS)] == [POSITION]
    lines = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert [[e.text for e in line.xpath(LINE_REF, namespaces=NS)] for line in lines] == [[POSITION]]


def test_lines_with_different_positions_have_no_header_reference(app, etermin, subscribe):
    apply_example("engagementdirekt.toml")
    subscribe(etermin, "engagement", starts_on=dt.date(2024, 10, 1), allow_backdated=True)
    from plugins.billing.describe import contract_by_id
    from plugins.billing.pool_admin import set_contract_budget

    contract = contract_of("05558", "engagement", "contract")
    set_contract_budget(contract_by_id(contract.id), "04.01.02.01", "501201")
    run("2025-01")
    finalize_all(dt.date(2025, 1, 2))
    (invoice,) = list_invoices(period="2025-01")
    root = _root(invoice.number)
    assert root.xpath(HEADER_REF, namespaces=NS) == []
    lines = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    by_line = {
        line.xpath("ram:SpecifiedTradeProduct/ram:Name", namespaces=NS)[0].text: [
            e.text for e in line.xpath(LINE_REF, namespaces=NS)
        ]
        for line in lines
    }
    # Only Engagementdirekt's lines have the contract's budget position (BT-133).
    assert by_line == {
        "Engagementdirekt: einmalige Anschlussgebühr": [POSITION],
        "Engagementdirekt: Wartung, Pflege, Betrieb 2025-01": [POSITION],
        "e.termin.net Jahrespaket 2025": [],
        "Kalender (im Paket enthalten) 2025": [],
    }


def test_invoice_page_prints_the_budget_position_in_german(app, login, staff_invoice):
    from core import accounts
    from core.models import Role
    from core.testing import TEST_PASSWORD

    ascheberg = staff_invoice.payer_tenant
    user = accounts.create_user(
        "kaemmerei@ascheberg.example", "Kämmerin", TEST_PASSWORD, [Role.TENANT_ADMIN], ascheberg
    )
    session.commit()
    web = app.test_client()
    login(web, user)
    html = web.get(f"/ascheberg/billing/invoices/{staff_invoice.number}").get_data(as_text=True)
    assert f"<dt>Haushaltsstelle (Produkt / Sachkonto)</dt><dd>{POSITION}</dd>" in html


def test_payout_advice_carries_the_budget_position(app, runner, ozg_grant, login):
    import json

    result = runner.invoke(
        "billing",
        "grants",
        "pay",
        "ozg-koordination",
        "--partner",
        "hamm",
        "--year",
        "2021",
        "--date",
        "2021-06-30",
        "--budget-position",
        POSITION,
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["budget_position"] == POSITION
    from core import accounts
    from core.models import Role
    from core.testing import TEST_PASSWORD

    hamm = ozg_grant["05915000"]
    user = accounts.create_user(
        "kaemmerei@hamm.example", "Kämmerin", TEST_PASSWORD, [Role.TENANT_ADMIN], hamm
    )
    session.commit()
    web = app.test_client()
    login(web, user)
    html = web.get("/hamm/billing/grants/ozg-koordination").get_data(as_text=True)
    assert f"<td>{POSITION}</td></tr>" in html


def test_payout_takes_a_checked_produkt_and_sachkonto(
    app, runner, client, operator_token, ozg_grant
):
    pay = ("billing", "grants", "pay", "ozg-koordination", "--year", "2021", "--date", "2021-06-30")
    wrong = runner.invoke(*pay, "--partner", "hamm", "--product", "4.1", "--account", "5312")
    assert wrong.exit_code == 2
    assert "Error: product: Produkt '4.1': digits in groups separated by dots" in wrong.stderr
    both = runner.invoke(
        *pay, "--partner", "hamm", "--product", "04.01", "--budget-position", "Produkt 04.01"
    )
    assert both.exit_code == 2
    assert (
        "Error: budget_position: give the budget position as text or as Produkt and "
        "Sachkonto, not both" in both.stderr
    )
    done = runner.invoke(
        *pay, "--partner", "hamm", "--product", "04.01.02.01", "--account", "531800"
    )
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "Auszahlungsanordnung AO-OZG-2021-00001: 41666.67 EUR -> hamm "
        "(Produkt 04.01.02.01, Sachkonto 531800)\n"
    )
    response = client.post(
        "/api/v1/billing/grants/ozg-koordination/payouts",
        json={
            "partner": "muenster",
            "year": 2021,
            "paid_on": "2021-06-30",
            "budget_product": "04.01.02.01",
            "budget_account": "531800",
        },
        headers=bearer(operator_token),
    )
    assert response.status_code == 201
    assert response.json["budget_position"] == "Produkt 04.01.02.01, Sachkonto 531800"


def test_invoice_page_prints_differing_positions_per_line(app, login, etermin, subscribe):
    from core import accounts
    from core.models import Role
    from core.testing import TEST_PASSWORD
    from plugins.billing.describe import contract_by_id
    from plugins.billing.pool_admin import set_contract_budget

    apply_example("engagementdirekt.toml")
    subscribe(etermin, "engagement", starts_on=dt.date(2024, 10, 1), allow_backdated=True)
    contract = contract_of("05558", "engagement", "contract")
    set_contract_budget(contract_by_id(contract.id), "04.01.02.01", "501201")
    run("2025-01")
    finalize_all(dt.date(2025, 1, 2))
    (invoice,) = list_invoices(period="2025-01")
    user = accounts.create_user(
        "kaemmerei@kreis-coesfeld.example", "Kämmerin", TEST_PASSWORD, [Role.TENANT_ADMIN], etermin
    )
    session.commit()
    web = app.test_client()
    login(web, user)
    html = web.get(f"/kreis-coesfeld/billing/invoices/{invoice.number}").get_data(as_text=True)
    assert "<dt>Haushaltsstelle (Produkt / Sachkonto)</dt>" not in html
    per_line = f"<br>Haushaltsstelle (Produkt / Sachkonto): {POSITION}</td>"
    assert html.count(per_line) == 2  # the connection fee and January, not e.termin.net
