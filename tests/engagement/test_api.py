"""The engagement API: public search and open data, writes by admins and members, isolation."""

from __future__ import annotations

import pytest

from core import accounts
from core.db import session
from core.testing import bearer
from plugins.engagement import organisations
from plugins.engagement.describe import offer_data
from plugins.engagement.models import OpportunityStatus
from plugins.engagement.schemas import EngagementOpportunitySchema
from tests.engagement.conftest import change

BASE = "/api/v1/tenants/coesfeld/engagement"


@pytest.fixture
def tafel(coesfeld, make_organisation):
    return make_organisation(coesfeld, "Tafel")


@pytest.fixture
def offer(tafel, make_offer):
    return make_offer(tafel, title="Lebensmittel sortieren", fields=["social", "seniors"])


@pytest.fixture
def duelmen_token(duelmen):
    _token, secret = accounts.create_token("duelmen admin", duelmen)
    session.commit()
    return secret


def offer_body(organisation_id, **overrides):
    return {
        "organisation_id": organisation_id,
        "title": "Hunde ausführen",
        "description": "Im Tierheim.",
        "fields": ["animals"],
        "plz": "48653",
        "time_slots": ["sat-morning"],
        **overrides,
    }


def test_search_returns_items_with_distance_score_and_reasons(client, offer):
    response = client.get(
        f"{BASE}/opportunities?plz=48653&radius_km=25&fields=seniors,culture&limit=5",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    (item,) = response.json["items"]
    assert (item["distance_km"], item["score"]) == (0.0, round(100 * 50 / 65))
    assert item["reasons"] == [
        {"code": "distance", "text": "0.0 km from Coesfeld"},
        {"code": "fields", "text": "Matches your interests: Older people"},
        {"code": "own", "text": "Offered in your municipality"},
    ]
    assert item["opportunity"]["fields"] == ["seniors", "social"]
    assert item["opportunity"]["organisation"] == {
        "id": offer.organisation_id,
        "name": "Tafel",
        "kind": "verein",
        "verified": True,
    }
    assert "contact_email" not in item["opportunity"]["organisation"]


def test_search_items_equal_the_schema_dump_of_the_offers(
    client, offer, tafel, duelmen, make_organisation, make_offer
):
    """The search sends its items without a marshmallow pass (describe.py): each offer
    must read exactly as the schema dumps it everywhere else."""
    one_off = make_offer(
        tafel,
        title="Stadtfest",
        schedule="one_off",
        starts_on="2031-06-01",
        ends_on="2031-06-02",
        time_slots=[],
        hours_per_week=None,
        places=3,
        waitlist_open=True,
        languages=["de", "tr"],
        min_age=16,
        with_children=True,
        accessibility_notes="Rollstuhlgerecht",
    )
    remote = make_offer(tafel, title="Online", remote=True, plz="", skills=[])
    wide = make_offer(
        make_organisation(duelmen, "Heimatverein", verified=False),
        title="Kreisweit",
        plz="48249",
        reach="kreis",
    )
    change(wide, status=OpportunityStatus.PUBLISHED)  # in review: its organisation is unverified
    offers = {
        stored.id: (stored, slug)
        for stored, slug in [
            (offer, "coesfeld"),
            (one_off, "coesfeld"),
            (remote, "coesfeld"),
            (wide, "duelmen"),
        ]
    }

    response = client.get(f"{BASE}/opportunities?plz=48653&radius_km=50&statewide=true")
    items = response.json["items"]

    schema = EngagementOpportunitySchema()
    assert sorted(item["opportunity"]["id"] for item in items) == sorted(offers)
    for item in items:
        stored, slug = offers[item["opportunity"]["id"]]
        assert item["opportunity"] == schema.dump(offer_data(stored, slug))


def test_search_rejects_an_unknown_field_naming_it(client, coesfeld):
    response = client.get(f"{BASE}/opportunities?fields=cooking")

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]["query"]) == ["fields"]


def test_search_with_an_unknown_postcode_is_a_problem_naming_plz(client, coesfeld):
    response = client.get(f"{BASE}/opportunities?plz=00000")

    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"plz": ["'00000' is not a known German postcode or place"]}
    }


def test_statewide_search_includes_kreis_wide_offers_of_neighbours(
    client, coesfeld, duelmen, make_organisation, make_offer
):
    make_offer(
        make_organisation(duelmen, "Heimatverein"), title="Kreisweit", plz="48249", reach="kreis"
    )

    local = client.get(f"{BASE}/opportunities?plz=48653&radius_km=50").json["items"]
    wide = client.get(f"{BASE}/opportunities?plz=48653&radius_km=50&statewide=true").json["items"]

    assert (local, [i["opportunity"]["tenant"] for i in wide]) == ([], ["duelmen"])


def test_detail_is_public(client, offer):
    response = client.get(f"{BASE}/opportunities/{offer.id}")

    assert (response.status_code, response.json["title"], response.json["status"]) == (
        200,
        "Lebensmittel sortieren",
        "published",
    )


