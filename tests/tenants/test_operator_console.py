"""The operator console's tenants section and core's frame and audit log (test client)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.db import session
from core.models import AuditEntry, Tenant
from core.tenancy import cross_tenant
from core.testing import submit
from tests.tenants.conftest import invoke_json


@pytest.fixture
def console(app, operator, login):
    """A test client logged in as the operator (German pages)."""
    client = app.test_client()
    response = login(client, operator)
    assert response.headers["Location"] == "/operator/"
    return client


@pytest.fixture
def borken(runner):
    """Kreis Borken and its 17 Gemeinden from the gazetteer, requested."""
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")


def _text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_console_home_lists_the_sections_of_the_plugins_and_core(console):
    page = console.get("/operator/")
    assert page.status_code == 200
    titles = re.findall(r'<li class="card">\s*<a href="([^"]+)">([^<]+)</a>', page.text)
    assert titles == [
        ("/operator/tenants/", "Mandanten"),
        ("/operator/invoices/", "Rechnungen"),
        ("/operator/billing/runs", "Abrechnungsläufe"),
        ("/operator/audit", "Protokoll"),
    ]


def test_console_is_for_operators_only(app, tenant_admin_client):
    # A tenant admin is a principal only at their tenant: here they are anonymous.
    assert tenant_admin_client.get("/operator/").headers["Location"] == "/login?next=/operator/"
    assert app.test_client().get("/operator/audit").status_code == 302


def test_tenants_are_grouped_land_kreis_and_paged(console, borken):
    page = console.get("/operator/tenants/")
    assert page.status_code == 200
    captions = re.findall(r"<caption>([^<]+)</caption>", page.text)
    assert captions == ["Nordrhein-Westfalen › Borken"]
    assert "Zeilen 1–18 von 18" in _text(page)
    rows = re.findall(r'<th scope="row"><a href="/operator/tenants/([^"]+)">', page.text)
    assert rows[:3] == ["kreis-borken", "ahaus", "bocholt"]


def test_tenants_filter_by_status_and_search_by_postcode(console, borken, runner):
    invoke_json(runner, "tenants", "activate", "vreden")
    active = console.get("/operator/tenants/?status=active")
    assert re.findall(r'<th scope="row"><a href="/operator/tenants/([^"]+)">', active.text) == [
        "vreden"
    ]
    by_postcode = console.get("/operator/tenants/?q=46325")
    assert re.findall(
        r'<th scope="row"><a href="/operator/tenants/([^"]+)">', by_postcode.text
    ) == ["borken"]
    by_land = console.get("/operator/tenants/?land=09")
    assert "Kein Mandant passt." in _text(by_land)


def test_tenant_page_shows_status_links_and_actions(console, borken):
    page = console.get("/operator/tenants/borken")
    text = _text(page)
    assert "Status Beantragt" in text
    assert 'href="/operator/tenants/borken/activate"' in page.text
    assert 'href="/operator/tenants/borken/suspend"' not in page.text
    assert 'href="/borken/"' in page.text


def test_activate_from_the_console_is_confirmed_and_audited(console, borken, operator):
    confirm = console.get("/operator/tenants/borken/activate")
    assert "Stadt Borken aktivieren?" in _text(confirm)
    done = submit(console, "/operator/tenants/borken/activate", {"reason": "Vertrag EA-7"})
    assert (done.status_code, done.headers["Location"]) == (302, "/operator/tenants/borken")
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "borken"))
    session.refresh(tenant)
    assert tenant.status.value == "active"
    with cross_tenant("test reads the audit entry"):
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tenant.activated")
        ).one()
    assert (entry.actor, entry.reason) == (
        f"user:{operator.id}:{operator.pseudonym}",
        "Vertrag EA-7",
    )


def test_suspend_needs_a_reason(console, borken, runner):
    invoke_json(runner, "tenants", "activate", "borken")
    refused = submit(console, "/operator/tenants/borken/suspend", {"reason": " "})
    assert refused.status_code == 422
    assert "darf nicht leer sein" in _text(refused) or "must not be empty" in _text(refused)
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "borken"))
    session.refresh(tenant)
    assert tenant.status.value == "active"


def test_action_without_csrf_token_is_refused(console, borken):
    response = console.post("/operator/tenants/borken/activate", data={"reason": "x"})
    assert response.status_code == 400


def test_audit_log_across_tenants_in_words_and_filtered(console, borken, runner, operator):
    invoke_json(runner, "tenants", "activate", "vreden")
    submit(console, "/operator/tenants/borken/activate", {"reason": ""})
    page = console.get("/operator/audit?action=tenant.activated")
    rows = re.findall(
        r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page.text
    )
    assert rows[0] == ("borken", "operator@example.org", "Aktiviert")
    assert rows[1][0] == "vreden"
    assert rows[1][1].startswith("Kommandozeile (")
    only_vreden = console.get("/operator/audit?tenant=vreden&action=tenant.activated")
    assert len(re.findall(r"<tr>\s*<td>", only_vreden.text)) == 1


def test_console_speaks_english_too(console):
    console.get("/sprache/en")
    page = console.get("/operator/")
    assert "<h1>Operator console</h1>" in page.text
