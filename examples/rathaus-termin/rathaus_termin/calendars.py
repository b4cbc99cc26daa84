"""Calendars and their slots: what a tenant's staff sets up, what citizens can book.

Every function runs inside the tenant's context (``core.tenancy.tenant_context``,
or a request under ``/<tenant>/...``): queries see only that tenant's rows and new
rows are stamped with it. Slot times are entered in local time (``TERMIN_TIMEZONE``)
and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core import SLUG, ConflictError, NotFoundError, ValidationError, session
from sqlalchemy import ColumnElement, func, or_, select

from rathaus_termin.models import BookingStatus, TerminBooking, TerminCalendar, TerminSlot
from rathaus_termin.settings import setting, timezone

#: Path segments of the service's own pages; no calendar may take them.
RESERVED_SLUGS = frozenset({"admin", "confirm", "cancel"})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

MAX_SERIES_DAYS = 366
MAX_SLOTS_PER_SERIES = 20_000


# ---------------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------------


def slug_for(name: str) -> str:
    """A URL slug from a German name: ``Bürgerbüro Nord`` -> ``buergerbuero-nord``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(UMLAUTS)).strip("-")[:63].strip("-")


def create_calendar(
    name: str, *, slug: str | None = None, description: str = "", location: str = ""
) -> TerminCalendar:
    """Add a calendar to the current tenant; the caller commits.

    :raises ValidationError: empty name, a slug that is malformed or reserved.
    :raises ConflictError: the tenant has a calendar with that slug.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            "must not be empty", field="name", code="termin.calendar.name.required"
        )
    if len(name) > 200:
        raise ValidationError(
            "must have at most 200 characters", field="name", code="termin.calendar.name.too_long"
        )
    slug = (slug or slug_for(name)).strip()
    if not SLUG.match(slug):
        raise ValidationError(
            "%(slug)r is not a valid slug: 2-63 lowercase letters, digits and hyphens, "
            "starting with a letter",
            field="slug",
            code="termin.calendar.slug.invalid",
            slug=slug,
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            "%(slug)r is reserved for the service's own pages",
            field="slug",
            code="termin.calendar.slug.reserved",
            slug=slug,
        )
    if session.scalar(select(TerminCalendar.id).where(TerminCalendar.slug == slug)) is not None:
        raise ConflictError(
            "there is a calendar %(slug)r already",
            field="slug",
            code="termin.calendar.slug.exists",
            slug=slug,
        )
    calendar = TerminCalendar(
        slug=slug,
        name=name,
        description=(description or "").strip(),
        location=(location or "").strip()[:200],
    )
    session.add(calendar)
    session.flush()
    return calendar


def calendars(include_archived: bool = False) -> list[TerminCalendar]:
    """The current tenant's calendars, by name."""
    stmt = select(TerminCalendar).order_by(TerminCalendar.name, TerminCalendar.id)
    if not include_archived:
        stmt = stmt.where(TerminCalendar.archived_at.is_(None))
    return list(session.scalars(stmt))


def calendar_by_slug(slug: str, *, include_archived: bool = False) -> TerminCalendar:
    """The current tenant's calendar ``slug``.

    :raises NotFoundError: no such calendar (or it is archived).
    """
    calendar = session.scalar(select(TerminCalendar).where(TerminCalendar.slug == slug))
    if calendar is None or (calendar.archived_at is not None and not include_archived):
        raise NotFoundError(
            "no calendar %(slug)r", field="calendar", code="termin.calendar.not_found", slug=slug
        )
    return calendar


def archive_calendar(calendar: TerminCalendar, now: dt.datetime) -> TerminCalendar:
    """Stop taking bookings on a calendar; refused while bookings lie ahead.

    :raises ConflictError: the calendar has confirmed or pending bookings in the future.
    """
    ahead = session.scalar(
        select(func.count())
        .select_from(TerminBooking)
        .join(TerminSlot)
        .where(TerminSlot.calendar_id == calendar.id, TerminSlot.starts_at > now)
        .where(TerminBooking.status != BookingStatus.CANCELLED)
    )
    if ahead:
        raise ConflictError(
            "calendar %(calendar_slug)r has %(ahead)s booking(s) ahead; cancel them first",
            field="calendar",
            code="termin.calendar.has_bookings",
            calendar_slug=calendar.slug,
            ahead=ahead,
        )
    if calendar.archived_at is None:
        calendar.archived_at = now
        session.flush()
    return calendar


