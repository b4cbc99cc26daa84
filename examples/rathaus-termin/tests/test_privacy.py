"""Personal data of citizens with an account: export (Art. 15/20) and erasure (Art. 17)
through core's hooks, from the plugin's side."""

from __future__ import annotations

import json

from core.db import session
from core.tenancy import tenant_context
from core.testing import TEST_PASSWORD, submit
from termin_helpers import local, seat, tomorrow

from rathaus_termin.models import TerminBooking


def test_hook_export_personal_data_lists_the_citizens_bookings(
    citizen_client, citizen, office, subscribed_tenant
):
    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[0], email="citizen@example.org")
    seat(subscribed_tenant, slot_ids[1], email="someone.else@example.org")
    response = submit(citizen_client, "/coesfeld/account/export", {}, form_url="/coesfeld/account")
    exported = json.loads(response.get_data(as_text=True))["termin"]["bookings"]
    assert [(b["reference"], b["calendar"], b["starts_at"], b["status"]) for b in exported] == [
        (booking.reference, "Bürgerbüro", local(tomorrow(), 8).isoformat(), "confirmed")
    ]


def test_hook_erase_personal_data_cancels_and_anonymises(
    citizen_client, citizen, office, subscribed_tenant
):
    _calendar, slot_ids = office
    mine = seat(subscribed_tenant, slot_ids[0], email="citizen@example.org")
    other = seat(subscribed_tenant, slot_ids[1], email="someone.else@example.org")
    response = submit(
        citizen_client,
        "/coesfeld/account/delete",
        {"password": TEST_PASSWORD},
        form_url="/coesfeld/account",
    )
    assert response.status_code == 302
    with tenant_context(subscribed_tenant):
        erased, kept = session.get(TerminBooking, mine.id), session.get(TerminBooking, other.id)
        assert (erased.name, erased.email, erased.status.value, erased.cancelled_by) == (
            "",
            "",
            "cancelled",
            "erasure",
        )
        assert (kept.email, kept.status.value) == ("someone.else@example.org", "confirmed")
