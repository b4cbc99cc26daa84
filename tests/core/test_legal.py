"""Imprint, privacy and accessibility statements from [legal] in rathaus.toml (issue 11 §4)."""

from __future__ import annotations

import html

import pytest

from core.legal import legal_details

DE = {"Accept-Language": "de"}
LEGAL = {
    "operator": "Kommunale IT Musterland AöR",
    "address": "Musterstraße 1, 12345 Musterstadt",
    "email": "info@it-musterland.example",
    "phone": "+49 123 4567-0",
    "representative": "Erika Mustermann (Vorstand)",
    "register": "Amtsgericht Musterstadt, HRA 1234",
    "vat_id": "DE000000000",
    "privacy_contact": "Max Muster, datenschutz@it-musterland.example",
    "tenants": {
        "coesfeld": {
            "privacy_contact": "Dana Daten, datenschutz@coesfeld.example",
            "accessibility_contact": "barrierefreiheit@coesfeld.example",
            "lines": ["Aufsichtsbehörde: Kreis Coesfeld"],
        }
    },
}


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def configured(app):
    app.config["LEGAL"] = LEGAL
    return app


def test_the_imprint_names_the_operator_from_the_configuration(configured, client):
    page = text_of(client.get("/impressum", headers=DE))

    for value in (
        "Kommunale IT Musterland AöR",
        "Musterstraße 1, 12345 Musterstadt",
        "info@it-musterland.example",
        "+49 123 4567-0",
        "Erika Mustermann (Vorstand)",
        "Amtsgericht Musterstadt, HRA 1234",
        "DE000000000",
    ):
        assert value in page
    assert "nicht konfiguriert" not in page


def test_the_privacy_statement_names_controller_and_the_tenants_own_officer(
    configured, client, tenant
):
    page = text_of(client.get("/coesfeld/datenschutz", headers=DE))

    assert "Datenschutzbeauftragte von Coesfeld, Stadt" in page
    assert "Dana Daten, datenschutz@coesfeld.example" in page
    assert "Max Muster, datenschutz@it-musterland.example" in page


def test_a_tenant_has_its_own_accessibility_contact(configured, client, tenant):
    page = text_of(client.get("/coesfeld/barrierefreiheit", headers=DE))

    assert 'href="mailto:barrierefreiheit@coesfeld.example"' in page
    assert "Aufsichtsbehörde: Kreis Coesfeld" in text_of(client.get("/coesfeld/impressum"))


def test_without_legal_section_a_notice_says_so_and_tells_operators_what_is_missing(
    app, client, login, operator
):
    assert "Die rechtlichen Angaben des Betreibers sind nicht konfiguriert." in text_of(
        client.get("/impressum", headers=DE)
    )
    login(client, operator)
    page = text_of(client.get("/impressum", headers=DE))
    assert (
        "Betreiber: Ergänzen Sie den Abschnitt [legal] in rathaus.toml. Fehlende Schlüssel: "
        "operator, address, email, phone, representative, register, vat_id, privacy_contact"
    ) in page


def test_partial_configuration_lists_the_missing_keys(app):
    app.config["LEGAL"] = {"operator": "X", "email": "x@example.org"}

    assert legal_details().missing == (
        "address",
        "phone",
        "representative",
        "register",
        "vat_id",
        "privacy_contact",
    )


def test_the_demo_configuration_is_complete_and_fictional(app):
    import tomllib
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "docs" / "rathaus.demo.toml"
    app.config["LEGAL"] = tomllib.loads(demo.read_text(encoding="utf-8"))["legal"]

    details = legal_details("coesfeld")
    assert (details.missing, details.get("vat_id"), details.get("email")) == (
        (),
        "DE000000000",
        "info@it-musterland.example",
    )
    assert details.tenant["accessibility_contact"] == "barrierefreiheit@coesfeld.example"
