"""Citizens' entry: the platform home finds municipalities; a portal shows branding and services."""

from __future__ import annotations

import pytest

EN = {"Accept-Language": "en"}


@pytest.fixture
def onboarded(runner):
    """Kreis Coesfeld and two of its towns, onboarded and activated by the operator."""
    for ags in ("05558", "05558012", "05558016"):
        runner.invoke("tenants", "onboard", "--ags", ags)
    for slug in ("kreis-coesfeld", "coesfeld", "duelmen"):
        runner.invoke("tenants", "activate", slug)
    runner.invoke("tenants", "onboard", "--ags", "05558020")  # Havixbeck stays requested


def cards(client, query=""):
    page = client.get(f"/?q={query}", headers=EN).get_data(as_text=True)
    return [
        slug
        for slug in ("kreis-coesfeld", "coesfeld", "duelmen", "havixbeck")
        if f'href="/{slug}/"' in page
    ]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", ["kreis-coesfeld", "coesfeld", "duelmen"]),
        ("Dülmen", ["duelmen"]),
        ("05558012", ["coesfeld"]),
        ("48249", ["kreis-coesfeld", "duelmen"]),
        ("Havixbeck", []),
    ],
)
def test_the_home_page_finds_active_municipalities_by_name_ags_or_postcode(
    client, onboarded, query, found
):
    assert cards(client, query) == found


def test_the_portal_shows_the_name_colour_and_logo_chosen_by_the_admin(client, onboarded, runner):
    from core.db import session
    from core.models import Tenant
    from plugins.tenants.masterdata import update_master_data

    tenant = session.query(Tenant).filter_by(slug="coesfeld").one()
    update_master_data(
        tenant,
        {"display_name": "Barockstadt Coesfeld", "brand_colour": "#7a1f2b"},
        logo=b"\x89PNG\r\n\x1a\n" + b"\x00" * 10,
    )
    session.commit()

    page = client.get("/coesfeld/", headers=EN).get_data(as_text=True)

    assert "<h1>Barockstadt Coesfeld</h1>" in page
    assert '<link rel="stylesheet" href="/coesfeld/theme.css">' in page
    assert '<img src="/coesfeld/logo" alt="" class="brand-logo">' in page
    assert (
        client.get("/coesfeld/theme.css").get_data(as_text=True) == ":root { --brand: #7a1f2b; }\n"
    )


def test_hook_portal_links_shows_the_links_of_subscribed_services_only(client, onboarded, runner):
    runner.invoke("tenants", "subscribe", "coesfeld", "tk_register")

    page = client.get("/coesfeld/", headers=EN).get_data(as_text=True)

    assert '<a href="/coesfeld/melderegister/">Melderegister</a>' in page
    assert "Genehmigungen" not in page


def test_a_requested_municipality_has_no_portal_yet(client, onboarded):
    assert client.get("/havixbeck/").status_code == 404


def test_an_offboarded_municipality_disappears(client, onboarded, runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    runner.invoke(
        "tenants",
        "offboard",
        "duelmen",
        "--export",
        str(folder / "d.json"),
        "--reason",
        "Fusion",
        "--yes",
    )

    assert (cards(client), client.get("/duelmen/").status_code) == (
        ["kreis-coesfeld", "coesfeld"],
        404,
    )