def test_detail_of_another_tenants_local_offer_is_not_found(client, offer, duelmen):
    assert (
        client.get(f"/api/v1/tenants/duelmen/engagement/opportunities/{offer.id}").status_code
        == 404
    )


def test_open_data_json_lists_published_offers_without_contact_data(
    client, offer, tafel, make_offer
):
    make_offer(tafel, title="Entwurf", submit=False)

    response = client.get(f"{BASE}/open-data/opportunities.json")

    assert [o["title"] for o in response.json["items"]] == ["Lebensmittel sortieren"]
    assert "kontakt@tafel.example.org" not in response.get_data(as_text=True)


def test_open_data_csv_has_a_header_and_one_row_per_offer(client, offer):
    response = client.get(f"{BASE}/open-data/opportunities.csv")
    lines = response.get_data(as_text=True).splitlines()

    assert response.mimetype == "text/csv"
    assert lines[0] == (
        "id,title,organisation,organisation_kind,fields,skills,languages,remote,plz,place,lat,lon,"
        "reach,schedule,starts_on,ends_on,time_slots,hours_per_week,min_age,places,places_left,"
        "waitlist_open,expires_on,url,licence"
    )
    assert lines[1].startswith(
        f"{offer.id},Lebensmittel sortieren,Tafel,verein,seniors social,organising,de,false,"
        "48653,Coesfeld,51.9435,7.1681,local,regular,,,tue-afternoon,3,0,,,false,"
    )
    assert lines[1].endswith(
        f",http://localhost/coesfeld/engagement/offers/{offer.id},https://www.govdata.de/dl-de/by-2-0"
    )
    assert len(lines) == 2


def test_writing_needs_a_token(client, tafel):
    response = client.post(f"{BASE}/opportunities", json=offer_body(tafel.id))

    assert response.status_code == 401


def test_a_tenant_token_creates_and_submits_an_offer(client, tafel, tenant_token):
    created = client.post(
        f"{BASE}/opportunities", json=offer_body(tafel.id), headers=bearer(tenant_token)
    )
    offer_id = created.json["id"]
    submitted = client.post(
        f"{BASE}/opportunities/{offer_id}/status",
        json={"action": "submit"},
        headers=bearer(tenant_token),
    )

    assert (created.status_code, created.json["status"]) == (201, "draft")
    assert (submitted.status_code, submitted.json["status"]) == (200, "published")


def test_invalid_offer_input_names_the_field(client, tafel, tenant_token):
    response = client.post(
        f"{BASE}/opportunities", json=offer_body(tafel.id, plz="4865"), headers=bearer(tenant_token)
    )

    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"plz": ["must be a postcode of 5 digits"]}}


def test_review_queue_bulk_decision(client, coesfeld, make_organisation, make_offer, tenant_token):
    unverified = make_organisation(coesfeld, "Lernpaten", verified=False)
    first, second = make_offer(unverified, title="A"), make_offer(unverified, title="B")

    queue = client.get(f"{BASE}/review-queue", headers=bearer(tenant_token))
    decided = client.post(
        f"{BASE}/review-queue",
        json={
            "offers": [first.id, second.id],
            "decision": "reject",
            "reason": "Bitte genauer beschreiben.",
        },
        headers=bearer(tenant_token),
    )

    assert [o["title"] for o in queue.json] == ["A", "B"]
    assert [o["status"] for o in decided.json] == ["draft", "draft"]


def test_statistics_for_the_tenant_admin(client, offer, tenant_token):
    response = client.get(f"{BASE}/statistics", headers=bearer(tenant_token))

    assert response.json["offers"]["published"] == 1
    assert response.json["acceptance_rate"] is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/organisations", None),
        (
            "post",
            "/organisations",
            {"name": "X", "kind": "verein", "contact_email": "x@example.org"},
        ),
        ("get", "/review-queue", None),
        ("post", "/review-queue", {"offers": [1], "decision": "approve"}),
        ("get", "/statistics", None),
        ("put", "/opportunities/{offer}", "offer"),
        ("post", "/opportunities/{offer}/status", {"action": "pause"}),
        ("post", "/opportunities", "offer"),
    ],
)
def test_another_tenants_token_can_neither_read_nor_change(
    client, offer, tafel, duelmen_token, method, path, body
):
    if body == "offer":
        body = offer_body(tafel.id)
    response = getattr(client, method)(
        BASE + path.format(offer=offer.id), json=body, headers=bearer(duelmen_token)
    )

    assert response.status_code == 403
    assert offer.status == OpportunityStatus.PUBLISHED


def test_a_token_cannot_reach_another_tenants_offer_through_its_own_url(
    client, offer, tafel, duelmen, duelmen_token
):
    base = "/api/v1/tenants/duelmen/engagement"

    status = client.post(
        f"{base}/opportunities/{offer.id}/status",
        json={"action": "pause"},
        headers=bearer(duelmen_token),
    )
    put = client.put(
        f"{base}/opportunities/{offer.id}", json=offer_body(tafel.id), headers=bearer(duelmen_token)
    )
    create = client.post(
        f"{base}/opportunities", json=offer_body(tafel.id), headers=bearer(duelmen_token)
    )

    assert (status.status_code, put.status_code, create.status_code) == (404, 404, 404)
    assert offer.status == OpportunityStatus.PUBLISHED


