"""Domain errors on German pages are German (the quoted examples of issue 11)."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from core.testing import TEST_PASSWORD, submit
from plugins.engagement import contacts

DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}
TODAY = dt.date.today()


def registration(**overrides):
    return {
        "display_name": "Kim Kaya",
        "email": "kim@example.org",
        "password": TEST_PASSWORD,
        "password_repeat": TEST_PASSWORD,
        "birth_year": "1990",
        "plz": "48653",
        "accept_privacy": "y",
        **overrides,
    }


def page_of(response):
    return html.unescape(response.get_data(as_text=True))


def test_an_unknown_postcode_is_reported_in_german(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=99999", headers=DE)

    assert response.status_code == 422
    assert "'99999' ist keine bekannte deutsche Postleitzahl und kein bekannter Ort" in page_of(
        response
    )


def test_the_same_error_is_english_on_an_english_page(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=99999", headers=EN)

    assert "'99999' is not a known German postcode or place" in page_of(response)


def test_a_period_ending_before_it_starts_is_reported_in_german(client, coesfeld):
    response = client.get(
        "/coesfeld/engagement/?plz=48653&date_from=2027-05-02&date_to=2027-05-01", headers=DE
    )

    assert response.status_code == 422
    assert "liegt vor dem Beginn des Zeitraums" in page_of(response)


@pytest.mark.parametrize(
    ("overrides", "german"),
    [
        ({"birth_year": "1800"}, "muss ein Jahr innerhalb der letzten 120 Jahre sein"),
        ({"birth_year": str(TODAY.year - 10)}, "Freiwillige müssen mindestens 12 Jahre alt sein"),
        (
            {"birth_year": str(TODAY.year - 14)},
            "Unter 16 Jahren muss ein Elternteil zustimmen: Geben Sie seinen Namen an",
        ),
        ({"email": "nope"}, "'nope' ist keine E-Mail-Adresse"),
    ],
)
def test_registration_errors_are_german(client, coesfeld, overrides, german):
    response = submit(
        client, "/coesfeld/engagement/register", registration(**overrides), headers=DE
    )

    assert response.status_code == 422
    assert german in page_of(response)


def test_contacting_twice_is_refused_in_german(
    app, login, coesfeld, make_user, make_organisation, make_offer, make_volunteer
):
    member = make_user(coesfeld, "member@example.org", "Maria Member")
    offer = make_offer(make_organisation(coesfeld, "Tafel", founder=member))
    vera = make_volunteer(coesfeld, "vera@example.org", "Vera Voss")
    contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    client = app.test_client()
    login(client, vera)

    response = submit(
        client,
        f"/coesfeld/engagement/offers/{offer.id}/contact",
        {"message": "Noch einmal"},
        form_url=f"/coesfeld/engagement/offers/{offer.id}",
        headers=DE,
    )

    assert "Sie haben diese Organisation zu dem Angebot bereits kontaktiert" in page_of(response)


def test_the_api_keeps_english_and_a_code(client, coesfeld):
    response = client.get("/api/v1/tenants/coesfeld/engagement/opportunities?plz=99999", headers=DE)

    assert response.status_code in (400, 422)
    body = response.get_json()
    assert (body["code"], "'99999' is not a known German postcode or place" in body["detail"]) == (
        "postcode.unknown",
        True,
    )


def test_a_new_organisation_is_told_that_it_is_unverified(app, login, coesfeld, make_user):
    user = make_user(coesfeld, "gruender@example.org", "Gerda Gründer")
    client = app.test_client()
    login(client, user)

    response = submit(
        client,
        "/coesfeld/engagement/organisations/new",
        {"name": "Heimatverein Lette", "kind": "verein", "contact_email": "info@hv.example.org"},
        headers=DE,
        follow_redirects=True,
    )

    assert (
        "Die Organisation ist noch nicht verifiziert. Bis die Kommune sie verifiziert hat, "
        "werden ihre Angebote vor der Veröffentlichung geprüft."
    ) in page_of(response)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (DE, "„Fortsetzen“ ist bei einem Angebot im Status „Veröffentlicht“ nicht möglich"),
        (EN, "cannot resume an offer that is published"),
    ],
)
def test_status_words_in_an_error_are_labels_of_the_page_language(
    app, login, coesfeld, make_user, make_organisation, make_offer, headers, expected
):
    member = make_user(coesfeld, "member@example.org", "Maria Member")
    offer = make_offer(make_organisation(coesfeld, "Tafel", founder=member))
    client = app.test_client()
    login(client, member)
    url = f"/coesfeld/engagement/organisations/{offer.organisation_id}/offers/{offer.id}"

    response = submit(
        client,
        f"{url}/status",
        {"action": "resume"},
        form_url=f"{url}/edit",
        headers=headers,
        follow_redirects=True,
    )

    assert expected in page_of(response)
