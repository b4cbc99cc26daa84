"""The distribution as a whole: loading, catalogue, migrations, texts, demo data, the
office's day list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from core.plugins import api_version_supported, current_host
from core.testing import migration_differences, translation_problems
from termin_helpers import seat

import rathaus_termin

PACKAGE = Path(rathaus_termin.__file__).parent


def test_plugin_loads_from_its_entry_point(app):
    info = current_host(app).infos["termin"]
    assert (info.state, info.distribution, info.module, info.api_versions) == (
        "loaded",
        "rathaus-termin",
        "rathaus_termin",
        ">=1.0,<2",
    )
    assert api_version_supported(rathaus_termin.RATHAUS_API_VERSIONS)


def test_services_list_shows_the_service(runner):
    services = json.loads(runner.invoke("services", "list", "--json").output)
    (termin,) = [s for s in services if s["key"] == "termin"]
    assert (termin["title"], termin["themenfeld"], termin["plugin"]) == (
        "Terminvereinbarung",
        "Querschnitt",
        "termin",
    )


def test_migrations_create_exactly_the_models_tables(app):
    assert migration_differences(app, "termin") == {}


def test_german_catalogue_is_complete():
    assert translation_problems(PACKAGE) == []


def test_demo_data_is_idempotent(runner):
    assert runner.invoke("demo", "--no-upgrade").exit_code == 0
    first = json.loads(
        runner.invoke("termin", "calendars", "--tenant", "coesfeld", "--json").output
    )
    assert runner.invoke("demo", "--no-upgrade").exit_code == 0
    again = json.loads(
        runner.invoke("termin", "calendars", "--tenant", "coesfeld", "--json").output
    )
    assert [c["slug"] for c in first] == ["buergerbuero", "standesamt"]
    assert again == first
    kreis = json.loads(
        runner.invoke("termin", "calendars", "--tenant", "kreis-coesfeld", "--json").output
    )
    assert [c["name"] for c in kreis] == ["Straßenverkehrsamt – Zulassung"]


def test_tariff_command_prints_the_tariff_file(runner):
    result = runner.invoke("termin", "tariff")
    assert (result.exit_code, result.output) == (
        0,
        (PACKAGE / "tariffs" / "termin.toml").read_text(encoding="utf-8"),
    )


# ---------------------------------------------------------------------------------
# The office's day list
# ---------------------------------------------------------------------------------


def test_admin_page_lists_the_days_bookings(tenant_admin_client, office, subscribed_tenant):
    from termin_helpers import tomorrow

    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[0])
    page = tenant_admin_client.get(
        f"/coesfeld/termin/admin/?day={tomorrow().isoformat()}"
    ).get_data(as_text=True)
    assert f"<td>{booking.reference}</td>" in page
    assert "<td>bestätigt</td>" in page


def test_admin_page_needs_an_admin(citizen_client, office):
    assert citizen_client.get("/coesfeld/termin/admin/").status_code == 403


def test_admin_page_names_a_malformed_day(tenant_admin_client, office):
    response = tenant_admin_client.get("/coesfeld/termin/admin/?day=morgen")
    assert response.status_code == 400
    assert "Der Tag muss im Format JJJJ-MM-TT angegeben werden." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/coesfeld/termin/", "/coesfeld/termin/buergerbuero/"])
def test_pages_have_one_main_heading_and_a_language(client, office, path):
    page = client.get(path).get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert '<html lang="de">' in page
