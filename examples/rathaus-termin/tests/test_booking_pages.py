"""A citizen books, confirms and cancels an appointment on the tenant's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from core.db import session
from core.testing import submit
from sqlalchemy import select
from termin_helpers import link_in, mails, make_office, today, tomorrow

from rathaus_termin.bookings import digest
from rathaus_termin.models import TerminBooking, TerminBookingToken

BOOKER = {
    "name": "Clara Bürger",
    "email": "Clara@Example.org",
    "phone": "02541 1234",
    "consent": "y",
}


def book(client, slot_id, follow_redirects=False, **changes):
    url = f"/coesfeld/termin/buergerbuero/{slot_id}"
    return submit(client, url, {**BOOKER, **changes}, follow_redirects=follow_redirects)


def booking_of(tenant):
    from core.tenancy import tenant_context

    with tenant_context(tenant):
        return session.scalar(select(TerminBooking).order_by(TerminBooking.id.desc()))


# ---------------------------------------------------------------------------------
# Finding a time
# ---------------------------------------------------------------------------------


def test_index_lists_the_calendars(client, office):
    page = client.get("/coesfeld/termin/").get_data(as_text=True)
    assert '<a href="/coesfeld/termin/buergerbuero/">Bürgerbüro</a>' in page
    assert '<p class="meta">Markt 8, 48653 Coesfeld</p>' in page


def test_calendar_page_lists_free_times_by_day(client, office):
    _calendar, slot_ids = office
    page = client.get("/coesfeld/termin/buergerbuero/").get_data(as_text=True)
    assert [f'href="/coesfeld/termin/buergerbuero/{slot_id}"' in page for slot_id in slot_ids] == [
        True
    ] * 4
    assert ">08:00</a>" in page and ">09:30</a>" in page


def test_pages_speak_german_by_default(client, office):
    page = client.get("/coesfeld/termin/").get_data(as_text=True)
    assert "<h1>Termin vereinbaren</h1>" in page


def test_pages_are_not_found_without_subscription(client, tenant):
    assert client.get("/coesfeld/termin/").status_code == 404


def test_portal_links_to_the_service(client, office):
    page = client.get("/coesfeld/").get_data(as_text=True)
    assert '<a href="/coesfeld/termin/">Termin vereinbaren</a>' in page


def test_unknown_calendar_and_slot_are_not_found(client, office):
    _calendar, slot_ids = office
    assert client.get("/coesfeld/termin/standesamt/").status_code == 404
    assert client.get(f"/coesfeld/termin/buergerbuero/{slot_ids[-1] + 100}").status_code == 404


# ---------------------------------------------------------------------------------
# Booking
# ---------------------------------------------------------------------------------


def test_booking_holds_the_seat_and_mails_a_confirmation_link(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    response = book(client, slot_ids[0])
    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/coesfeld/termin/buergerbuero/",
    )
    booking = booking_of(subscribed_tenant)
    assert (booking.name, booking.email, booking.phone, booking.status.value, booking.locale) == (
        "Clara Bürger",
        "clara@example.org",
        "02541 1234",
        "pending",
        "de",
    )
    (message,) = mails(subscribed_tenant)
    assert (message.to_address, message.subject, message.category) == (
        "clara@example.org",
        "Bitte bestätigen Sie Ihren Termin",
        "termin.confirm",
    )
    assert message.body_text.startswith(
        "Guten Tag Clara Bürger,\n\nbitte bestätigen Sie Ihren Termin:\n\nBürgerbüro – "
    )
    assert f"Vorgangsnummer: {booking.reference}\n" in message.body_text
    assert link_in(message, "confirm").startswith("/coesfeld/termin/confirm/")
    # The held seat is gone from the calendar page.
    page = client.get("/coesfeld/termin/buergerbuero/").get_data(as_text=True)
    assert f'href="/coesfeld/termin/buergerbuero/{slot_ids[0]}"' not in page


def test_after_booking_the_page_asks_to_confirm_by_mail(client, office):
    _calendar, slot_ids = office
    page = book(client, slot_ids[0], follow_redirects=True).get_data(as_text=True)
    assert "Fast geschafft: Wir haben Ihnen eine E-Mail geschickt." in page


def test_tokens_are_stored_as_digests_only(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    token = link_in(mails(subscribed_tenant)[0], "confirm").rsplit("/", 1)[1]
    from core.tenancy import tenant_context

    with tenant_context(subscribed_tenant):
        stored = list(session.scalars(select(TerminBookingToken.digest)))
    assert stored == [digest(token)]
    assert len(token) >= 43  # 256 random bits


def test_booking_needs_consent(client, office):
    _calendar, slot_ids = office
    response = book(client, slot_ids[0], consent="")
    assert response.status_code == 422
    assert "Bitte stimmen Sie zu, sonst können wir den Termin nicht buchen." in response.get_data(
        as_text=True
    )


def test_booking_rejects_a_malformed_email_address(client, office):
    _calendar, slot_ids = office
    response = book(client, slot_ids[0], email="clara-at-example")
    assert response.status_code == 422
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in response.get_data(as_text=True)


def test_a_full_slot_cannot_be_booked(client, office):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    response = book(client, slot_ids[0], email="other@example.org")
    assert response.status_code == 422
    assert (
        "Diese Zeit hat gerade jemand anderes gebucht. Bitte wählen Sie eine andere."
        in response.get_data(as_text=True)
    )


def test_the_same_address_cannot_book_a_slot_twice(client, subscribed_tenant):
    _calendar, slot_ids = make_office(subscribed_tenant, capacity=3)
    book(client, slot_ids[0])
    response = book(client, slot_ids[0])
    assert response.status_code == 422
    assert (
        "Sie haben diese Zeit schon gebucht. Bitte sehen Sie in Ihre E-Mails."
        in response.get_data(as_text=True)
    )


def test_a_slot_in_the_past_cannot_be_booked(client, subscribed_tenant):
    _calendar, slot_ids = make_office(subscribed_tenant, day=today(), start="00:00", end="00:30")
    response = book(client, slot_ids[0])
    assert response.status_code == 422
    assert (
        "Diese Zeit kann nicht mehr gebucht werden. Bitte wählen Sie eine andere."
        in response.get_data(as_text=True)
    )


@pytest.mark.parametrize("rathaus_config", [{"TERMIN_BOOKING_RATE_LIMIT": "2 per hour"}])
def test_booking_attempts_are_rate_limited(client, subscribed_tenant):
    _calendar, slot_ids = make_office(subscribed_tenant)
    assert [book(client, slot_ids[i], email=f"p{i}@example.org").status_code for i in range(2)] == [
        302,
        302,
    ]
    response = book(client, slot_ids[2], email="p2@example.org")
    assert response.status_code == 429
    assert (
        "Zu viele Buchungsversuche. Bitte versuchen Sie es später noch einmal."
        in response.get_data(as_text=True)
    )


# ---------------------------------------------------------------------------------
# Confirming and cancelling by mail
# ---------------------------------------------------------------------------------


def test_confirmation_link_shows_the_booking_and_its_button_confirms(
    client, office, subscribed_tenant
):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    confirm = link_in(mails(subscribed_tenant)[0], "confirm")
    page = client.get(confirm).get_data(as_text=True)
    assert "<dt>Vorgangsnummer</dt>" in page and "<dd>Clara Bürger</dd>" in page
    response = submit(client, confirm, {})
    assert response.status_code == 200
    assert "<h1>Termin bestätigt</h1>" in response.get_data(as_text=True)
    assert booking_of(subscribed_tenant).status.value == "confirmed"


def test_confirmation_mails_a_cancellation_link(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    submit(client, link_in(mails(subscribed_tenant)[0], "confirm"), {})
    confirmed = mails(subscribed_tenant, "termin.confirmed")[0]
    assert confirmed.subject == "Ihr Termin ist bestätigt"
    assert link_in(confirmed, "cancel").startswith("/coesfeld/termin/cancel/")


def test_a_confirmation_link_works_once(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    confirm = link_in(mails(subscribed_tenant)[0], "confirm")
    submit(client, confirm, {})
    response = client.get(confirm)
    assert response.status_code == 404
    assert "<h1>Link nicht gültig</h1>" in response.get_data(as_text=True)


def test_a_lapsed_booking_cannot_be_confirmed(client, office, subscribed_tenant):
    from core.tenancy import tenant_context

    _calendar, slot_ids = office
    book(client, slot_ids[0])
    with tenant_context(subscribed_tenant):
        booking = session.scalar(select(TerminBooking))
        booking.created_at -= dt.timedelta(minutes=61)
        session.commit()
    response = client.get(link_in(mails(subscribed_tenant)[0], "confirm"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Der Termin wurde nicht rechtzeitig bestätigt und ist verfallen." in page
    assert "<button" not in page


def test_cancellation_link_frees_the_seat_and_mails_the_citizen(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    submit(client, link_in(mails(subscribed_tenant)[0], "confirm"), {})
    cancel = link_in(mails(subscribed_tenant, "termin.confirmed")[0], "cancel")
    assert "Termin absagen" in client.get(cancel).get_data(as_text=True)
    response = submit(client, cancel, {})
    assert "<h1>Termin abgesagt</h1>" in response.get_data(as_text=True)
    booking = booking_of(subscribed_tenant)
    assert (booking.status.value, booking.cancelled_by) == ("cancelled", "citizen")
    (message,) = mails(subscribed_tenant, "termin.cancelled")
    assert message.subject == "Ihr Termin ist abgesagt"
    page = client.get("/coesfeld/termin/buergerbuero/").get_data(as_text=True)
    assert f'href="/coesfeld/termin/buergerbuero/{slot_ids[0]}"' in page


def test_an_unknown_link_is_not_found(client, office):
    response = client.get("/coesfeld/termin/cancel/not-a-token")
    assert response.status_code == 404
    assert "<h1>Link nicht gültig</h1>" in response.get_data(as_text=True)


def test_a_confirmation_token_does_not_cancel(client, office, subscribed_tenant):
    _calendar, slot_ids = office
    book(client, slot_ids[0])
    token = link_in(mails(subscribed_tenant)[0], "confirm").rsplit("/", 1)[1]
    assert client.get(f"/coesfeld/termin/cancel/{token}").status_code == 404


def test_booking_form_shows_the_time(client, office):
    _calendar, slot_ids = office
    page = client.get(f"/coesfeld/termin/buergerbuero/{slot_ids[1]}").get_data(as_text=True)
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][
        tomorrow().weekday()
    ]
    assert f"{weekday}," in page and "08:30 – 09:00" in page
