"""Seed 004: grants are received and paid out, never invoiced.

OZG coordination: the Land NRW grants 500,000 for three years; the Kreis Coesfeld
receives it and passes it on to the four partners in equal parts, split by partner
first, then by year: 125,000.00 each, 41,666.67 / 41,666.67 / 41,666.66.
Health offices: 190,000 requested, 147,000 granted, 43,000 own funds.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.errors import ValidationError
from plugins.billing.grants import grant_by_key, record_payout, report
from tests.billing.conftest import finalize_all, invoices_json, run

PARTNERS = ["muenster", "hamm", "kreis-warendorf", "kreis-coesfeld"]


def show(runner, key):
    result = runner.invoke("billing", "grants", "show", key, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_partner_is_planned_125000_split_by_year(app, ozg_grant, runner):
    data = show(runner, "ozg-koordination")
    assert (data["funder"], data["recipient"]["key"]) == (
        "Land Nordrhein-Westfalen",
        "kreis-coesfeld",
    )
    assert [(p["partner"], p["planned"]) for p in data["by_partner"]] == [
        (partner, "125000.00") for partner in PARTNERS
    ]
    for partner in data["by_partner"]:
        assert partner["plan_by_year"] == [
            {"year": 2021, "amount": "41666.67"},
            {"year": 2022, "amount": "41666.67"},
            {"year": 2023, "amount": "41666.66"},
        ]
    assert [(y["year"], y["planned"]) for y in data["by_year"]] == [
        (2021, "166666.68"),
        (2022, "166666.68"),
        (2023, "166666.64"),
    ]


def test_partners_are_not_invoiced(app, ozg_grant, runner):
    for year in (2021, 2022, 2023):
        run(f"{year}-01")
    finalize_all(dt.date(2023, 1, 10))
    assert invoices_json(runner) == []


def test_payout_is_a_numbered_payment_advice(app, ozg_grant, runner):
    result = runner.invoke(
        "billing",
        "grants",
        "pay",
        "ozg-koordination",
        "--partner",
        "muenster",
        "--year",
        "2021",
        "--date",
        "2021-06-30",
        "--budget-position",
        "Produkt 04.01.02.01, Sachkonto 531800",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "document": "Auszahlungsanordnung",
        "number": "AO-OZG-2021-00001",
        "partner": "muenster",
        "year": 2021,
        "paid_on": "2021-06-30",
        "amount": "41666.67",
        "budget_position": "Produkt 04.01.02.01, Sachkonto 531800",
    }


def test_what_a_year_does_not_pay_out_is_carried_over(app, ozg_grant, runner):
    for partner in ("muenster", "hamm", "kreis-warendorf"):
        record_payout("ozg-koordination", partner, 2021, paid_on=dt.date(2021, 6, 30))
    data = show(runner, "ozg-koordination")
    assert (data["paid_out"], data["left"]) == ("125000.01", "374999.99")
    assert data["by_year"][:2] == [
        {
            "year": 2021,
            "carried_in": "0.00",
            "planned": "166666.68",
            "paid_out": "125000.01",
            "carried_over": "41666.67",
        },
        {
            "year": 2022,
            "carried_in": "41666.67",
            "planned": "166666.68",
            "paid_out": "0.00",
            "carried_over": "208333.35",
        },
    ]
    # The Kreis Coesfeld's 2021 part, carried over, is paid out in 2022 with 2022's part.
    payout = record_payout(
        "ozg-koordination",
        "kreis-coesfeld",
        2022,
        paid_on=dt.date(2022, 3, 1),
        amount_cents=8_333_334,
    )
    assert (payout.number, payout.amount_cents) == ("AO-OZG-2022-00001", 8_333_334)
    by_partner = {p["partner"]: p for p in report(grant_by_key("ozg-koordination"))["by_partner"]}
    assert (by_partner["kreis-coesfeld"]["paid_out"], by_partner["kreis-coesfeld"]["left"]) == (
        "83333.34",
        "41666.66",
    )


def test_payout_beyond_the_plan_is_refused(app, ozg_grant):
    record_payout("ozg-koordination", "hamm", 2021, paid_on=dt.date(2021, 6, 30))
    with pytest.raises(ValidationError) as caught:
        record_payout("ozg-koordination", "hamm", 2021, paid_on=dt.date(2021, 7, 1))
    assert (caught.value.code, str(caught.value)) == (
        "grant.nothing_left",
        "amount: nothing is left to pay out to hamm for 2021",
    )
    with pytest.raises(ValidationError) as caught:
        record_payout(
            "ozg-koordination", "hamm", 2022, paid_on=dt.date(2022, 7, 1), amount_cents=4_166_668
        )
    assert str(caught.value) == "amount: only 41666.67 EUR are left for hamm up to 2022"


def test_health_office_grant_requested_granted_own_funds(app, ozg_grant, runner):
    data = show(runner, "gesundheitsamt-modernisierung")
    assert (data["funder"], data["requested"], data["granted"], data["own_funds"]) == (
        "Bezirksregierung Münster",
        "190000.00",
        "147000.00",
        "43000.00",
    )
    assert data["by_partner"][0]["partner"] == "kreis-coesfeld"
    assert data["by_partner"][0]["planned"] == "147000.00"


def test_grants_list(app, ozg_grant, runner):
    result = runner.invoke("billing", "grants", "list", "--json")
    assert [(g["key"], g["granted"], g["left"]) for g in json.loads(result.stdout)] == [
        ("gesundheitsamt-modernisierung", "147000.00", "147000.00"),
        ("ozg-koordination", "500000.00", "500000.00"),
    ]
    table = runner.invoke("billing", "grants", "list").stdout.splitlines()
    assert table[0].split() == [
        "key",
        "funder",
        "recipient",
        "requested",
        "granted",
        "paid",
        "out",
        "left",
    ]
    assert len(table) == 3


def test_own_share_percentage_of_the_requested_amount(app, ozg_grant):
    """DigitalPakt-like rule from seed 004 ("incl. Eigenanteil von 10 %"), with an
    invented amount: 1,000.00 requested, 10 % own share required."""
    from plugins.billing.configuration import apply_config

    apply_config(
        {
            "grants": [
                {
                    "key": "erfunden",
                    "purpose": "Erfundener Zweck",
                    "funder": "Erfundener Fördergeber",
                    "recipient": "05558",
                    "requested": "1000.00",
                    "granted": "900.00",
                    "own_share": "10.00",
                    "first_year": 2022,
                    "number_prefix": "AO-X",
                }
            ]
        }
    )
    data = report(grant_by_key("erfunden"))
    assert (data["own_share_percent"], data["own_share_required"], data["own_funds"]) == (
        "10.00",
        "100.00",
        "100.00",
    )


def test_granted_above_requested_is_refused(app, ozg_grant):
    from plugins.billing.configuration import ConfigError, apply_config

    with pytest.raises(ConfigError) as caught:
        apply_config(
            {
                "grants": [
                    {
                        "key": "zu-viel",
                        "purpose": "x",
                        "funder": "y",
                        "recipient": "05558",
                        "requested": "100.00",
                        "granted": "100.01",
                        "first_year": 2022,
                        "number_prefix": "AO-Y",
                    }
                ]
            }
        )
    assert caught.value.problems == ["grants[0].granted: must not exceed the requested amount"]


def test_applying_again_changes_nothing(app, ozg_grant):
    from tests.billing.conftest import apply_example

    assert apply_example("ozg-koordination.toml")["changed"]["grants"] == []


def test_plan_is_fixed_once_payouts_are_recorded(app, ozg_grant):
    from plugins.billing.configuration import ConfigError
    from tests.billing.conftest import EXAMPLES

    record_payout("ozg-koordination", "hamm", 2021, paid_on=dt.date(2021, 6, 30))
    text = (EXAMPLES / "ozg-koordination.toml").read_text(encoding="utf-8")
    from plugins.billing.configuration import apply_toml

    with pytest.raises(ConfigError) as caught:
        apply_toml(text.replace('granted = "500000.00"', 'granted = "400000.00"', 1))
    assert str(caught.value) == (
        "grants[0].partners: payouts are recorded; the plan of grant ozg-koordination cannot change"
    )
