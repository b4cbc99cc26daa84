"""Open data: no personal data, a licence on every export, a DCAT-AP.de record."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core import gazetteer
from core.testing import submit
from plugins.engagement.opendata import COLUMNS
from tests.engagement.conftest import change

BASE = "/api/v1/tenants/coesfeld/engagement/open-data"
BY = "https://www.govdata.de/dl-de/by-2-0"
ZERO = "https://www.govdata.de/dl-de/zero-2-0"

#: Every field an open-data record may have, each with why it is not personal data.
NOT_PERSONAL = {
    "id": "number of the offer",
    "title": "the offer's title, moderated public content",
    "organisation": "the organisation's name; 'Privatperson' for private people",
    "organisation_kind": "verein, initiative, privatperson ...",
    "fields": "vocabulary",
    "skills": "vocabulary",
    "languages": "language codes",
    "remote": "flag",
    "plz": "postcode area",
    "place": "name of the postcode area's place",
    "lat": "organisations: the offer's place; private people: the postcode area's centre",
    "lon": "as lat",
    "reach": "vocabulary",
    "schedule": "vocabulary",
    "starts_on": "date of the offer",
    "ends_on": "date of the offer",
    "time_slots": "vocabulary",
    "hours_per_week": "number",
    "min_age": "number",
    "places": "number",
    "places_left": "number",
    "waitlist_open": "flag",
    "expires_on": "date of the offer",
    "url": "the offer's public page",
    "licence": "licence URL",
}
#: Columns of the models that hold personal or contact data: never exported.
PERSONAL = {
    "contact_email", "phone", "website", "street", "description", "accessibility_notes",
    "volunteer_name", "email", "display_name", "parent_name", "parent_email", "name",
}  # fmt: skip


@pytest.fixture
def erika_offer(coesfeld, make_organisation, make_offer):
    """An offer of a private person, geocoded to her street (finer than the PLZ)."""
    erika = make_organisation(
        coesfeld,
        "Erika Mustermann",
        kind="privatperson",
        contact_email="erika@example.org",
        phone="02541 123456",
    )
    offer = make_offer(erika, title="Vorlesen im Nachbarhaus", plz="48653", street="Lindenweg 7")
    change(offer, lat=51.95123, lon=7.17456)
    return offer


@pytest.fixture
def tafel_offer(coesfeld, make_organisation, make_offer):
    return make_offer(make_organisation(coesfeld, "Tafel"), title='=HYPERLINK("http://x")')


def test_every_field_of_the_export_is_classified_and_none_can_hold_personal_data(
    client, erika_offer, tafel_offer
):
    items = client.get(f"{BASE}/opportunities.json").json["items"]
    header = client.get(f"{BASE}/opportunities.csv").get_data(as_text=True).splitlines()[0]

    exported = {key for item in items for key in item} | set(header.split(","))
    assert exported - set(NOT_PERSONAL) == set()
    assert exported & PERSONAL == set()
    assert set(COLUMNS) == set(NOT_PERSONAL)


def test_the_json_records_and_the_csv_have_the_same_columns(client, erika_offer, tafel_offer):
    """One description of a record: the schema's dump and the CSV both give COLUMNS."""
    items = client.get(f"{BASE}/opportunities.json").json["items"]
    header = client.get(f"{BASE}/opportunities.csv").get_data(as_text=True).splitlines()[0]

    assert [set(item) for item in items] == [set(COLUMNS)] * 2
    assert header.split(",") == list(COLUMNS)


def test_private_people_are_published_without_name_contact_or_exact_place(client, erika_offer):
    response = client.get(f"{BASE}/opportunities.json")
    body = response.get_data(as_text=True)
    csv_body = client.get(f"{BASE}/opportunities.csv").get_data(as_text=True)

    (item,) = response.json["items"]
    area = gazetteer.postcode("48653")
    assert (item["organisation"], item["organisation_kind"], item["lat"], item["lon"]) == (
        "Privatperson",
        "privatperson",
        area.lat,
        area.lon,
    )
    for secret in ("Erika", "Mustermann", "erika@example.org", "123456", "Lindenweg", "51.95123"):
        assert secret not in body
        assert secret not in csv_body


def test_organisations_keep_their_name_and_place(client, tafel_offer):
    (item,) = client.get(f"{BASE}/opportunities.json").json["items"]
    assert (item["organisation"], item["lat"], item["lon"]) == ("Tafel", 51.9435, 7.1681)


def test_every_export_states_its_licence_and_links_the_metadata(client, tafel_offer):
    json_answer = client.get(f"{BASE}/opportunities.json")
    csv_answer = client.get(f"{BASE}/opportunities.csv")
    metadata = "http://localhost/api/v1/tenants/coesfeld/engagement/open-data/dcat.jsonld"

    assert json_answer.json["licence"] == {
        "name": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "url": BY,
        "uri": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    }
    assert (json_answer.json["metadata"], json_answer.json["personal_data"]) == (metadata, False)
    assert json_answer.json["items"][0]["licence"] == BY
    rows = list(csv.DictReader(io.StringIO(csv_answer.get_data(as_text=True))))
    assert [row["licence"] for row in rows] == [BY]
    link = f'<{BY}>; rel="license", <{metadata}>; rel="describedby"'
    assert json_answer.headers["Link"] == csv_answer.headers["Link"] == link


def test_the_csv_neutralises_formulas(client, tafel_offer):
    rows = list(csv.DictReader(io.StringIO(client.get(f"{BASE}/opportunities.csv").text)))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x")'


def test_the_dcat_record_describes_both_distributions_under_the_licence(client, tafel_offer):
    response = client.get(f"{BASE}/dcat.jsonld")
    record = json.loads(response.text)

    assert response.mimetype == "application/ld+json"
    assert (record["@type"], record["dct:license"], record["dct:publisher"]["foaf:name"]) == (
        "dcat:Dataset",
        {"@id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"},
        "Coesfeld, Stadt",
    )
    assert [d["dcat:mediaType"] for d in record["dcat:distribution"]] == [
        "application/json",
        "text/csv",
    ]
    assert record["dcatde:politicalGeocodingURI"] == {
        "@id": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05558012"
    }


def test_the_tenant_admin_chooses_the_licence(tenant_admin_client, client, tafel_offer):
    page = tenant_admin_client.get("/coesfeld/engagement/admin/open-data")
    assert page.status_code == 200
    response = submit(
        tenant_admin_client,
        "/coesfeld/engagement/admin/open-data",
        {"licence": "dl-zero-de/2.0"},
    )
    assert response.status_code == 302

    answer = client.get(f"{BASE}/opportunities.json").json
    assert (answer["licence"]["url"], answer["items"][0]["licence"]) == (ZERO, ZERO)
    record = json.loads(client.get(f"{BASE}/dcat.jsonld").text)
    assert record["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"}
