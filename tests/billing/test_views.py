"""The tenant admins' billing pages: overview with SVG chart, printable invoice, isolation."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.models import Role
from core.testing import TEST_PASSWORD
from tests.billing.conftest import finalize_all, run


@pytest.fixture
def billed(app, connected_2023, connected_2024):
    from plugins.billing.invoices import list_invoices

    run("2024-03")
    finalize_all()
    return {invoice.payer_tenant.slug: invoice.number for invoice in list_invoices()}


def _admin(tenant, email):
    user = accounts.create_user(email, "Kämmerin", TEST_PASSWORD, [Role.TENANT_ADMIN], tenant)
    session.commit()
    return user


@pytest.fixture
def admin_client(app, coesfeld, login):
    client = app.test_client()
    login(client, _admin(coesfeld, "admin@coesfeld.example"))
    return client


def test_hook_register_blueprints(app, admin_client, billed):
    page = admin_client.get("/coesfeld/billing/?year=2024")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Verträge und Rechnungen</h1>" in html
    assert billed["coesfeld"] in html
    assert 'role="img"' in html and "<svg" in html


def test_overview_chart_has_a_text_alternative_and_a_table(app, admin_client, billed):
    html = admin_client.get("/coesfeld/billing/?year=2024").get_data(as_text=True)
    assert "März: 892,50\xa0€" in html  # in the SVG title
    assert '<tr><th scope="row">März 2024</th><td class="amount">892,50\xa0€</td></tr>' in html


def test_overview_opens_on_the_newest_year_with_invoices_and_offers_a_switch(
    app, admin_client, billed
):
    html = admin_client.get("/coesfeld/billing/").get_data(as_text=True)
    assert "Kosten je Monat 2024" in html
    other_year = admin_client.get("/coesfeld/billing/?year=2023").get_data(as_text=True)
    assert 'href="/coesfeld/billing/?year=2024">2024</a>' in other_year
    assert "892,50\xa0€" in html
    assert "19 % USt." in html


def test_printable_invoice_shows_the_14_ustg_contents(app, admin_client, billed):
    html = admin_client.get(f"/coesfeld/billing/invoices/{billed['coesfeld']}").get_data(
        as_text=True
    )
    for expected in (
        "Kommunal-IT Musterland GmbH",
        "Musterweg 1",
        "DE999999995",
        "Coesfeld, Stadt, Kämmerei",
        billed["coesfeld"],
        "02.04.2024",
        "01.03.2024 – 31.03.2024",
        "750,00\xa0€",
        "142,50\xa0€",
        "892,50\xa0€",
        "DE02120300000000202051",
    ):
        assert expected in html, expected
    assert "billing.css" in html


def test_invoice_page_offers_the_xrechnung(app, admin_client, billed):
    response = admin_client.get(f"/coesfeld/billing/invoices/{billed['coesfeld']}/xrechnung.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"


def test_admin_cannot_open_another_tenants_invoice(app, admin_client, billed):
    assert admin_client.get(f"/coesfeld/billing/invoices/{billed['duelmen']}").status_code == 404
    assert (
        admin_client.get(
            f"/coesfeld/billing/invoices/{billed['duelmen']}/xrechnung.xml"
        ).status_code
        == 404
    )


def test_admin_of_another_tenant_is_not_let_in(app, duelmen, login, billed):
    client = app.test_client()
    login(client, _admin(duelmen, "admin@duelmen.example"))
    assert client.get("/coesfeld/billing/").status_code == 302
    assert client.get(f"/coesfeld/billing/invoices/{billed['coesfeld']}").status_code == 302
    own = client.get("/duelmen/billing/?year=2024").get_data(as_text=True)
    assert billed["duelmen"] in own and billed["coesfeld"] not in own


def test_citizen_is_refused(app, citizen_client, billed):
    assert citizen_client.get("/coesfeld/billing/").status_code == 403


def test_anonymous_is_sent_to_login(app, client, billed):
    response = client.get("/coesfeld/billing/")
    assert response.status_code == 302
    assert "/coesfeld/login" in response.headers["Location"]


def test_operator_sees_the_tenant_page(app, operator, login, billed):
    client = app.test_client()
    login(client, operator)
    assert client.get("/coesfeld/billing/").status_code == 200


def test_printed_cancellation_says_credited_and_asks_for_no_transfer(app, admin_client, billed):
    import datetime as dt

    from plugins.billing.invoices import cancel

    document = cancel(billed["coesfeld"], "Falscher Anschlusstag", today=dt.date(2024, 4, 10))
    html = admin_client.get(f"/coesfeld/billing/invoices/{document.number}").get_data(as_text=True)
    assert (
        "Der Betrag von 892,50\xa0€ wird gutgeschrieben oder mit offenen Forderungen "
        "verrechnet; es ist keine Zahlung nötig." in html
    )
    assert "überweisen" not in html
    assert "Fällig" not in html
