"""Core's citizen pages in a real browser: WCAG 2.1 AA (axe-core), phones, no JavaScript."""

from __future__ import annotations

import pytest

from core.testing import TEST_PASSWORD
from tests.browser import accessibility_violations
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/?q=coesfeld",
    "/?q=Atlantis",
    "/coesfeld/",
    "/coesfeld/login",
    "/coesfeld/register",
    "/login",
    "/barrierefreiheit",
    "/datenschutz",
    "/impressum",
    "/api/v1/docs",
    "/nowhere/",
]


@pytest.fixture
def rathaus_config():
    return {"PLUGINS": [*BUILT_IN, "probe"], "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}


@pytest.fixture
def site(live_server, tenant, subscribe):
    subscribe(tenant, "probe")
    return live_server


@pytest.mark.parametrize("path", PAGES)
def test_page_meets_wcag_21_aa(site, page, path):
    page.goto(site + path)
    assert accessibility_violations(page) == []


def test_english_pages_meet_wcag_21_aa(site, browser):
    context = browser.new_context(locale="en-GB")
    tab = context.new_page()
    tab.goto(site + "/coesfeld/register")
    assert tab.locator("h1").inner_text() == "Create an account at Coesfeld, Stadt"
    assert accessibility_violations(tab) == []
    context.close()


def test_form_errors_are_accessible(site, page):
    page.goto(site + "/coesfeld/register")
    page.get_by_label("Name").fill("Berta")
    page.get_by_label("E-Mail-Adresse").fill("berta@example.org")
    page.get_by_label("Passwort", exact=True).fill("short")
    page.get_by_role("button", name="Registrieren").click()
    assert (
        page.get_by_role("alert").locator("h2").inner_text() == "Bitte korrigieren Sie Folgendes:"
    )
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert accessibility_violations(page) == []


def test_pages_fit_a_phone_screen(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    tab = context.new_page()
    for path in ("/", "/coesfeld/", "/coesfeld/register", "/barrierefreiheit"):
        tab.goto(site + path)
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()


def test_login_and_account_work_without_javascript(site, browser, citizen):
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    tab = context.new_page()
    tab.goto(site + "/coesfeld/login")
    tab.get_by_label("E-Mail-Adresse").fill("citizen@example.org")
    tab.get_by_label("Passwort").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Anmelden").click()
    tab.goto(site + "/coesfeld/account")
    assert tab.locator("h1").inner_text() == "Mein Konto"
    context.close()


def test_keyboard_users_can_skip_to_the_content(site, page):
    page.goto(site + "/coesfeld/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
