"""The billing sections of the operator console: invoices of every payer, finalising,
Storno, XRechnung, billing runs (test client, exact values)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.db import session
from core.testing import submit
from plugins.billing.models import Invoice
from tests.billing.conftest import finalize_all, run


@pytest.fixture
def console(app, operator, login):
    client = app.test_client()
    login(client, operator)
    return client


def _rows(page) -> list[tuple[str, str]]:
    return re.findall(
        r'<th scope="row"><a href="/operator/invoices/(\d+)">([^<]+)</a></th>', page.text
    )


def test_invoices_of_tenants_and_sponsors_are_listed(console, connected_2023, connected_2024):
    run("2023-12")
    run("2024-03")
    page = console.get("/operator/invoices/")
    assert page.status_code == 200
    payers = re.findall(r"<td>([^<]+\((?:[a-z0-9-]+)\))</td>", page.text)
    assert "Staatskanzlei des Landes Nordrhein-Westfalen (staatskanzlei-nrw)" in payers
    sponsor_only = console.get("/operator/invoices/?payer=staatskanzlei-nrw")
    assert len(_rows(sponsor_only)) == 1


def test_invoices_filter_by_status_and_period(console, connected_2024):
    run("2024-03")
    drafts = console.get("/operator/invoices/?status=draft&period=2024-03")
    assert [title for _id, title in _rows(drafts)] == ["Entwurf 1"]
    assert _rows(console.get("/operator/invoices/?status=final")) == []
    assert _rows(console.get("/operator/invoices/?period=2024-04")) == []


def test_a_draft_is_finalised_from_its_page(console, connected_2024):
    run("2024-03")
    draft_id = session.scalar(select(Invoice.id))
    page = console.get(f"/operator/invoices/{draft_id}")
    assert "Festschreiben" in page.text
    done = submit(
        console,
        f"/operator/invoices/{draft_id}/finalise",
        {},
        form_url=f"/operator/invoices/{draft_id}",
    )
    assert done.status_code == 302
    invoice = session.get(Invoice, draft_id)
    session.refresh(invoice)
    assert invoice.status.value == "final"
    assert f"Festgeschrieben als {invoice.number}." in console.get(done.headers["Location"]).text


def test_xrechnung_download_of_a_final_invoice(console, connected_2024):
    run("2024-03")
    number = finalize_all()["finalized"][0]
    invoice_id = session.scalar(select(Invoice.id).where(Invoice.number == number))
    response = console.get(f"/operator/invoices/{invoice_id}/xrechnung.xml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{number}.xml"'
    assert f"<ram:ID>{number}</ram:ID>".encode() in response.data


def test_storno_needs_a_reason_and_creates_a_cancellation(console, connected_2024):
    run("2024-03")
    number = finalize_all()["finalized"][0]
    invoice_id = session.scalar(select(Invoice.id).where(Invoice.number == number))
    url = f"/operator/invoices/{invoice_id}"
    refused = submit(console, url, {"reason": ""})
    assert refused.status_code == 422
    done = submit(console, url, {"reason": "Falscher Zeitraum"})
    assert done.status_code == 302
    storno = session.scalar(select(Invoice).where(Invoice.cancels_id == invoice_id))
    assert (storno.type_code, storno.cancel_reason) == ("381", "Falscher Zeitraum")
    assert done.headers["Location"] == f"/operator/invoices/{storno.id}"
    cancelled = console.get("/operator/invoices/?status=cancelled")
    assert [title for _id, title in _rows(cancelled)] == [number]


def test_billing_run_preview_writes_nothing_and_run_creates(console, connected_2024):
    preview = submit(console, "/operator/billing/runs", {"period": "2024-03", "mode": "preview"})
    assert preview.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
    assert "Neue Rechnungen, die er erstellen würde 1" in text
    assert session.scalar(select(func.count()).select_from(Invoice)) == 0
    done = submit(console, "/operator/billing/runs", {"period": "2024-03", "mode": "run"})
    assert "Neue Rechnungen erstellt 1" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", done.text))
    assert session.scalar(select(func.count()).select_from(Invoice)) == 1


def test_billing_run_refuses_a_bad_month(console):
    response = submit(console, "/operator/billing/runs", {"period": "2024-13", "mode": "run"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "de",
            "Vorschau für März 2024 Neue Rechnungen, die er erstellen würde 0 "
            "Offene Entwürfe, die er ergänzen würde 0 Positionen 0 "
            "Bereits berechnete Posten 0 / 0 Netto 0,00 € Warnungen "
            "1 aktive Buchung von Ehrenamt wird nicht abgerechnet: Der Dienst hat keinen "
            "Tarif (mit rathaus billing apply anlegen); Mandant coesfeld",
        ),
        (
            "en",
            "Preview of March 2024 New invoices it would create 0 "
            "Open drafts it would extend 0 Lines 0 Items billed before 0 / 0 Net €0.00 Warnings "
            "1 active subscription to Volunteering is not billed: the service has no tariff "
            "(add one with rathaus billing apply); tenant coesfeld",
        ),
    ],
)
def test_run_preview_speaks_the_page_language(console, tenant, subscribe, language, expected):
    subscribe(tenant, "engagement", starts_on=dt.date(2024, 3, 1), allow_backdated=True)

    preview = submit(
        console,
        "/operator/billing/runs",
        {"period": "2024-03", "mode": "preview"},
        headers={"Accept-Language": language},
    )

    text = " ".join(re.sub(r"<[^>]+>", " ", preview.text).split())
    assert expected in text
