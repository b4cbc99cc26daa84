"""A Kreis admin reads a Gemeinde's contracts and invoices, read-only, where the
Gemeinde opted in; otherwise a 403 says why."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.models import Role, Tenant
from core.testing import TEST_PASSWORD, csrf_token
from tests.billing.conftest import finalize_all, run

BASE = "/kreis-coesfeld/admin/municipalities/coesfeld/billing"
EN = {"Accept-Language": "en"}


@pytest.fixture
def billed(app, connected_2023, connected_2024):
    from plugins.billing.invoices import list_invoices

    run("2024-03")
    finalize_all()
    return {invoice.payer_tenant.slug: invoice.number for invoice in list_invoices()}


@pytest.fixture
def kreis_admin(app, make_tenant, coesfeld, login):
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld")
    row = session.get(Tenant, coesfeld.id)
    row.parent_id, row.display_name = kreis.id, "Stadt Coesfeld"
    user = accounts.create_user(
        "admin@kreis-coesfeld.example", "Kreisadmin", TEST_PASSWORD, [Role.TENANT_ADMIN], kreis
    )
    session.commit()
    client = app.test_client()
    login(client, user)
    return client


def opt_in(tenant):
    session.get(Tenant, tenant.id).parent_may_administer = True
    session.commit()


def test_a_kreis_admin_reads_the_invoices_of_a_gemeinde_that_opted_in(
    kreis_admin, coesfeld, billed
):
    opt_in(coesfeld)

    overview = kreis_admin.get(f"{BASE}/?year=2024", headers=EN)
    invoice = kreis_admin.get(f"{BASE}/invoices/{billed['coesfeld']}", headers=EN)

    html = overview.get_data(as_text=True)
    assert (overview.status_code, invoice.status_code) == (200, 200)
    assert f'<a href="{BASE}/invoices/{billed["coesfeld"]}">{billed["coesfeld"]}</a>' in html
    assert "Of Stadt Coesfeld, read-only: the municipality lets the district see them." in html
    assert billed["duelmen"] not in html
    assert '<tr><th scope="row">March 2024</th><td class="amount">€892.50</td></tr>' in html
    assert billed["coesfeld"] in invoice.get_data(as_text=True)
    assert html.count("<form") == 1  # only the logout button: nothing to change here
    assert "xrechnung.xml" not in invoice.get_data(as_text=True)


def test_the_kreis_sees_the_gemeindes_newest_year_with_invoices_and_can_switch(
    kreis_admin, coesfeld, billed
):
    opt_in(coesfeld)

    html = kreis_admin.get(f"{BASE}/", headers=EN).get_data(as_text=True)
    empty_year = kreis_admin.get(f"{BASE}/?year=2023", headers=EN).get_data(as_text=True)

    assert '<h2 id="costs-heading">Costs per month 2024</h2>' in html
    assert '<text x="' in html and ">Mar</text>" in html
    assert f'<a href="{BASE}/?year=2024">2024</a>' in empty_year


def test_the_kreis_cannot_open_another_gemeindes_invoice_through_it(kreis_admin, coesfeld, billed):
    opt_in(coesfeld)

    assert kreis_admin.get(f"{BASE}/invoices/{billed['duelmen']}").status_code == 404


def test_the_pages_are_read_only(kreis_admin, coesfeld, billed):
    opt_in(coesfeld)

    token = csrf_token(kreis_admin, "/kreis-coesfeld/admin/settings")

    assert kreis_admin.post(f"{BASE}/", data={"csrf_token": token}).status_code == 405


def test_a_gemeinde_that_did_not_opt_in_gets_a_403_that_says_so(kreis_admin, billed):
    german = kreis_admin.get(f"{BASE}/")
    english = kreis_admin.get(f"{BASE}/invoices/{billed['coesfeld']}", headers=EN)

    assert (german.status_code, english.status_code) == (403, 403)
    assert "Stadt Coesfeld hat dem Kreis die Verwaltung nicht erlaubt." in german.get_data(
        as_text=True
    )
    assert "Stadt Coesfeld has not allowed the district to administer it." in english.get_data(
        as_text=True
    )


def test_the_managed_gemeindes_administration_links_the_delegated_pages(kreis_admin, coesfeld):
    opt_in(coesfeld)

    page = kreis_admin.get("/kreis-coesfeld/admin/municipalities/coesfeld/", headers=EN).get_data(
        as_text=True
    )

    assert f'<a href="{BASE}/">Contracts and invoices (read-only)</a>' in page
    assert (
        '<a href="/kreis-coesfeld/admin/municipalities/coesfeld/engagement/review">'
        "Review queue of the volunteering offers</a>"
    ) in page