# Organisation members and registered users write with their personal access keys.


@pytest.fixture
def personal_token(app):
    """A personal access key of ``user``: ``personal_token(user)`` -> the secret."""

    def create(user):
        _token, secret = accounts.create_token(f"key of {user.email}", user=user)
        session.commit()
        return secret

    return create


@pytest.fixture
def maria(coesfeld, tafel, make_user):
    """Maria, a member of the Tafel."""

    user = make_user(coesfeld, "maria@tafel.example.org", "Maria Member")
    organisations.add_member(tafel, user)
    session.commit()
    return user


def test_a_member_creates_submits_edits_and_pauses_her_organisations_offer(
    client, tafel, maria, personal_token
):
    key = bearer(personal_token(maria))

    created = client.post(f"{BASE}/opportunities", json=offer_body(tafel.id), headers=key)
    offer_id = created.json["id"]
    submitted = client.post(
        f"{BASE}/opportunities/{offer_id}/status", json={"action": "submit"}, headers=key
    )
    edited = client.put(
        f"{BASE}/opportunities/{offer_id}",
        json=offer_body(tafel.id, title="Hunde ausführen am Wochenende"),
        headers=key,
    )
    paused = client.post(
        f"{BASE}/opportunities/{offer_id}/status", json={"action": "pause"}, headers=key
    )

    assert (created.status_code, created.json["status"]) == (201, "draft")
    assert (submitted.status_code, submitted.json["status"]) == (200, "published")
    assert (edited.status_code, edited.json["title"]) == (200, "Hunde ausführen am Wochenende")
    assert (paused.status_code, paused.json["status"]) == (200, "paused")


def test_a_member_of_another_organisation_cannot_touch_the_offer(
    client, coesfeld, tafel, offer, make_user, make_organisation, personal_token
):
    other = make_user(coesfeld, "olaf@sportverein.example.org", "Olaf Other")
    make_organisation(coesfeld, "Sportverein", founder=other)
    key = bearer(personal_token(other))

    create = client.post(f"{BASE}/opportunities", json=offer_body(tafel.id), headers=key)
    put = client.put(f"{BASE}/opportunities/{offer.id}", json=offer_body(tafel.id), headers=key)
    pause = client.post(
        f"{BASE}/opportunities/{offer.id}/status", json={"action": "pause"}, headers=key
    )

    assert [r.status_code for r in (create, put, pause)] == [403, 403, 403]
    assert create.json["detail"] == "organisation: you do not manage this organisation"
    session.expire_all()
    assert (offer.title, offer.status) == ("Lebensmittel sortieren", OpportunityStatus.PUBLISHED)


def test_a_registered_user_registers_an_organisation_and_becomes_its_member(
    client, coesfeld, make_user, personal_token
):
    from core.tenancy import tenant_context
    from plugins.engagement.models import Organisation

    citizen = make_user(coesfeld, "clara@example.org", "Clara Citizen")
    key = bearer(personal_token(citizen))

    registered = client.post(
        f"{BASE}/organisations",
        json={"name": "Repair-Café", "kind": "initiative", "contact_email": "hallo@repair.example"},
        headers=key,
    )
    offer = client.post(
        f"{BASE}/opportunities", json=offer_body(registered.json["id"]), headers=key
    )

    with tenant_context(coesfeld):
        organisation = session.get(Organisation, registered.json["id"])
    assert (registered.status_code, registered.json["verified"]) == (201, False)
    assert organisations.is_member(citizen, organisation) is True
    assert (offer.status_code, offer.json["status"]) == (201, "draft")


@pytest.mark.parametrize("path", ["/organisations", "/review-queue", "/statistics"])
def test_a_members_key_does_not_open_the_admin_endpoints(client, maria, personal_token, path):
    response = client.get(BASE + path, headers=bearer(personal_token(maria)))

    assert response.status_code == 403


def test_another_tenants_citizen_cannot_register_an_organisation_here(
    client, coesfeld, duelmen, make_user, personal_token
):
    from sqlalchemy import select

    from core.tenancy import cross_tenant
    from plugins.engagement.models import Organisation

    stranger = make_user(duelmen, "dora@example.org", "Dora Dülmen")
    response = client.post(
        f"{BASE}/organisations",
        json={"name": "Fremdverein", "kind": "verein", "contact_email": "x@example.org"},
        headers=bearer(personal_token(stranger)),
    )

    assert (response.status_code, response.json["detail"]) == (
        403,
        "organisation: only this municipality's registered users and admins register organisations",
    )
    with cross_tenant("the test checks that no tenant got the organisation"):
        assert session.scalars(select(Organisation.name)).all() == []
