"""The operator console in a real browser: login lands on the console, filter the
tenants, activate one with the keyboard-operable confirmation, WCAG 2.1 AA (axe)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import session
from core.models import Tenant
from core.testing import TEST_PASSWORD
from tests.browser import accessibility_violations
from tests.tenants.conftest import invoke_json

pytestmark = pytest.mark.e2e

CONSOLE_PAGES = [
    "/operator/",
    "/operator/tenants/",
    "/operator/tenants/?status=requested&land=05",
    "/operator/tenants/borken",
    "/operator/tenants/borken/activate",
    "/operator/invoices/",
    "/operator/billing/runs",
    "/operator/audit",
]


@pytest.fixture
def console_site(live_server, operator, runner):
    invoke_json(runner, "tenants", "import", "--gazetteer", "--kreis", "05554")
    return live_server


def _log_in(page, site):
    page.goto(site + "/login")
    page.locator("#email").fill("operator@example.org")
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("main button[type=submit]").click()


def test_login_filter_activate(console_site, browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    _log_in(page, console_site)
    assert page.url == console_site + "/operator/"
    page.get_by_role("link", name="Mandanten").first.click()
    page.locator("#q").fill("Borken")
    page.locator("#status").select_option("requested")
    page.get_by_role("button", name="Filtern").click()
    assert "q=Borken" in page.url
    page.get_by_role("link", name="Stadt Borken").click()
    page.get_by_role("link", name="Aktivieren").click()
    page.locator("#reason").fill("Einzelabruf EA-2026-3")
    page.get_by_role("button", name="Aktivieren").click()
    assert page.url == console_site + "/operator/tenants/borken"
    assert page.get_by_role("status").inner_text().strip() == "Stadt Borken ist jetzt aktiv."
    tenant = session.scalar(select(Tenant).where(Tenant.slug == "borken"))
    session.refresh(tenant)
    assert tenant.status.value == "active"
    context.close()


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_console_pages_meet_wcag_21_aa(console_site, browser, locale):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    _log_in(page, console_site)
    problems = {}
    for path in CONSOLE_PAGES:
        response = page.goto(console_site + path)
        assert response.status == 200, path
        found = accessibility_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}