def calendars_in_use(first_day: dt.date, last_day: dt.date) -> int:
    """How many of the tenant's calendars existed on any day of ``first_day..last_day``
    (what billing counts: a calendar archived during the period still counts)."""
    tz = timezone()
    period_start = dt.datetime.combine(first_day, dt.time(), tzinfo=tz)
    period_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return session.scalar(
        select(func.count())
        .select_from(TerminCalendar)
        .where(TerminCalendar.created_at < period_end)
        .where(
            or_(TerminCalendar.archived_at.is_(None), TerminCalendar.archived_at >= period_start)
        )
    )


# ---------------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------------


def parse_weekdays(text: str | Iterable[str]) -> tuple[int, ...]:
    """``"mon-fri"``, ``"mon,wed,fri"`` or ``["tue", "thu"]`` as weekday numbers (Monday 0).

    :raises ValidationError: an unknown day (field ``weekdays``).
    """
    parts = text.split(",") if isinstance(text, str) else list(text)
    days: set[int] = set()
    for part in (p.strip().lower() for p in parts):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValidationError(
                "%(part)r is not a day or range of days (mon, tue, ... sun; mon-fri)",
                field="weekdays",
                code="termin.calendar.weekdays.invalid",
                part=part,
            )
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(
            range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        )
    if not days:
        raise ValidationError(
            "name at least one day", field="weekdays", code="termin.calendar.weekdays.required"
        )
    return tuple(sorted(days))


