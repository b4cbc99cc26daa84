"""Pools shared by cost, modules, weights and subsidies (test data with invented
inputs, tests/billing/data/weights-pool.toml — not the seed's model, which is
test_seed_kompetenzcenter.py)."""

from __future__ import annotations

import datetime as dt
import json

from plugins.billing.invoices import list_invoices
from tests.billing.conftest import finalize_all, invoices_json, run

KIRCHHAIN = "kirchhain"


def test_member_invoice_2023_is_21695_55_with_2022_as_a_prior_period_line(
    app, weights_pool, runner
):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN)
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("21695.55", "0.00", "21695.55")
    assert [(ln["description"], ln["net"], ln["service_period"]) for ln in invoice["lines"]] == [
        (
            "Kompetenzcenter Kommunal Digital: Kostenbeteiligung 2022 (Vorjahr, periodenfremd)",
            "8869.25",
            {"start": "2022-01-01", "end": "2022-12-31"},
        ),
        (
            "Kompetenzcenter Kommunal Digital: Kostenbeteiligung 2023",
            "12826.30",
            {"start": "2023-01-01", "end": "2023-12-31"},
        ),
    ]


def test_cost_share_is_not_taxable_under_2b(app, weights_pool, runner):
    run("2023-10")
    finalize_all(dt.date(2023, 10, 5))
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN)
    assert invoice["vat_category"] == "O"
    assert {(ln["vat_category"], ln["vat_rate"]) for ln in invoice["lines"]} == {("O", "0.00")}


def test_member_pays_15555_30_in_2024(app, weights_pool, runner):
    run("2023-10")
    run("2024-10")
    finalize_all(dt.date(2024, 10, 5))
    (invoice,) = invoices_json(runner, "--payer", KIRCHHAIN, "--period", "2024-10")
    assert invoice["net"] == "15555.30"
    assert [ln["net"] for ln in invoice["lines"]] == ["15555.30"]


def test_member_outside_the_ozg_module_pays_no_ozg_share(app, weights_pool, runner):
    run("2024-10")
    finalize_all(dt.date(2024, 10, 5))
    invoices = invoices_json(runner, "--payer", "steffenberg", "--period", "2024-10")
    assert [ln["net"] for ln in invoices[0]["lines"]][-1] == "12826.30"


def test_issuing_landkreis_is_not_billed_its_own_share(app, weights_pool):
    run("2023-10")
    assert list_invoices(payer="landkreis-marburg-biedenkopf") == []
    assert len(list_invoices(period="2023-10")) == 19


def test_allocation_shows_the_landkreis_share_by_weight(app, weights_pool, runner):
    result = runner.invoke("billing", "pools", "allocation", "kkd", "--json")
    data = json.loads(result.stdout)
    shares = {(s["year"], s["member"]): s["amount"] for s in data["shares"]}
    assert shares[(2022, "landkreis-marburg-biedenkopf")] == "44346.25"
    assert shares[(2022, KIRCHHAIN)] == "8869.25"
    assert data["totals"][KIRCHHAIN] == "37250.85"


def test_pool_years_sum_to_cost_less_subsidies(app, weights_pool, runner):
    data = json.loads(runner.invoke("billing", "pools", "allocation", "kkd", "--json").stdout)
    from decimal import Decimal

    per_year = {}
    for share in data["shares"]:
        per_year[share["year"]] = per_year.get(share["year"], Decimal(0)) + Decimal(share["amount"])
    assert per_year == {
        2022: Decimal("212862.00"),
        2023: Decimal("307831.20"),
        2024: Decimal("367869.20"),
    }


def test_rerun_bills_no_year_twice(app, weights_pool):
    run("2023-10")
    second = run("2023-10")
    assert (second.invoices_created, second.lines_created, second.items_already_billed) == (
        0,
        0,
        38,
    )
