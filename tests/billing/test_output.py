"""Output for people and programs: invoice list JSON, CSV export, yearly report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from plugins.billing.invoices import cancel
from plugins.billing.reports import CSV_COLUMNS
from tests.billing.conftest import finalize_all, invoices_json, run


def test_invoices_list_json_has_every_field_as_the_issue_lists(app, connected_2024, runner):
    run("2024-03")
    finalize_all()
    assert invoices_json(runner, "--period", "2024-03", "--payer", "duelmen") == [
        {
            "id": 1,
            "number": "KIT-2024-00001",
            "type": "invoice",
            "type_code": "380",
            "issuer": "kommunal-it",
            "payer": {"kind": "tenant", "key": "duelmen", "name": "Dülmen, Stadt, Kämmerei"},
            "issue_date": "2024-04-02",
            "due_date": "2024-05-02",
            "period": "2024-03",
            "service_period": {"start": "2024-03-15", "end": "2024-03-31"},
            "vat_category": "S",
            "net": "4991.29",
            "vat": "948.35",
            "gross": "5939.64",
            "status": "final",
            "preceding_invoice": None,
            "cancel_reason": None,
            "lines": [
                {
                    "position": 1,
                    "description": "Engagementdirekt: einmalige Anschlussgebühr",
                    "for_tenant": "duelmen",
                    "quantity": 1,
                    "unit_price": "4580.00",
                    "net": "4580.00",
                    "vat_category": "S",
                    "vat_rate": "19.00",
                    "service_period": {"start": "2024-03-15", "end": "2024-03-15"},
                    "budget_position": None,
                },
                {
                    "position": 2,
                    "description": (
                        "Engagementdirekt: Wartung, Pflege, Betrieb 2024-03 (anteilig 17/31 Tage)"
                    ),
                    "for_tenant": "duelmen",
                    "quantity": 1,
                    "unit_price": "411.29",
                    "net": "411.29",
                    "vat_category": "S",
                    "vat_rate": "19.00",
                    "service_period": {"start": "2024-03-15", "end": "2024-03-31"},
                    "budget_position": None,
                },
            ],
        }
    ]


def test_invoices_list_filters_by_status(app, connected_2024, connected_2023, runner):
    run("2024-03")
    finalize_all()
    run("2024-04")
    assert [i["status"] for i in invoices_json(runner, "--status", "draft")] == ["draft", "draft"]
    assert [i["number"] for i in invoices_json(runner, "--status", "final")] == [
        "KIT-2024-00001",
        "KIT-2024-00002",
    ]


def test_unknown_payer_is_an_error(app, runner):
    result = runner.invoke("billing", "invoices", "list", "--payer", "atlantis", "--json")
    assert result.exit_code == 2
    assert "Error: payer: no tenant or sponsor 'atlantis'" in result.stderr


def test_csv_export_has_documented_columns_and_signed_cancellations(app, connected_2024, runner):
    from plugins.billing.pool_config import contract_of

    contract = contract_of("05558016", "engagement", "contract").id
    budget = ("--product", "01.11.99", "--account", "543199")  # invented
    assert runner.invoke("billing", "contracts", "budget", str(contract), *budget).exit_code == 0
    run("2024-03")
    finalize_all()
    cancel("KIT-2024-00001", "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    result = runner.invoke("billing", "export-csv", "--period", "2024-03")
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1] == [
        "KIT-2024-00001",
        "380",
        "2024-04-02",
        "2024-05-02",
        "Kommunal-IT Musterland GmbH",
        "Dülmen, Stadt, Kämmerei",
        "05558016",
        "05558016-59",
        "2024-03",
        "1",
        "Engagementdirekt: einmalige Anschlussgebühr",
        "2024-03-15",
        "2024-03-15",
        "1",
        "4580,00",
        "4580,00",
        "S",
        "19,00",
        "4991,29",
        "948,35",
        "5939,64",
        "",
        "Produkt 01.11.99, Sachkonto 543199",
    ]
    assert rows[3][:2] == ["KIT-2024-00002", "381"]
    assert (rows[3][15], rows[3][20], rows[3][21]) == ("-4580,00", "-5939,64", "KIT-2024-00001")
    # The cancellation keeps the budget position, so the Kämmerei books it back alike.
    assert rows[3][22] == "Produkt 01.11.99, Sachkonto 543199"


def test_yearly_report_per_payer_and_service(app, connected_2023, connected_2024, kkd, runner):
    for month in ("2024-01", "2024-02", "2024-03", "2024-10"):
        run(month)
    finalize_all(dt.date(2024, 10, 5))
    data = json.loads(runner.invoke("billing", "report", "--year", "2024", "--json").stdout)
    payers = {p["payer"]: (p["net"], p["vat"], p["gross"]) for p in data["payers"]}
    assert payers["coesfeld"] == ("3000.00", "570.00", "3570.00")
    assert payers["duelmen"] == ("5741.29", "1090.85", "6832.14")
    assert payers["kirchhain"] == ("37250.85", "0.00", "37250.85")
    services = {s["service"]: s["net"] for s in data["services"]}
    assert services["engagement"] == "8741.29"
    # Only Kirchhain has flat amounts in seed 002: 8,869.25 + 12,826.30 + 15,555.30
    assert services["pool:kkd"] == "37250.85"
    assert data["year"] == 2024


def test_report_counts_a_cancelled_invoice_once(app, connected_2024, runner):
    run("2024-03")
    finalize_all()
    cancel("KIT-2024-00001", "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    run("2024-03")
    finalize_all(dt.date(2024, 4, 11))
    data = json.loads(runner.invoke("billing", "report", "--year", "2024", "--json").stdout)
    assert data["total"] == {"net": "4991.29", "vat": "948.35", "gross": "5939.64"}


def test_csv_export_neutralises_formulas_in_the_recipient(app, connected_2024, runner, duelmen):
    from core.db import session
    from core.tenancy import platform_context

    with platform_context():
        duelmen.invoice_recipient = '=HYPERLINK("http://evil.example","Kämmerei")'
        session.commit()
    run("2024-03")
    finalize_all()
    cancel("KIT-2024-00001", "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    result = runner.invoke("billing", "export-csv", "--period", "2024-03")
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=";"))
    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","Kämmerei")'
    # Negative amounts of the cancellation stay numbers.
    assert rows[-1][15].startswith("-")
