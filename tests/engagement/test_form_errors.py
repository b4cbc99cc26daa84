"""A form reports all its errors at once, in the error summary with links (issue 11 §2)."""

from __future__ import annotations

import html
import re

from core.testing import TEST_PASSWORD, submit

DE = {"Accept-Language": "de"}


def summary_of(response) -> list[str]:
    """The error summary's entries as text, with their link targets."""
    page = response.get_data(as_text=True)
    block = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [
        f"{target} {html.unescape(text)}"
        for target, text in re.findall(r'<li><a href="(#[\w-]+)">(.*?)</a></li>', block)
    ]


def test_registration_shows_every_wrong_field_in_one_submit(client, coesfeld):
    response = submit(
        client,
        "/coesfeld/engagement/register",
        {
            "display_name": "Kim Kaya",
            "email": "kim(at)example",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "birth_year": "1800",
            "plz": "abc",
            "accept_privacy": "y",
        },
        headers=DE,
    )

    assert response.status_code == 422
    assert summary_of(response) == [
        "#email E-Mail-Adresse: 'kim(at)example' ist keine E-Mail-Adresse",
        "#birth_year Geburtsjahr: muss ein Jahr innerhalb der letzten 120 Jahre sein",
        "#plz Postleitzahl: 'abc' ist keine bekannte deutsche Postleitzahl und kein bekannter Ort",
    ]


def test_a_label_ending_in_a_full_stop_gets_no_colon(client, coesfeld):
    response = submit(
        client,
        "/coesfeld/engagement/register",
        {
            "display_name": "Kim Kaya",
            "email": "kim@example.org",
            "password": TEST_PASSWORD,
            "password_repeat": TEST_PASSWORD,
            "birth_year": "1990",
        },
        headers=DE,
    )

    (entry,) = [e for e in summary_of(response) if e.startswith("#accept_privacy")]
    assert ".:" not in entry
    assert entry.startswith("#accept_privacy Ich habe die Datenschutzerklärung gelesen. ")


def test_an_unknown_postcode_gets_no_advice_to_search_wider(client, coesfeld):
    page = client.get("/coesfeld/engagement/?plz=99999", headers=DE).get_data(as_text=True)

    assert "ist keine bekannte deutsche Postleitzahl" in html.unescape(page)
    assert "größere Entfernung" not in page
    assert "Nichts gefunden" not in page


def test_postcode_and_place_together_are_understood(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=48653+Coesfeld", headers=DE)

    assert response.status_code == 200
    assert "error-summary" not in response.get_data(as_text=True)


def test_place_and_postcode_in_either_order_are_understood(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=Coesfeld+48653", headers=DE)

    assert response.status_code == 200
    assert "error-summary" not in response.get_data(as_text=True)


def test_a_postcode_with_another_place_gets_a_clear_error(client, coesfeld):
    response = client.get("/coesfeld/engagement/?plz=48653+M%C3%BCnster", headers=DE)

    assert response.status_code == 422
    assert summary_of(response) == [
        "#plz Postleitzahl oder Ort: Die Postleitzahl 48653 gehört zu Coesfeld, nicht zu Münster"
    ]
    assert "größere Entfernung" not in response.get_data(as_text=True)


def test_a_postcode_with_another_place_in_english(client, coesfeld):
    response = client.get(
        "/coesfeld/engagement/?plz=48653+Duelmen", headers={"Accept-Language": "en"}
    )

    assert summary_of(response) == [
        "#plz Postcode or place: the postcode 48653 belongs to Coesfeld, not to Duelmen"
    ]
