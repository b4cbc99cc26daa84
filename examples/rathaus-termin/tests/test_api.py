"""The office's API: calendars, opening hours, slots, bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from core.testing import bearer
from termin_helpers import local, mails, seat, today, tomorrow

API = "/api/v1/tenants/coesfeld/termin"


@pytest.fixture
def auth(tenant_token):
    return bearer(tenant_token)


def test_calendars_are_added_and_listed(client, subscribed_tenant, auth):
    created = client.post(
        f"{API}/calendars",
        json={"name": "Bürgerbüro Nord", "location": "Am Rathaus 1"},
        headers=auth,
    )
    assert created.status_code == 201
    assert {
        key: created.json[key] for key in ("slug", "name", "location", "active", "archived_at")
    } == {
        "slug": "buergerbuero-nord",
        "name": "Bürgerbüro Nord",
        "location": "Am Rathaus 1",
        "active": True,
        "archived_at": None,
    }
    assert [c["slug"] for c in client.get(f"{API}/calendars", headers=auth).json] == [
        "buergerbuero-nord"
    ]


def test_a_calendar_slug_is_unique_per_tenant(client, office, auth):
    response = client.post(f"{API}/calendars", json={"name": "Bürgerbüro"}, headers=auth)
    assert response.status_code == 409
    assert response.json["errors"] == {
        "json": {"slug": ["there is a calendar 'buergerbuero' already"]}
    }


def test_a_reserved_slug_is_rejected(client, subscribed_tenant, auth):
    response = client.post(
        f"{API}/calendars", json={"name": "Verwaltung", "slug": "admin"}, headers=auth
    )
    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"slug": ["'admin' is reserved for the service's own pages"]}
    }


def test_opening_hours_become_slots_once(client, office, auth):
    first = tomorrow() + dt.timedelta(days=1)
    series = {
        "from": first.isoformat(),
        "until": first.isoformat(),
        "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "14:00",
        "end": "15:00",
        "minutes": 20,
    }
    assert client.post(f"{API}/calendars/buergerbuero/slots", json=series, headers=auth).json == {
        "created": 3,
        "skipped": 0,
    }
    again = client.post(f"{API}/calendars/buergerbuero/slots", json=series, headers=auth)
    assert (again.status_code, again.json) == (201, {"created": 0, "skipped": 3})


def test_opening_hours_in_the_past_are_rejected(client, office, auth):
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    series = {"from": yesterday, "until": yesterday, "start": "08:00", "end": "09:00"}
    response = client.post(f"{API}/calendars/buergerbuero/slots", json=series, headers=auth)
    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"from": [f"{yesterday} lies in the past"]}}


def test_opening_hours_must_end_after_they_start(client, office, auth):
    day = tomorrow().isoformat()
    series = {"from": day, "until": day, "start": "12:00", "end": "08:00"}
    response = client.post(f"{API}/calendars/buergerbuero/slots", json=series, headers=auth)
    assert response.json["errors"] == {"json": {"end": ["must lie after the start"]}}


def test_slots_show_taken_and_free_seats(client, office, subscribed_tenant, auth):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    slots = client.get(f"{API}/calendars/buergerbuero/slots", headers=auth).json
    assert [(s["id"], s["taken"], s["free"]) for s in slots] == [
        (slot_ids[0], 1, 0),
        (slot_ids[1], 0, 1),
        (slot_ids[2], 0, 1),
        (slot_ids[3], 0, 1),
    ]
    assert slots[0]["starts_at"] == local(tomorrow(), 8).isoformat()


def test_bookings_are_listed_by_time(client, office, subscribed_tenant, auth):
    _calendar, slot_ids = office
    later = seat(subscribed_tenant, slot_ids[2], "b@example.org")
    earlier = seat(subscribed_tenant, slot_ids[0], "a@example.org", confirmed=False)
    listed = client.get(f"{API}/bookings", headers=auth).json
    assert [(b["reference"], b["email"], b["status"], b["calendar"]) for b in listed] == [
        (earlier.reference, "a@example.org", "pending", "buergerbuero"),
        (later.reference, "b@example.org", "confirmed", "buergerbuero"),
    ]


def test_the_office_cancels_a_booking_and_the_citizen_is_told(
    client, office, subscribed_tenant, auth
):
    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[0])
    response = client.post(f"{API}/bookings/{booking.id}/cancel", headers=auth)
    assert (response.status_code, response.json["status"], response.json["cancelled_by"]) == (
        200,
        "cancelled",
        "office",
    )
    (message,) = mails(subscribed_tenant, "termin.cancelled")
    assert "Das Amt musste ihn leider absagen." in message.body_text


def test_a_calendar_with_bookings_ahead_cannot_be_archived(client, office, subscribed_tenant, auth):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    response = client.delete(f"{API}/calendars/buergerbuero", headers=auth)
    assert response.status_code == 409
    assert response.json["errors"] == {
        "json": {"calendar": ["calendar 'buergerbuero' has 1 booking(s) ahead; cancel them first"]}
    }


def test_an_archived_calendar_takes_no_bookings(client, office, auth):
    assert client.delete(f"{API}/calendars/buergerbuero", headers=auth).json["active"] is False
    assert client.get("/coesfeld/termin/buergerbuero/").status_code == 404


def test_a_slot_with_a_booking_cannot_be_deleted(client, office, subscribed_tenant, auth):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    assert (
        client.delete(f"{API}/calendars/buergerbuero/slots/{slot_ids[0]}", headers=auth).status_code
        == 409
    )
    assert (
        client.delete(f"{API}/calendars/buergerbuero/slots/{slot_ids[1]}", headers=auth).status_code
        == 204
    )


def test_the_api_needs_a_token(client, office):
    assert client.get(f"{API}/calendars").status_code == 401


def test_the_api_is_not_found_without_subscription(client, tenant, auth):
    assert client.get(f"{API}/calendars", headers=auth).status_code == 404


def test_the_api_is_in_the_openapi_document(client, office):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert sorted(path for path in paths if "/termin/" in path) == [
        "/api/v1/tenants/{tenant}/termin/bookings",
        "/api/v1/tenants/{tenant}/termin/bookings/{booking_id}/cancel",
        "/api/v1/tenants/{tenant}/termin/calendars",
        "/api/v1/tenants/{tenant}/termin/calendars/{slug}",
        "/api/v1/tenants/{tenant}/termin/calendars/{slug}/slots",
        "/api/v1/tenants/{tenant}/termin/calendars/{slug}/slots/{slot_id}",
    ]
