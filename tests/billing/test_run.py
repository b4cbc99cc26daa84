"""The billing run: idempotent, dry runs, one invoice per issuer, payer and VAT category."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from core.db import session
from plugins.billing.contracts import set_vat_treatment
from plugins.billing.describe import contracts_of
from plugins.billing.invoices import list_invoices
from plugins.billing.models import BilledItem, Invoice, InvoiceLine, VatCategory
from plugins.billing.run_drafts import EXEMPTION_REASONS
from tests.billing.conftest import apply_example, run


def _counts():
    return tuple(
        session.scalar(select(func.count()).select_from(m))
        for m in (Invoice, InvoiceLine, BilledItem)
    )


def test_rerun_for_the_same_period_creates_nothing(app, connected_2023, connected_2024):
    first = run("2024-03")
    before = _counts()
    second = run("2024-03")
    assert (first.lines_created, second.lines_created, second.invoices_created) == (3, 0, 0)
    assert second.items_already_billed == 3
    assert _counts() == before


def test_dry_run_reports_and_writes_nothing(app, connected_2024, runner):
    result = runner.invoke("billing", "run", "--period", "2024-03", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert data["groups"] == [
        {
            "issuer_id": 1,
            "payer": f"t{connected_2024.id}",
            "vat_category": "S",
            "lines": 2,
            "net": "4991.29",
        }
    ]
    assert _counts() == (0, 0, 0)


def test_run_cli_prints_a_summary(app, connected_2024, runner):
    result = runner.invoke("billing", "run", "--period", "2024-03")
    assert result.exit_code == 0
    assert result.stdout == (
        "2024-03: created 1 invoice(s), 2 line(s) (0 of 2 item(s) billed before); net 4991.29 EUR\n"
    )


def test_run_refuses_a_malformed_period(app, runner):
    result = runner.invoke("billing", "run", "--period", "2024-13")
    assert result.exit_code == 2
    assert (
        "Error: period: '2024-13' is not a month in the form YYYY-MM (e.g. 2024-03)"
        in result.stderr
    )


def test_new_items_of_a_period_go_onto_the_open_draft(
    app, connected_2024, subscribe, etermin, appointments
):
    run("2024-01")
    run("2024-03")
    assert [len(i.lines) for i in list_invoices(payer="duelmen")] == [2]


def test_taxed_and_not_taxable_items_never_share_an_invoice(app, etermin, appointments, subscribe):
    apply_example("engagementdirekt.toml")
    subscribe(etermin, "engagement", starts_on=dt.date(2024, 1, 1), allow_backdated=True)
    engagement = next(c for c in contracts_of(etermin) if c.service_key == "engagement")
    set_vat_treatment(engagement, VatCategory.NOT_SUBJECT, 0)
    session.commit()
    run("2024-01")
    invoices = list_invoices(payer="kreis-coesfeld")
    assert sorted((i.vat_category.value, i.net_cents, i.vat_cents) for i in invoices) == [
        ("O", 458000 + 75000, 0),
        ("S", 200000, 38000),
    ]
    not_taxable = next(i for i in invoices if i.vat_category == VatCategory.NOT_SUBJECT)
    assert not_taxable.exemption_reason == EXEMPTION_REASONS[VatCategory.NOT_SUBJECT]


def test_issuer_filter_bills_only_that_issuers_items(app, connected_2024, kkd):
    result = run("2024-03", issuer_key="landkreis-marburg-biedenkopf")
    assert result.items_due == 0
    assert run("2024-03", issuer_key="kommunal-it").lines_created == 2


def test_ended_contract_is_billed_for_its_last_partial_month_by_day(app, connected_2023):
    from plugins.billing.contracts import terminate

    terminate(
        connected_2023, "engagement", ends_on=dt.date(2024, 6, 10), notice_on=dt.date(2024, 3, 1)
    )
    session.commit()
    run("2024-06")
    (invoice,) = list_invoices(payer="coesfeld")
    assert [(ln.description, ln.net_cents) for ln in invoice.lines] == [
        ("Engagementdirekt: Wartung, Pflege, Betrieb 2024-06 (anteilig 10/30 Tage)", 25000)
    ]


def _sponsorship(ends_on: str, tenants: str = "") -> None:
    from plugins.billing.configuration import apply_toml
    from tests.billing.conftest import EXAMPLES

    text = (EXAMPLES / "engagementdirekt.toml").read_text(encoding="utf-8")
    text = text.replace("ends_on = 2023-12-31", f"ends_on = {ends_on}{tenants}")
    apply_toml(text)


def test_sponsor_pays_the_one_time_fee_it_covers(
    app, engagementdirekt, duelmen, coesfeld, subscribe
):
    _sponsorship("2024-06-30")
    subscribe(duelmen, "engagement", starts_on=dt.date(2024, 3, 15), allow_backdated=True)
    run("2024-03")
    (invoice,) = list_invoices(payer="staatskanzlei-nrw")
    assert [(line.description, line.net_cents) for line in invoice.lines] == [
        ("Engagementdirekt: einmalige Anschlussgebühr – für Dülmen, Stadt", 458000),
        (
            "Engagementdirekt: Wartung, Pflege, Betrieb 2024-03 (anteilig 17/31 Tage) "
            "– für Dülmen, Stadt",
            41129,
        ),
    ]
    assert list_invoices(payer="duelmen") == []


def test_sponsorship_for_listed_tenants_covers_only_them(
    app, engagementdirekt, duelmen, coesfeld, subscribe
):
    _sponsorship("2024-06-30", '\ntenants = ["05558012"]')
    for tenant in (duelmen, coesfeld):
        subscribe(tenant, "engagement", starts_on=dt.date(2024, 4, 1), allow_backdated=True)
    run("2024-04")
    (sponsored,) = list_invoices(payer="staatskanzlei-nrw")
    assert [line.for_tenant_id for line in sponsored.lines] == [coesfeld.id, coesfeld.id]
    assert [i.net_cents for i in list_invoices(payer="duelmen")] == [458000 + 75000]
