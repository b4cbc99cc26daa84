"""The web shell: home search, portals, statements, languages, health, headers, hosts."""

from __future__ import annotations

import re

import pytest

from core import create_app
from core.db import session
from core.models import TenantStatus
from core.tenancy import tenant_context
from tests.conftest import BUILT_IN
from tests.core.probe_plugin import ProbePlugin


@pytest.fixture
def rathaus_config():
    return {"PLUGINS": [*BUILT_IN, "probe"], "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}


@pytest.fixture
def coesfeld_area(make_tenant):
    kreis = make_tenant("kreis-coesfeld", "05558", "Coesfeld", display_name="Kreis Coesfeld")
    stadt = make_tenant(
        "coesfeld", "05558012", "Coesfeld, Stadt", display_name="Stadt Coesfeld", parent=kreis
    )
    dulmen = make_tenant(
        "duelmen", "05558016", "Dülmen, Stadt", display_name="Stadt Dülmen", parent=kreis
    )
    muenster = make_tenant("muenster", "05515000", "Münster, Stadt", display_name="Stadt Münster")
    make_tenant("olfen", "05558036", "Olfen, Stadt", status=TenantStatus.REQUESTED)
    return kreis, stadt, dulmen, muenster


def card_titles(page: str) -> list[str]:
    return re.findall(r'<li class="card">\s*<a href="[^"]+">([^<]+)</a>', page)


def test_home_lists_visible_tenants(client, coesfeld_area):
    page = client.get("/").get_data(as_text=True)
    assert card_titles(page) == [
        "Kreis Coesfeld",
        "Stadt Coesfeld",
        "Stadt Dülmen",
        "Stadt Münster",
    ]


def test_home_search_by_name(client, coesfeld_area):
    page = client.get("/?q=dülmen").get_data(as_text=True)
    assert card_titles(page) == ["Stadt Dülmen"]


def test_home_search_by_ags_prefix(client, coesfeld_area):
    page = client.get("/?q=05558").get_data(as_text=True)
    assert card_titles(page) == ["Kreis Coesfeld", "Stadt Coesfeld", "Stadt Dülmen"]


def test_home_search_by_postcode_finds_the_municipality_and_its_kreis(client, coesfeld_area):
    page = client.get("/?q=48249").get_data(as_text=True)  # Dülmen
    assert card_titles(page) == ["Kreis Coesfeld", "Stadt Dülmen"]


def test_home_search_without_result(client, coesfeld_area):
    page = client.get("/?q=Atlantis").get_data(as_text=True)
    assert "Keine Kommune gefunden." in page


def test_portal_shows_name_branding_and_subscribed_services(client, tenant, subscribe):
    with tenant_context(tenant):
        tenant.brand_colour = "#0a5c36"
        tenant.logo, tenant.logo_mime = b"\x89PNG\r\n\x1a\nfake", "image/png"
        session.commit()
    subscribe(tenant, "probe")
    page = client.get("/coesfeld/").get_data(as_text=True)
    assert "<h1>Coesfeld, Stadt</h1>" in page
    assert '<img src="/coesfeld/logo" alt="" class="brand-logo">' in page
    assert '<a href="/coesfeld/probe/">Probe service</a>' in page
    assert (
        client.get("/coesfeld/theme.css").get_data(as_text=True) == ":root { --brand: #0a5c36; }\n"
    )
    logo = client.get("/coesfeld/logo")
    assert (logo.content_type, logo.data) == ("image/png", b"\x89PNG\r\n\x1a\nfake")


def test_portal_of_a_suspended_tenant_shows_a_notice(client, tenant, subscribe):
    subscribe(tenant, "probe")
    tenant.status = TenantStatus.SUSPENDED
    session.commit()
    page = client.get("/coesfeld/").get_data(as_text=True)
    assert "Die Online-Dienste von Coesfeld, Stadt sind derzeit ausgesetzt." in page
    assert "Probe service" not in page


@pytest.mark.parametrize("status", [TenantStatus.REQUESTED, TenantStatus.OFFBOARDED])
def test_portal_of_a_tenant_not_yet_or_no_longer_here_is_404(client, make_tenant, status):
    make_tenant("olfen", "05558036", "Olfen, Stadt", status=status)
    assert client.get("/olfen/").status_code == 404


def test_unknown_tenant_is_404_page(client):
    response = client.get("/atlantis/")
    assert response.status_code == 404
    assert "<h1>Seite nicht gefunden</h1>" in response.get_data(as_text=True)


def test_german_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in page and "<h1>Online-Dienste Ihrer Kommune</h1>" in page


def test_english_by_accept_language(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Online services of your municipality</h1>" in page


def test_visible_language_switch_sets_a_cookie_and_returns(client):
    page = client.get("/barrierefreiheit").get_data(as_text=True)
    assert (
        '<a href="/sprache/en?next=/barrierefreiheit" lang="en" hreflang="en">English</a>' in page
    )
    response = client.get("/sprache/en?next=/barrierefreiheit")
    assert (response.status_code, response.headers["Location"]) == (302, "/barrierefreiheit")
    assert "<h1>Accessibility statement</h1>" in client.get("/barrierefreiheit").get_data(
        as_text=True
    )


def test_language_switch_refuses_foreign_redirects(client):
    assert client.get("/sprache/de?next=//evil.example.com").headers["Location"] == "/"


def test_accessibility_statement_has_feedback_route(app, client):
    app.config["LEGAL"] = {"accessibility_contact": "barrierefreiheit@it.example"}
    page = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in page
    assert "<h2>Feedback und Kontakt</h2>" in page and "mailto:" in page


def test_pages_have_landmarks_skip_link_and_no_inline_scripts(client, tenant):
    page = client.get("/coesfeld/").get_data(as_text=True)
    for fragment in (
        '<a class="skip-link" href="#main">',
        '<main id="main"',
        "<header",
        "<footer",
        "<nav aria-label=",
    ):
        assert fragment in page
    assert "<script" not in page and "style=" not in page


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert (
        headers["X-Content-Type-Options"],
        headers["X-Frame-Options"],
        headers["Referrer-Policy"],
    ) == (
        "nosniff",
        "DENY",
        "same-origin",
    )


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "PLUGINS": [],
            "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}",
        }
    )
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.json) == (
        503,
        {"status": "unavailable", "database": "unreachable"},
    )


