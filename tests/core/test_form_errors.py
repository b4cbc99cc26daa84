"""Core's forms report every wrong field in one submit, in the error summary with links
to the fields (issue 11 §2)."""

from __future__ import annotations

from core.testing import TEST_PASSWORD, error_summary_of, submit

DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}


def test_registration_names_every_wrong_field(client, tenant):
    response = submit(
        client,
        "/coesfeld/register",
        {
            "display_name": "",
            "email": "kim(at)example",
            "password": "kurz",
            "password_repeat": "anders",
        },
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#display_name Name: Dieses Feld wird benötigt.",
        "#email E-Mail-Adresse: Bitte geben Sie eine gültige E-Mail-Adresse ein.",
        "#password Passwort: Feld muss zwischen 12 und 1024 Zeichen beinhalten.",
        "#password_repeat Passwort wiederholen: Die Passwörter stimmen nicht überein.",
        "#accept_privacy Ich habe die Datenschutzerklärung gelesen. "
        "Bitte bestätigen Sie die Datenschutzerklärung.",
    ]
    assert 'value="kim(at)example"' in response.get_data(as_text=True)


def test_no_summary_entry_has_doubled_punctuation(client, tenant):
    response = submit(client, "/coesfeld/register", {}, headers=DE)

    entries = error_summary_of(response)
    assert len(entries) == 5
    assert [entry for entry in entries if ".:" in entry] == []


def test_changing_the_password_names_every_problem_at_once(citizen_client):
    response = submit(
        citizen_client,
        "/coesfeld/account/password",
        {"current_password": "not the password", "password": "kurz", "password_repeat": "anders"},
        form_url="/coesfeld/account",
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#current_password Aktuelles Passwort: Das Passwort ist falsch.",
        "#password Neues Passwort: Feld muss zwischen 12 und 1024 Zeichen beinhalten.",
        "#password_repeat Neues Passwort wiederholen: Die Passwörter stimmen nicht überein.",
    ]


def test_changing_the_password_in_english(citizen_client):
    response = submit(
        citizen_client,
        "/coesfeld/account/password",
        {"current_password": "not the password", "password": "short", "password_repeat": ""},
        form_url="/coesfeld/account",
        headers=EN,
    )

    assert error_summary_of(response) == [
        "#current_password Current password: The password is wrong.",
        "#password New password: Field must be between 12 and 1024 characters long.",
        "#password_repeat Repeat new password: This field is required.",
    ]


def test_a_right_current_password_with_a_wrong_new_one_names_only_the_new_one(citizen_client):
    response = submit(
        citizen_client,
        "/coesfeld/account/password",
        {"current_password": TEST_PASSWORD, "password": "kurz", "password_repeat": "kurz"},
        form_url="/coesfeld/account",
        headers=DE,
    )

    assert error_summary_of(response) == [
        "#password Neues Passwort: Feld muss zwischen 12 und 1024 Zeichen beinhalten."
    ]


def test_deleting_the_account_links_to_its_own_password_field(citizen_client):
    response = submit(
        citizen_client,
        "/coesfeld/account/delete",
        {"password": ""},
        form_url="/coesfeld/account",
        headers=DE,
    )

    assert error_summary_of(response) == ["#delete_password Passwort: Dieses Feld wird benötigt."]
    assert '<input aria-describedby="delete_password-error"' in response.get_data(as_text=True)


def test_login_names_both_empty_fields(client, tenant):
    response = submit(client, "/coesfeld/login", {"email": "", "password": ""}, headers=DE)

    assert error_summary_of(response) == [
        "#email E-Mail-Adresse: Dieses Feld wird benötigt.",
        "#password Passwort: Dieses Feld wird benötigt.",
    ]
