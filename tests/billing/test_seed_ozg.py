"""Seed 004, OZG coordination: 500,000 / 4 partners / 3 years, split by partner first,
then by year: 125,000.00 each, 41,666.67 / 41,666.67 / 41,666.66."""

from __future__ import annotations

import datetime as dt
import json

from tests.billing.conftest import finalize_all, invoices_json, run


def test_each_partner_gets_125000_split_by_year(app, ozg, runner):
    data = json.loads(
        runner.invoke("billing", "pools", "allocation", "ozg-koordination", "--json").stdout
    )
    assert data["totals"] == {
        "hamm": "125000.00",
        "kreis-coesfeld": "125000.00",
        "kreis-warendorf": "125000.00",
        "muenster": "125000.00",
    }
    by_member = {}
    for share in data["shares"]:
        by_member.setdefault(share["member"], []).append((share["year"], share["amount"]))
    assert by_member["muenster"] == [(2021, "41666.67"), (2022, "41666.67"), (2023, "41666.66")]
    assert len({tuple(v) for v in by_member.values()}) == 1


def test_partners_are_invoiced_each_year_and_the_issuer_is_not(app, ozg, runner):
    for year in (2021, 2022, 2023):
        run(f"{year}-01")
    finalize_all(dt.date(2023, 1, 10))
    invoices = invoices_json(runner)
    assert sorted((i["payer"]["key"], i["net"]) for i in invoices) == sorted(
        (partner, amount)
        for partner in ("muenster", "hamm", "kreis-warendorf")
        for amount in ("41666.67", "41666.67", "41666.66")
    )
