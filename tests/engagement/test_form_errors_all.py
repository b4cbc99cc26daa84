"""Every engagement form reports all its wrong fields in one submit (issue 11 §2):
each in the error summary, linked to its field, and next to the field."""

from __future__ import annotations

import pytest

from core.models import Role
from core.testing import error_summary_of, submit

DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def member(coesfeld, make_user):
    return make_user(coesfeld, "member@example.org", "Maria Member")


@pytest.fixture
def tafel(coesfeld, make_organisation, member):
    return make_organisation(coesfeld, "Tafel", founder=member)


@pytest.fixture
def member_client(app, login, member):
    client = app.test_client()
    login(client, member)
    return client


BAD_ORGANISATION = {
    "name": "",
    "kind": "verein",
    "website": "tafel.example.org",
    "contact_email": "kontakt(at)tafel",
    "plz": "4865",
}


def test_registering_an_organisation_shows_every_wrong_field(member_client, tafel):
    response = submit(
        member_client, "/coesfeld/engagement/organisations/new", BAD_ORGANISATION, headers=DE
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#name Name der Organisation: Dieses Feld wird benötigt.",
        "#website Website: muss eine Webadresse sein, die mit https:// oder http:// beginnt",
        "#contact_email Kontakt-E-Mail-Adresse: 'kontakt(at)tafel' ist keine E-Mail-Adresse",
        "#plz Postleitzahl: muss eine fünfstellige Postleitzahl sein",
    ]


def test_editing_an_organisation_shows_every_wrong_field_and_keeps_the_input(member_client, tafel):
    response = submit(
        member_client,
        f"/coesfeld/engagement/organisations/{tafel.id}",
        BAD_ORGANISATION,
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#name Name der Organisation: Dieses Feld wird benötigt.",
        "#website Website: muss eine Webadresse sein, die mit https:// oder http:// beginnt",
        "#contact_email Kontakt-E-Mail-Adresse: 'kontakt(at)tafel' ist keine E-Mail-Adresse",
        "#plz Postleitzahl: muss eine fünfstellige Postleitzahl sein",
    ]
    page = response.get_data(as_text=True)
    # The form keeps what was typed, next to each field its error.
    assert 'value="tafel.example.org"' in page
    assert 'value="kontakt(at)tafel"' in page
    assert '<p class="error" id="plz-error">muss eine fünfstellige Postleitzahl sein </p>' in page


BAD_OFFER = {
    "title": "",
    "description": "Im Tierheim.",
    "plz": "99999",
    "reach": "local",
    "schedule": "one_off",
    "min_age": "0",
    "languages": ["de"],
    "expires_on": "2000-01-01",
}


def test_writing_an_offer_shows_every_wrong_field(member_client, tafel):
    response = submit(
        member_client,
        f"/coesfeld/engagement/organisations/{tafel.id}/offers/new",
        BAD_OFFER,
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#title Titel: Dieses Feld wird benötigt.",
        "#fields Engagementfelder: Wählen Sie mindestens ein Engagementfeld",
        "#plz Postleitzahl: '99999' ist keine bekannte deutsche Postleitzahl und kein bekannter Ort",
        "#starts_on Datum (einmalig): Ein einmaliges Angebot braucht ein Datum",
        "#expires_on Anzeigen bis: muss in der Zukunft liegen",
    ]


def test_changing_an_offer_shows_every_wrong_field(member_client, tafel, make_offer):
    offer = make_offer(tafel, title="Hunde ausführen")
    response = submit(
        member_client,
        f"/coesfeld/engagement/organisations/{tafel.id}/offers/{offer.id}/edit",
        BAD_OFFER,
        headers=EN,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#title Title: This field is required.",
        "#fields Fields of engagement: choose at least one field of engagement",
        "#plz Postcode: '99999' is not a known German postcode or place",
        "#starts_on Date (one-off): a one-off offer needs a date",
        "#expires_on Show until: must lie in the future",
    ]


def test_the_profile_shows_every_wrong_field(app, login, coesfeld, make_user):
    user = make_user(coesfeld, "kim@example.org", "Kim Kaya")
    client = app.test_client()
    login(client, user)

    response = submit(
        client,
        "/coesfeld/engagement/profile",
        {"birth_year": "1800", "plz": "abc", "radius_km": "15", "about": "x" * 1001},
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#birth_year Geburtsjahr: muss ein Jahr innerhalb der letzten 120 Jahre sein",
        "#plz Postleitzahl: 'abc' ist keine bekannte deutsche Postleitzahl und kein bekannter Ort",
        "#about Über Sie: Feld kann nicht länger als 1000 Zeichen sein.",
    ]


def test_registration_with_missing_and_wrong_fields_shows_them_all(client, coesfeld):
    response = submit(
        client,
        "/coesfeld/engagement/register",
        {
            "display_name": "",
            "email": "kim(at)example",
            "password": "kurz",
            "password_repeat": "anders",
            "birth_year": "1800",
            "plz": "abc",
        },
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#display_name Name: Dieses Feld wird benötigt.",
        "#email E-Mail-Adresse: 'kim(at)example' ist keine E-Mail-Adresse",
        "#password Passwort: Feld muss zwischen 12 und 1024 Zeichen beinhalten.",
        "#password_repeat Passwort wiederholen: Die Passwörter stimmen nicht überein.",
        "#birth_year Geburtsjahr: muss ein Jahr innerhalb der letzten 120 Jahre sein",
        "#plz Postleitzahl: 'abc' ist keine bekannte deutsche Postleitzahl und kein bekannter Ort",
        "#accept_privacy Ich habe die Datenschutzerklärung gelesen. "
        "Bitte bestätigen Sie die Datenschutzerklärung.",
    ]


