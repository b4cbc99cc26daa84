"""Billing: the calendars are reported through billing's ``billable_usage`` hook, and
the tariff file prices the yearly package at 2,000.00 EUR with calendars at zero."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from core.db import session
from core.plugins import current_host
from core.services import subscriptions_of
from core.tenancy import tenant_context
from termin_helpers import BERLIN, make_office

import rathaus_termin

TARIFF = Path(rathaus_termin.__file__).parent / "tariffs" / "termin.toml"


@dataclass(frozen=True)
class Period:
    """The shape of billing's period (``start``, ``end`` inclusive, ``label``)."""

    start: dt.date
    end: dt.date
    label: str


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), str(number))


def usage(app, tenant, period):
    """Call the hook the way billing does: keyword arguments, in the tenant's scope."""
    (subscription,) = subscriptions_of(tenant, "termin")
    with tenant_context(tenant):
        return current_host(app).hook.billable_usage(subscription=subscription, period=period)


def at(year_: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year_, month, day, 12, tzinfo=BERLIN).astimezone(dt.UTC)


def test_hook_billable_usage_reports_the_calendars(app, subscribed_tenant):
    make_office(subscribed_tenant, "Bürgerbüro")
    make_office(subscribed_tenant, "Standesamt")
    this_year = dt.date.today().year
    assert usage(app, subscribed_tenant, year(this_year)) == [{"calendars": 2}]


def test_hook_billable_usage_counts_calendars_that_existed_during_the_period(
    app, subscribed_tenant
):
    for name in ("Bürgerbüro", "Standesamt", "Zulassung", "Wahlamt"):
        make_office(subscribed_tenant, name)
    with tenant_context(subscribed_tenant):
        from rathaus_termin.calendars import calendars

        buergerbuero, standesamt, wahlamt, zulassung = calendars()
        buergerbuero.created_at = at(2023, 6, 1)  # before and during 2024: counts
        standesamt.created_at, standesamt.archived_at = (
            at(2023, 1, 1),
            at(2024, 3, 31),
        )  # archived during: counts
        zulassung.created_at, zulassung.archived_at = (
            at(2022, 1, 1),
            at(2023, 12, 31),
        )  # archived before: no
        wahlamt.created_at = at(2025, 1, 1)  # created after: no
        session.commit()
    assert usage(app, subscribed_tenant, year(2024)) == [{"calendars": 2}]


def test_hook_billable_usage_ignores_other_services(app, subscribed_tenant):
    from core.models import Subscription

    other = Subscription(
        tenant_id=subscribed_tenant.id, service_key="engagement", starts_on=dt.date(2024, 1, 1)
    )
    with tenant_context(subscribed_tenant):
        result = current_host(app).hook.billable_usage(subscription=other, period=year(2024))
    assert result == []


def test_tariff_is_a_yearly_package_with_calendars_at_zero():
    tariff = tomllib.loads(TARIFF.read_text(encoding="utf-8"))
    (entry,) = tariff["tariffs"]
    (version,) = entry["versions"]
    assert (entry["service"], version["recurring_fee"], version["interval"]) == (
        "termin",
        "2000.00",
        "yearly",
    )
    assert Decimal(version["recurring_fee"]) == Decimal("2000.00")
    assert [(m["metric"], Decimal(m["unit_price"])) for m in version["metrics"]] == [
        ("calendars", Decimal("0.00"))
    ]
    assert rathaus_termin.CALENDARS_METRIC == "calendars"


def test_billing_invoices_the_yearly_package_with_the_calendars_at_zero(runner, tenant, subscribe):
    """With the billing plugin's commands (billing, issue 5): apply the tariff, subscribe,
    run billing; the invoice holds the package and the calendars at 0.00."""
    billing = runner.app.cli.commands.get("billing")
    if billing is None or not {"apply", "run", "invoices"} <= set(getattr(billing, "commands", {})):
        pytest.skip(
            "the installed billing plugin has no apply, run and invoices commands (issue 5)"
        )
    applied = runner.invoke("billing", "apply", str(TARIFF), "--json")
    assert (applied.exit_code, json.loads(applied.output)["changed"]["tariffs"]) == (0, ["termin"])
    subscribe(
        tenant, "termin"
    )  # after the tariff: billing's subscription_started makes the contract
    make_office(tenant, "Bürgerbüro")
    make_office(tenant, "Standesamt")
    period = dt.date.today().strftime("%Y-%m")
    assert runner.invoke("billing", "run", "--period", period).exit_code == 0
    listed = runner.invoke(
        "billing", "invoices", "list", "--period", period, "--payer", "coesfeld", "--json"
    )
    (invoice,) = json.loads(listed.output)
    year_ = dt.date.today().year
    assert [
        (line["description"], line["quantity"], line["unit_price"], line["net"])
        for line in invoice["lines"]
    ] == [
        (f"Terminvereinbarung Jahrespaket {year_}", 1, "2000.00", "2000.00"),
        (f"Kalender (im Paket enthalten) {year_}", 2, "0.00", "0.00"),
    ]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("2000.00", "380.00", "2380.00")
