"""Helpers of rathaus-termin's tests: local times, an office with slots, the outbox."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from core.db import session, utcnow
from core.mail import outbox
from core.tenancy import tenant_context

from rathaus_termin.bookings import BookingRequest, book, confirm
from rathaus_termin.calendars import SlotSeries, add_slots, create_calendar
from rathaus_termin.models import TerminSlot

BERLIN = ZoneInfo("Europe/Berlin")
LINK = re.compile(r"http://localhost(/[a-z0-9-]+/termin/(confirm|cancel)/[A-Za-z0-9_-]+)")


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local time in Coesfeld, as the UTC datetime the database stores."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN).astimezone(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(BERLIN).date()


def tomorrow() -> dt.date:
    return today() + dt.timedelta(days=1)


def make_office(
    tenant, name="Bürgerbüro", *, day=None, start="08:00", end="10:00", minutes=30, capacity=1
):
    """A calendar of ``tenant`` with slots on ``day`` (default tomorrow); returns it and
    its slot ids."""
    day = day or tomorrow()
    with tenant_context(tenant):
        calendar = create_calendar(name, location="Markt 8, 48653 Coesfeld")
        series = SlotSeries(
            first_day=day,
            last_day=day,
            weekdays=tuple(range(7)),
            start=dt.time.fromisoformat(start),
            end=dt.time.fromisoformat(end),
            minutes=minutes,
            capacity=capacity,
        )
        add_slots(calendar, series, today())
        session.commit()
        slot_ids = [slot.id for slot in calendar.slots]
    return calendar, slot_ids


def mails(tenant, category: str | None = None) -> list:
    """The tenant's queued mails, oldest first (optionally of one category)."""
    found = list(reversed(outbox(tenant)))
    return [m for m in found if category is None or m.category == category]


def link_in(message, purpose: str) -> str:
    """The path of the confirmation or cancellation link in a mail."""
    found = [path for path, kind in LINK.findall(message.body_text) if kind == purpose]
    assert len(found) == 1, message.body_text
    return found[0]


def seat(tenant, slot_id, email="clara@example.org", confirmed=True):
    """Book (and confirm) a seat directly, as a citizen would through the pages."""
    with tenant_context(tenant):
        booking = book(
            session.get(TerminSlot, slot_id), BookingRequest("Clara Bürger", email), now=utcnow()
        )
        if confirmed:
            confirm(booking, utcnow())
        session.commit()
        return booking
