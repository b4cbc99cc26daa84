"""Browser test with Debian's Chromium: search by PLZ, contact, acceptance; axe-core.

The browser and the live server come from tests/browser.py (Debian's Chromium; a
missing browser fails the tests, it never skips them).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from core.db import session
from plugins.engagement import contacts
from tests.browser import accessibility_violations

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(coesfeld, make_user, make_organisation, make_offer, make_volunteer):
    """Tafel Coesfeld with a member and a published offer; Vera, a volunteer of Coesfeld."""
    member = make_user(coesfeld, "maria@tafel.example.org", "Maria Member")
    tafel = make_organisation(coesfeld, "Tafel Coesfeld e. V.", founder=member)
    offer = make_offer(tafel, title="Lebensmittel sortieren", plz="48653")
    vera = make_volunteer(coesfeld, "vera@example.org", "Vera Voss", fields=["social"])
    return {"tafel": tafel, "offer": offer, "vera": vera}


def log_in(page: Any, email: str) -> None:
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def new_page(browser: Any) -> Any:
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    return context.new_page()


def test_citizen_finds_an_offer_by_plz_and_the_organisation_accepts(browser, live_server, scene):
    citizen = new_page(browser)
    citizen.goto(f"{live_server}/coesfeld/engagement/")
    citizen.get_by_label("Postleitzahl oder Ort").fill("48653")
    citizen.get_by_role("button", name="Suchen").click()
    expect(citizen.get_by_role("heading", name="1 Angebot gefunden")).to_be_visible()
    expect(citizen.get_by_text("0,0 km von Coesfeld entfernt")).to_be_visible()

    citizen.get_by_role("link", name="Lebensmittel sortieren").click()
    citizen.get_by_role("link", name="melden Sie sich an").click()
    log_in(citizen, "vera@example.org")
    citizen.get_by_label("Ihre Nachricht").fill("Ich habe dienstags Zeit und helfe gern.")
    citizen.get_by_role("button", name="Anfrage senden").click()
    expect(citizen.get_by_text("Wartet auf Antwort", exact=True)).to_be_visible()
    expect(citizen.get_by_text("kontakt@tafel.example.org")).to_have_count(0)
    request_url = citizen.url

    organisation = new_page(browser)
    organisation.goto(f"{live_server}/coesfeld/login")
    log_in(organisation, "maria@tafel.example.org")
    organisation.goto(
        f"{live_server}/coesfeld/engagement/organisations/{scene['tafel'].id}/requests"
    )
    organisation.get_by_role("link", name="Vera").click()
    expect(organisation.get_by_text("Ich habe dienstags Zeit und helfe gern.")).to_be_visible()
    organisation.get_by_role("button", name="Annehmen").click()
    expect(organisation.get_by_text("vera@example.org")).to_be_visible()

    citizen.goto(request_url)
    expect(citizen.get_by_text("Angenommen", exact=True)).to_be_visible()
    expect(citizen.get_by_role("link", name="kontakt@tafel.example.org")).to_be_visible()


@pytest.mark.parametrize("language", ["de-DE", "en-GB"])
def test_citizen_pages_have_no_wcag_21_aa_violations(
    browser, live_server, scene, coesfeld, language
):
    offer, vera = scene["offer"], scene["vera"]
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True, "Willkommen")
    session.commit()
    page = browser.new_context(locale=language).new_page()
    anonymous = [
        "/coesfeld/engagement/",
        "/coesfeld/engagement/?plz=48653&radius=25&fields=social",
        "/coesfeld/engagement/?plz=00000",
        f"/coesfeld/engagement/offers/{offer.id}",
        "/coesfeld/engagement/register",
    ]
    personal = [
        f"/coesfeld/engagement/offers/{offer.id}",
        "/coesfeld/engagement/profile",
        "/coesfeld/engagement/my-requests",
        f"/coesfeld/engagement/my-requests/{request.id}",
    ]
    for path in anonymous:
        page.goto(live_server + path)
        assert accessibility_violations(page) == [], path
    page.goto(f"{live_server}/coesfeld/login")
    page.fill("input[name=email]", "vera@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    for path in personal:
        page.goto(live_server + path)
        assert accessibility_violations(page) == [], path
