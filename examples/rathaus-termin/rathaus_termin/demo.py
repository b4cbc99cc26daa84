"""Demo data (``rathaus demo``): Stadt Coesfeld and Kreis Coesfeld book appointments.

Idempotent: tenants, subscriptions and calendars are looked up before they are
created, and a calendar gets its two weeks of slots only while it has none.
"""

from __future__ import annotations

import datetime as dt

from core import ensure_tenant, session, subscribe, subscriptions_of, tenant_context
from sqlalchemy import select

from rathaus_termin import SERVICE_KEY
from rathaus_termin.calendars import SlotSeries, add_slots, create_calendar, parse_weekdays
from rathaus_termin.models import TerminCalendar, TerminSlot
from rathaus_termin.settings import timezone

#: (AGS, calendars: slug, name, description, location, weekdays, opening, closing, minutes)
OFFICES = [
    (
        "05558012",  # Stadt Coesfeld
        [
            (
                "buergerbuero",
                "Bürgerbüro",
                "Personalausweis, Reisepass, Meldebescheinigung, Führungszeugnis.",
                "Markt 8, 48653 Coesfeld",
                "mon-fri",
                "08:00",
                "12:00",
                15,
            ),
            (
                "standesamt",
                "Standesamt",
                "Anmeldung der Eheschließung, Urkunden.",
                "Markt 8, 48653 Coesfeld",
                "tue,thu",
                "09:00",
                "11:00",
                30,
            ),
        ],
    ),
    (
        "05558",  # Kreis Coesfeld
        [
            (
                "zulassung",
                "Straßenverkehrsamt – Zulassung",
                "Zulassung, Umschreibung und Abmeldung von Fahrzeugen.",
                "Friedrich-Ebert-Straße 7, 48653 Coesfeld",
                "mon-fri",
                "07:30",
                "12:30",
                20,
            )
        ],
    ),
]

DAYS_AHEAD = 14


def fill() -> None:
    """Subscribe the demo tenants and give them calendars with slots, unless done before."""
    today = dt.datetime.now(timezone()).date()
    for ags, offices in OFFICES:
        tenant = ensure_tenant(ags)
        if not subscriptions_of(tenant, SERVICE_KEY):
            subscribe(tenant, SERVICE_KEY)
        with tenant_context(tenant):
            for slug, name, description, location, weekdays, opening, closing, minutes in offices:
                calendar = _calendar(slug, name, description, location)
                if _has_slots(calendar):
                    continue
                series = SlotSeries(
                    first_day=today + dt.timedelta(days=1),
                    last_day=today + dt.timedelta(days=DAYS_AHEAD),
                    weekdays=parse_weekdays(weekdays),
                    start=dt.time.fromisoformat(opening),
                    end=dt.time.fromisoformat(closing),
                    minutes=minutes,
                )
                add_slots(calendar, series, today)


def _calendar(slug: str, name: str, description: str, location: str) -> TerminCalendar:
    existing = session.scalar(select(TerminCalendar).where(TerminCalendar.slug == slug))
    return existing or create_calendar(name, slug=slug, description=description, location=location)


def _has_slots(calendar: TerminCalendar) -> bool:
    return (
        session.scalar(select(TerminSlot.id).where(TerminSlot.calendar_id == calendar.id).limit(1))
        is not None
    )
