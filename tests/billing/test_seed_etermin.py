"""Seed 004, e.termin.net: a 2,000 EUR yearly package; calendars are reported through
``billable_usage`` and shown at zero."""

from __future__ import annotations

import datetime as dt

from tests.billing.conftest import apply_example, finalize_all, invoices_json, run


def test_yearly_package_is_2000_with_calendars_at_zero(app, etermin, runner):
    run("2024-01")
    finalize_all(dt.date(2024, 1, 3))
    (invoice,) = invoices_json(runner, "--payer", "kreis-coesfeld")
    assert [
        (ln["description"], ln["quantity"], ln["unit_price"], ln["net"], ln["service_period"])
        for ln in invoice["lines"]
    ] == [
        (
            "e.termin.net Jahrespaket 2024",
            1,
            "2000.00",
            "2000.00",
            {"start": "2024-01-01", "end": "2024-12-31"},
        ),
        (
            "Kalender (im Paket enthalten) 2024",
            7,
            "0.00",
            "0.00",
            {"start": "2024-01-01", "end": "2024-12-31"},
        ),
    ]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("2000.00", "380.00", "2380.00")


def test_yearly_package_is_billed_only_in_january(app, etermin):
    for month in ("2024-02", "2024-03", "2024-12"):
        assert run(month).items_due == 0


def test_hook_billable_usage(app, etermin, appointments):
    run("2024-01")
    assert appointments.calls == [("kreis-coesfeld", "2024", "2024-12-31")]


def test_metric_above_the_included_amount_is_charged(app, etermin, appointments, runner):
    text = (apply_example.__globals__["EXAMPLES"] / "etermin.toml").read_text(encoding="utf-8")
    text = text.replace("valid_from = 2021-01-01", "valid_from = 2025-01-01").replace(
        'unit_price = "0.00"', 'unit_price = "5.00"\n    included = 5'
    )
    from core.db import session
    from core.services import subscribe
    from plugins.billing.configuration import apply_toml
    from plugins.billing.contracts import terminate

    apply_toml(text)
    terminate(etermin, "termin", ends_on=dt.date(2024, 12, 31), notice_on=dt.date(2024, 9, 30))
    subscribe(etermin, "termin", starts_on=dt.date(2025, 1, 1), allow_backdated=True)
    session.commit()
    run("2025-01")
    finalize_all(dt.date(2025, 1, 3))
    (invoice,) = invoices_json(runner, "--period", "2025-01")
    calendars = invoice["lines"][1]
    assert (
        calendars["description"],
        calendars["quantity"],
        calendars["unit_price"],
        calendars["net"],
    ) == ("Kalender (im Paket enthalten) 2025, 5 inklusive", 2, "5.00", "10.00")