def test_errors_in_pages_show_a_friendly_500(client, tenant, subscribe):
    subscribe(tenant, "probe")
    response = client.get("/coesfeld/probe/boom")
    assert response.status_code == 500
    assert "<h1>Etwas ist schiefgelaufen</h1>" in response.get_data(as_text=True)


def test_reserved_words_are_refused_as_slugs():
    from core.errors import ValidationError
    from core.tenant_routing import validate_slug

    for slug in ("api", "static", "login", "barrierefreiheit"):
        with pytest.raises(ValidationError, match="is reserved for the platform's own pages"):
            validate_slug(slug)
    with pytest.raises(ValidationError, match="is not a valid slug"):
        validate_slug("Coesfeld!")
    assert validate_slug("kreis-coesfeld") == "kreis-coesfeld"


@pytest.fixture
def by_host(tmp_path, rathaus_database, tenant, subscribe):
    """The same database, served by an app resolving tenants from the host name."""
    with tenant_context(tenant):
        tenant.hostname = "service.coesfeld.de"
    session.commit()
    subscribe(tenant, "probe")
    from flask import current_app

    return create_app(
        {**current_app.config, "TENANT_FROM_HOST": True, "PLUGIN_OBJECTS": {"probe": ProbePlugin()}}
    )


def test_tenant_resolution_by_host_name(by_host):
    with by_host.app_context():
        client = by_host.test_client()
        page = client.get("/", headers={"Host": "service.coesfeld.de"})
        assert "<h1>Coesfeld, Stadt</h1>" in page.get_data(as_text=True)
        probe = client.get("/probe/", headers={"Host": "service.coesfeld.de"})
        assert probe.get_data(as_text=True) == "probe page of coesfeld"
        # The platform's own paths and other hosts are untouched.
        assert client.get("/healthz", headers={"Host": "service.coesfeld.de"}).status_code == 200
        assert "Online-Dienste Ihrer Kommune" in client.get(
            "/", headers={"Host": "rathaus.example.de"}
        ).get_data(as_text=True)


def test_translations_work_outside_a_request(app):
    """Commands and jobs translate too: in the default language."""
    from flask_babel import gettext

    assert gettext("Log in") == "Anmelden"
