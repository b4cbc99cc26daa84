"""The tenant admin's settings and the invitation page report every wrong field in one
submit, in the error summary with links to the fields (issue 11 §2)."""

from __future__ import annotations

import io

from core.db import session
from core.models import Tenant
from core.testing import csrf_token, error_summary_of
from tests.tenants.conftest import invoke_json

DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}
GIF = b"GIF89a" + b"\x00" * 64

BAD_SETTINGS = {
    "display_name": "Stadt Coesfeld",
    "contact_email": "buergerbuero(at)coesfeld",
    "brand_colour": "#ffff00ff",
    "address_postcode": "4865",
    "leitweg_id": "05558012-72",
    "invoice_email": "rechnung@coesfeld.example",
}


def post_settings(client, headers, **data):
    url = "/coesfeld/admin/settings"
    return client.post(
        url,
        data={**data, "csrf_token": csrf_token(client, url)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_settings_name_every_wrong_field_the_logo_included(admin_client, tenant):
    response = post_settings(
        admin_client(tenant), DE, **BAD_SETTINGS, logo=(io.BytesIO(GIF), "logo.gif")
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#contact_email Kontakt-E-Mail-Adresse: Bitte geben Sie eine gültige E-Mail-Adresse ein.",
        "#brand_colour Farbe des Portals: Feld kann nicht länger als 7 Zeichen sein.",
        "#logo Logo: Bitte laden Sie ein PNG- oder JPEG-Bild mit höchstens 512 KB hoch.",
        "#address_postcode Postleitzahl: Bitte geben Sie eine Postleitzahl mit 5 Ziffern ein.",
        "#leitweg_id Leitweg-ID: Bitte geben Sie eine gültige Leitweg-ID ein, "
        "z. B. 04011000-1234512345-06, und prüfen Sie die Prüfziffern.",
    ]
    session.expire_all()
    assert session.get(Tenant, tenant.id).display_name is None


def test_settings_errors_in_english_keep_the_input(admin_client, tenant):
    response = post_settings(admin_client(tenant), EN, **BAD_SETTINGS)

    assert error_summary_of(response) == [
        "#contact_email Contact e-mail address: Please enter a valid e-mail address.",
        "#brand_colour Colour of the portal: Field cannot be longer than 7 characters.",
        "#address_postcode Postcode: Please enter a postcode of 5 digits.",
        "#leitweg_id Leitweg-ID: Please enter a valid Leitweg-ID, e.g. 04011000-1234512345-06, "
        "and check its check digits.",
    ]
    assert 'value="buergerbuero(at)coesfeld"' in response.get_data(as_text=True)


def test_the_invitation_page_names_every_wrong_field(runner, client, tenant):
    link = invoke_json(runner, "tenants", "invite-admin", "coesfeld", "it@coesfeld.example")["link"]
    path = link.removeprefix("http://localhost")

    response = client.post(
        path,
        data={
            "display_name": "",
            "password": "kurz",
            "password_repeat": "anders",
            "csrf_token": csrf_token(client, path),
        },
        headers=DE,
    )

    assert response.status_code == 422
    assert error_summary_of(response) == [
        "#display_name Ihr Name: Dieses Feld wird benötigt.",
        "#password Passwort: Feld muss zwischen 12 und 1024 Zeichen beinhalten.",
        "#password_repeat Passwort wiederholen: Die Passwörter stimmen nicht überein.",
    ]