@dataclass(frozen=True)
class SlotSeries:
    """Opening hours to turn into slots: on ``weekdays`` from ``first_day`` to
    ``last_day``, every ``minutes`` from ``start`` until ``end`` (local time)."""

    first_day: dt.date
    last_day: dt.date
    weekdays: tuple[int, ...]
    start: dt.time
    end: dt.time
    minutes: int = 15
    capacity: int = 1

    def validate(self, today: dt.date) -> None:
        """Raise ``ValidationError`` naming the first field that breaks a rule."""
        if self.first_day < today:
            raise ValidationError(
                "%(first_day)s lies in the past",
                field="from",
                code="termin.calendar.from.in_past",
                first_day=self.first_day.isoformat(),
            )
        if self.last_day < self.first_day:
            raise ValidationError(
                "must not lie before the first day",
                field="until",
                code="termin.calendar.until.before_start",
            )
        if (self.last_day - self.first_day).days >= MAX_SERIES_DAYS:
            raise ValidationError(
                "a series spans at most %(max_series_days)s days",
                field="until",
                code="termin.calendar.until.too_long",
                max_series_days=MAX_SERIES_DAYS,
            )
        if self.end <= self.start:
            raise ValidationError(
                "must lie after the start", field="end", code="termin.calendar.end.before_start"
            )
        if not 5 <= self.minutes <= 480:
            raise ValidationError(
                "must be between 5 and 480",
                field="minutes",
                code="termin.calendar.minutes.out_of_range",
            )
        if not 1 <= self.capacity <= 100:
            raise ValidationError(
                "must be between 1 and 100",
                field="capacity",
                code="termin.calendar.capacity.out_of_range",
            )

    def times(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Every slot of the series as (start, end) in UTC."""
        tz, step = timezone(), dt.timedelta(minutes=self.minutes)
        slots = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() in self.weekdays:
                start = dt.datetime.combine(day, self.start, tzinfo=tz)
                close = dt.datetime.combine(day, self.end, tzinfo=tz)
                while start + step <= close:
                    slots.append((start.astimezone(dt.UTC), (start + step).astimezone(dt.UTC)))
                    start += step
            day += dt.timedelta(days=1)
        return slots


def add_slots(calendar: TerminCalendar, series: SlotSeries, today: dt.date) -> tuple[int, int]:
    """Create the series' slots that do not exist yet; returns (created, skipped).

    Idempotent: running the same series again creates nothing.
    """
    series.validate(today)
    times = series.times()
    if len(times) > MAX_SLOTS_PER_SERIES:
        raise ValidationError(
            "would create %(times)s slots; at most %(max_slots_per_series)s at once",
            field="until",
            code="termin.calendar.until.too_many",
            times=len(times),
            max_slots_per_series=MAX_SLOTS_PER_SERIES,
        )
    if not times:
        return 0, 0
    existing = set(
        session.scalars(
            select(TerminSlot.starts_at).where(
                TerminSlot.calendar_id == calendar.id, TerminSlot.starts_at >= times[0][0]
            )
        )
    )
    created = 0
    for starts_at, ends_at in times:
        if starts_at not in existing:
            session.add(
                TerminSlot(
                    calendar=calendar,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=series.capacity,
                )
            )
            created += 1
    session.flush()
    return created, len(times) - created


def slot_of(calendar: TerminCalendar, slot_id: int) -> TerminSlot:
    """A slot of the calendar; ``NotFoundError`` otherwise."""
    slot = session.get(TerminSlot, slot_id)
    if slot is None or slot.calendar_id != calendar.id:
        raise NotFoundError(
            "no slot %(slot_id)s in calendar %(calendar_slug)r",
            field="slot",
            code="termin.slot.not_found",
            slot_id=slot_id,
            calendar_slug=calendar.slug,
        )
    return slot


def holds_seat(now: dt.datetime) -> ColumnElement[bool]:
    """The SQL condition of a booking that takes a seat at ``now``: confirmed, or
    pending and still within its confirmation period."""
    hold_from = now - dt.timedelta(minutes=setting("TERMIN_CONFIRM_MINUTES"))
    return or_(
        TerminBooking.status == BookingStatus.CONFIRMED,
        (TerminBooking.status == BookingStatus.PENDING) & (TerminBooking.created_at > hold_from),
    )


def seats_taken(slot_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """Seats taken per slot at ``now`` (slots without bookings are left out)."""
    ids = list(slot_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TerminBooking.slot_id, func.count())
        .where(TerminBooking.slot_id.in_(ids), holds_seat(now))
        .group_by(TerminBooking.slot_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class SlotView:
    """A slot with its free seats, for listings."""

    slot: TerminSlot
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.slot.capacity - self.taken)


def slots_between(
    calendar: TerminCalendar, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[SlotView]:
    """The calendar's slots starting in ``start..end``, with their free seats."""
    slots = list(
        session.scalars(
            select(TerminSlot)
            .where(
                TerminSlot.calendar_id == calendar.id,
                TerminSlot.starts_at >= start,
                TerminSlot.starts_at < end,
            )
            .order_by(TerminSlot.starts_at)
        )
    )
    taken = seats_taken((slot.id for slot in slots), now)
    return [SlotView(slot, taken.get(slot.id, 0)) for slot in slots]


def bookable_slots(calendar: TerminCalendar, now: dt.datetime) -> list[SlotView]:
    """Slots citizens can book now: in the future, within the horizon, with a free seat."""
    horizon = now + dt.timedelta(days=setting("TERMIN_HORIZON_DAYS"))
    return [view for view in slots_between(calendar, now, horizon, now) if view.free > 0]


def delete_slot(slot: TerminSlot, now: dt.datetime) -> None:
    """Remove a slot nobody holds a seat in; its cancelled bookings go with it.

    :raises ConflictError: a booking holds a seat in it.
    """
    if seats_taken([slot.id], now):
        raise ConflictError(
            "slot %(slot_id)s has bookings; cancel them first",
            field="slot",
            code="termin.slot.has_bookings",
            slot_id=slot.id,
        )
    for booking in session.scalars(select(TerminBooking).where(TerminBooking.slot_id == slot.id)):
        session.delete(booking)
    session.delete(slot)
    session.flush()
