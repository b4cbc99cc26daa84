"""Reminders through the outbox, and anonymisation after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from core.db import session
from core.tenancy import tenant_context
from termin_helpers import link_in, local, mails, make_office, seat, tomorrow

from rathaus_termin.bookings import purge_expired, queue_reminders
from rathaus_termin.models import TerminBooking

# Tomorrow's first appointment (08:00) is 24 hours ahead at 08:00 today.
EVE = dt.timedelta(hours=23)


def reminders(tenant):
    return mails(tenant, "termin.reminder")


def test_confirmed_appointments_within_the_window_are_reminded(office, subscribed_tenant):
    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[0])
    assert queue_reminders(local(tomorrow(), 8) - EVE) == {"coesfeld": 1}
    (message,) = reminders(subscribed_tenant)
    assert (message.to_address, message.subject) == (
        "clara@example.org",
        "Erinnerung an Ihren Termin",
    )
    assert f"Vorgangsnummer: {booking.reference}" in message.body_text


def test_each_booking_is_reminded_once(office, subscribed_tenant):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    now = local(tomorrow(), 8) - EVE
    queue_reminders(now)
    assert queue_reminders(now + dt.timedelta(minutes=30)) == {"coesfeld": 0}
    assert len(reminders(subscribed_tenant)) == 1


def test_appointments_beyond_the_window_wait(office, subscribed_tenant):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    assert queue_reminders(local(tomorrow(), 8) - dt.timedelta(hours=25)) == {"coesfeld": 0}


def test_unconfirmed_and_cancelled_bookings_are_not_reminded(office, subscribed_tenant):
    from core.db import utcnow

    from rathaus_termin.bookings import cancel

    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0], "pending@example.org", confirmed=False)
    cancelled = seat(subscribed_tenant, slot_ids[1], "cancelled@example.org")
    with tenant_context(subscribed_tenant):
        cancel(session.get(TerminBooking, cancelled.id), utcnow())
        session.commit()
    assert queue_reminders(local(tomorrow(), 8) - EVE) == {"coesfeld": 0}


def test_the_reminder_carries_a_working_cancellation_link(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    queue_reminders(local(tomorrow(), 8) - EVE)
    cancel = link_in(reminders(subscribed_tenant)[0], "cancel")
    assert client.get(cancel).status_code == 200


def test_tenants_without_subscription_get_no_reminders(office, subscribed_tenant, other_tenant):
    assert queue_reminders(local(tomorrow(), 8) - EVE) == {"coesfeld": 0}


@pytest.mark.parametrize("rathaus_config", [{"TERMIN_REMINDER_HOURS": "30"}])
def test_the_window_is_a_setting(office, subscribed_tenant):
    _calendar, slot_ids = office
    seat(subscribed_tenant, slot_ids[0])
    assert queue_reminders(local(tomorrow(), 8) - dt.timedelta(hours=29)) == {"coesfeld": 1}


@pytest.mark.parametrize("rathaus_config", [{"TERMIN_REMINDER_HOURS": "soon"}])
def test_a_malformed_setting_is_named(runner, office):
    result = runner.invoke("termin", "remind")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: RATHAUS_TERMIN_REMINDER_HOURS: expected a whole number, got 'soon'\n",
    )


def test_bookings_are_anonymised_after_the_retention_period(office, subscribed_tenant):
    _calendar, slot_ids = office
    booking = seat(subscribed_tenant, slot_ids[0])
    ended = local(tomorrow(), 8, 30)
    assert purge_expired(ended + dt.timedelta(days=89)) == {"coesfeld": 0}
    assert purge_expired(ended + dt.timedelta(days=91)) == {"coesfeld": 1}
    with tenant_context(subscribed_tenant):
        kept = session.get(TerminBooking, booking.id)
        assert (kept.name, kept.email, kept.phone, kept.status.value, kept.tokens) == (
            "",
            "",
            None,
            "confirmed",
            [],
        )
    assert purge_expired(ended + dt.timedelta(days=92)) == {"coesfeld": 0}


def test_retention_covers_every_tenant(subscribed_tenant, other_tenant, subscribe):
    subscribe(other_tenant, "termin")
    _c, coesfeld_slots = make_office(subscribed_tenant)
    _d, duelmen_slots = make_office(other_tenant)
    seat(subscribed_tenant, coesfeld_slots[0])
    seat(other_tenant, duelmen_slots[0])
    assert purge_expired(local(tomorrow(), 9) + dt.timedelta(days=91)) == {
        "coesfeld": 1,
        "duelmen": 1,
    }
