"""Tenant isolation: Dülmen's admins, tokens and links can neither read nor change
Coesfeld's calendars, slots and bookings — through every page and endpoint."""

from __future__ import annotations

import pytest
from core.db import session
from core.tenancy import tenant_context
from core.testing import bearer
from sqlalchemy import func, select
from termin_helpers import link_in, mails, make_office, seat

from rathaus_termin.models import TerminBooking, TerminCalendar, TerminSlot

COESFELD_API = "/api/v1/tenants/coesfeld/termin"


@pytest.fixture
def both(subscribed_tenant, other_tenant, subscribe, make_token):
    """Coesfeld and Dülmen both subscribe; Coesfeld has an office with a confirmed booking."""
    subscribe(other_tenant, "termin")
    _calendar, slot_ids = make_office(subscribed_tenant)
    booking = seat(subscribed_tenant, slot_ids[0])
    return {
        "slot_ids": slot_ids,
        "booking": booking,
        "duelmen_token": bearer(make_token(other_tenant)),
    }


def counts(tenant):
    with tenant_context(tenant):
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (TerminCalendar, TerminSlot, TerminBooking)
        )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/calendars", None),
        ("post", "/calendars", {"name": "Fremd"}),
        ("get", "/calendars/buergerbuero", None),
        ("delete", "/calendars/buergerbuero", None),
        ("get", "/calendars/buergerbuero/slots", None),
        (
            "post",
            "/calendars/buergerbuero/slots",
            {"from": "2099-01-01", "until": "2099-01-01", "start": "08:00", "end": "09:00"},
        ),
        ("delete", "/calendars/buergerbuero/slots/{slot}", None),
        ("get", "/bookings", None),
        ("post", "/bookings/{booking}/cancel", None),
    ],
)
def test_another_tenants_token_is_refused_on_every_endpoint(
    client, both, subscribed_tenant, method, path, body
):
    before = counts(subscribed_tenant)
    url = COESFELD_API + path.format(slot=both["slot_ids"][1], booking=both["booking"].id)
    response = getattr(client, method)(url, json=body, headers=both["duelmen_token"])
    assert response.status_code == 403
    assert counts(subscribed_tenant) == before


def test_own_tenant_endpoints_do_not_reach_another_tenants_rows(client, both, other_tenant):
    duelmen_api = "/api/v1/tenants/duelmen/termin"
    token = both["duelmen_token"]
    assert client.get(f"{duelmen_api}/calendars", headers=token).json == []
    assert client.get(f"{duelmen_api}/bookings", headers=token).json == []
    assert client.get(f"{duelmen_api}/calendars/buergerbuero", headers=token).status_code == 404
    assert (
        client.post(
            f"{duelmen_api}/bookings/{both['booking'].id}/cancel", headers=token
        ).status_code
        == 404
    )


def test_a_link_of_one_tenant_does_not_work_at_another(client, both, subscribed_tenant):
    cancel = link_in(mails(subscribed_tenant, "termin.confirmed")[0], "cancel")
    assert client.get(cancel.replace("/coesfeld/", "/duelmen/")).status_code == 404
    assert client.get(cancel).status_code == 200


def test_another_tenants_calendar_and_slots_are_not_found(client, both):
    assert client.get("/duelmen/termin/buergerbuero/").status_code == 404
    assert client.get(f"/duelmen/termin/buergerbuero/{both['slot_ids'][1]}").status_code == 404


def test_another_tenants_admin_cannot_see_the_day_list(app, both, other_tenant, login):
    from core import accounts
    from core.models import Role
    from core.testing import TEST_PASSWORD

    admin = accounts.create_user(
        "admin@duelmen.example.org",
        "Dülmen Admin",
        TEST_PASSWORD,
        [Role.TENANT_ADMIN],
        other_tenant,
    )
    session.commit()
    client = app.test_client()
    login(client, admin)
    # At Coesfeld a Dülmen account is nobody: it is sent to Coesfeld's login.
    response = client.get("/coesfeld/termin/admin/")
    assert (response.status_code, response.headers["Location"].split("?")[0]) == (
        302,
        "/coesfeld/login",
    )
    assert "Clara Bürger" not in client.get("/duelmen/termin/admin/").get_data(as_text=True)