def test_the_search_shows_a_wrong_postcode_and_a_wrong_distance_together(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=99999&radius=500&age=200", headers=DE)

    assert response.status_code == 422
    assert "größere Entfernung" not in response.get_data(as_text=True)
    assert error_summary_of(response) == [
        "#plz Postleitzahl oder Ort: '99999' ist keine bekannte deutsche Postleitzahl "
        "und kein bekannter Ort",
        "#radius Entfernung: Keine gültige Auswahl.",
        "#age Ihr Alter: Zahl muss zwischen 0 und 120 liegen.",
    ]


def test_rejecting_nothing_without_a_reason_names_both(app, login, coesfeld, make_user):
    admin = make_user(coesfeld, "admin@example.org", "Anna Admin", Role.TENANT_ADMIN)
    client = app.test_client()
    login(client, admin)

    response = submit(
        client,
        "/coesfeld/engagement/admin/review",
        {"decision": "reject", "reason": ""},
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#offers Angebote zur Entscheidung: Wählen Sie mindestens ein Angebot",
        "#reason Begründung (zum Zurückgeben nötig): "
        "Sagen Sie, warum die Angebote abgelehnt werden",
    ]


def test_the_api_lists_every_wrong_field_of_an_offer(client, tafel, tenant_token):
    from core.testing import bearer

    response = client.post(
        "/api/v1/tenants/coesfeld/engagement/opportunities",
        json={
            "organisation_id": tafel.id,
            "title": "Hunde ausführen",
            "description": "Im Tierheim.",
            "fields": [],
            "plz": "4865",
            "places": 0,
        },
        headers=bearer(tenant_token),
    )

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {
            "fields": ["choose at least one field of engagement"],
            "plz": ["must be a postcode of 5 digits"],
            "places": ["must be between 1 and 10000"],
        }
    }


@pytest.fixture
def accepted_request(tafel, make_offer, coesfeld, make_volunteer):
    from core.db import session
    from plugins.engagement import contacts

    vera = make_volunteer(coesfeld, "vera@example.org", "Vera Voss")
    offer = make_offer(tafel, with_children=True)
    request = contacts.request_contact(coesfeld, offer.id, vera, "Hallo")
    contacts.decide_request(request, True)
    session.commit()
    return request


def test_the_certificate_form_names_both_missing_fields(member_client, tafel, accepted_request):
    page = f"/coesfeld/engagement/organisations/{tafel.id}/requests/{accepted_request.id}"

    response = submit(
        member_client, page + "/certificate", {"inspected_on": ""}, form_url=page, headers=DE
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#inspected_on Eingesehen am: Dieses Feld wird benötigt.",
        "#outcome Ergebnis: Dieses Feld wird benötigt.",
    ]


def test_the_certificate_form_shows_a_future_date_at_the_field(
    member_client, tafel, accepted_request
):
    page = f"/coesfeld/engagement/organisations/{tafel.id}/requests/{accepted_request.id}"

    response = submit(
        member_client,
        page + "/certificate",
        {"inspected_on": "2999-01-01", "outcome": "no_relevant_entries"},
        form_url=page,
        headers=EN,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == ["#inspected_on Inspected on: must not lie in the future"]
    assert accepted_request.certificate_inspected_on is None


def test_an_offer_with_postcode_and_place_in_the_place_field_is_located(
    member_client, tafel, coesfeld
):
    from sqlalchemy import select

    from core.db import session
    from core.tenancy import tenant_context
    from plugins.engagement.models import Opportunity

    response = submit(
        member_client,
        f"/coesfeld/engagement/organisations/{tafel.id}/offers/new",
        {
            "title": "Hunde ausführen",
            "description": "Im Tierheim.",
            "fields": ["animals"],
            "place": "Coesfeld 48653",
            "reach": "local",
            "schedule": "regular",
            "min_age": "0",
            "languages": ["de"],
        },
    )

    assert response.status_code == 302
    with tenant_context(coesfeld):
        (offer,) = session.scalars(select(Opportunity)).all()
    assert (offer.plz, offer.lat, offer.lon) == ("48653", 51.9435, 7.1681)


def test_the_api_search_lists_a_wrong_postcode_and_a_reversed_period_together(client, coesfeld):
    response = client.get(
        "/api/v1/tenants/coesfeld/engagement/opportunities"
        "?plz=99999&date_from=2027-01-10&date_to=2027-01-01"
    )

    assert (response.status_code, response.mimetype) == (422, "application/problem+json")
    assert response.json["errors"] == {
        "json": {
            "date_to": ["lies before the start of the period"],
            "plz": ["'99999' is not a known German postcode or place"],
        }
    }


def test_the_contact_form_links_its_only_field(
    app, login, tafel, make_offer, make_volunteer, coesfeld
):
    offer = make_offer(tafel, title="Hunde ausführen")
    client = app.test_client()
    login(client, make_volunteer(coesfeld, "vera@example.org", "Vera Voss"))
    page = f"/coesfeld/engagement/offers/{offer.id}"

    response = submit(client, page + "/contact", {"message": ""}, form_url=page, headers=DE)

    assert response.status_code == 422
    assert error_summary_of(response) == ["#message Ihre Nachricht: Dieses Feld wird benötigt."]
