"""Seed 000, Engagementdirekt: sponsored until 31.12.2023, then 892.50 a month; a
connection after 31.12.2023 pays 4,580.00 + 870.20 once and a prorated first month."""

from __future__ import annotations

import datetime as dt
import json

from core.mail import outbox
from plugins.billing.invoices import list_invoices
from plugins.billing.money import vat_cents
from tests.billing.conftest import finalize_all, invoices_json, run


def _only(invoices, **expected):
    found = [i for i in invoices if all(i[k] == v for k, v in expected.items())]
    assert len(found) == 1, found
    return found[0]


def test_sponsor_pays_750_net_a_month_for_a_municipality_connected_in_2023(
    app, connected_2023, runner
):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 2))
    invoice = _only(invoices_json(runner, "--period", "2023-10"))
    assert invoice["payer"] == {
        "kind": "sponsor",
        "key": "staatskanzlei-nrw",
        "name": "Staatskanzlei des Landes Nordrhein-Westfalen",
    }
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("750.00", "142.50", "892.50")
    assert (
        invoice["lines"][0]["description"]
        == "Engagementdirekt: Wartung, Pflege, Betrieb 2023-10 – für Coesfeld, Stadt"
    )
    assert invoice["lines"][0]["for_tenant"] == "coesfeld"


def test_municipality_connected_in_2023_pays_nothing_in_2023(app, connected_2023, runner):
    for month in ("2023-09", "2023-10", "2023-11", "2023-12"):
        run(month)
    assert list_invoices(payer="coesfeld") == []


def test_municipality_pays_892_50_a_month_from_january_2024(app, connected_2023, runner):
    run("2024-01")
    finalize_all(dt.date(2024, 1, 2))
    invoice = _only(invoices_json(runner, "--payer", "coesfeld"))
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("750.00", "142.50", "892.50")
    assert invoice["service_period"] == {"start": "2024-01-01", "end": "2024-01-31"}


def test_connection_in_2023_pays_no_connection_fee(app, connected_2023):
    run("2023-09")
    lines = [line for invoice in list_invoices() for line in invoice.lines]
    assert [line.item_key.split(":")[2] for line in lines] == ["recurring"]


def test_special_termination_right_opens_when_the_sponsorship_ends(app, connected_2023, runner):
    result = run("2024-01")
    assert result.rights_opened == 1
    listed = runner.invoke("billing", "termination-rights", "--json")
    rights = json.loads(listed.stdout)
    assert [
        (r["tenant"], r["service"], r["sponsorship"], r["opens_on"], r["closes_on"], r["used_on"])
        for r in rights
    ] == [("coesfeld", "engagement", "stk-nrw-engagementdirekt", "2024-01-01", "2024-03-30", None)]


def test_special_termination_right_notifies_the_tenant(app, connected_2023):
    run("2024-01")
    (message,) = outbox(connected_2023)
    assert message.category == "billing.termination-right"
    assert message.to_address == "info@coesfeld.invalid"
    assert "vom 01.01.2024 bis zum 30.03.2024 außerordentlich kündigen" in message.body_text


def test_connection_after_2023_pays_the_one_time_fee_and_a_prorated_first_month(
    app, connected_2024, runner
):
    run("2024-03")
    finalize_all()
    invoice = _only(invoices_json(runner, "--payer", "duelmen"))
    assert [
        (ln["description"], ln["quantity"], ln["unit_price"], ln["net"]) for ln in invoice["lines"]
    ] == [
        ("Engagementdirekt: einmalige Anschlussgebühr", 1, "4580.00", "4580.00"),
        (
            "Engagementdirekt: Wartung, Pflege, Betrieb 2024-03 (anteilig 17/31 Tage)",
            1,
            "411.29",
            "411.29",
        ),
    ]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("4991.29", "948.35", "5939.64")


def test_one_time_fee_is_4580_plus_870_20_vat():
    assert (458000, vat_cents(458000, 1900), 458000 + vat_cents(458000, 1900)) == (
        458000,
        87020,
        545020,
    )


def test_second_month_after_connection_is_the_full_fee(app, connected_2024, runner):
    run("2024-03")
    run("2024-04")
    finalize_all(dt.date(2024, 4, 2))
    invoice = _only(invoices_json(runner, "--payer", "duelmen", "--period", "2024-04"))
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("750.00", "142.50", "892.50")
