"""The office's API: ``/api/v1/tenants/<tenant>/termin/...`` (tenant admins and operators).

Authenticate with a bearer token of the tenant (``rathaus tokens create --tenant
SLUG``). Errors are ``application/problem+json`` naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import require_subscription, session, tenant_admin_required, tenant_api_prefix, utcnow
from flask.views import MethodView
from flask_smorest import Blueprint

from rathaus_termin import SERVICE_KEY
from rathaus_termin.bookings import booking_by_id, bookings, cancel
from rathaus_termin.calendars import (
    SlotSeries,
    add_slots,
    archive_calendar,
    calendar_by_slug,
    calendars,
    create_calendar,
    delete_slot,
    parse_weekdays,
    slot_of,
    slots_between,
)
from rathaus_termin.schemas import (
    TerminBookingQuerySchema,
    TerminBookingSchema,
    TerminCalendarSchema,
    TerminSlotQuerySchema,
    TerminSlotSchema,
    TerminSlotSeriesResultSchema,
    TerminSlotSeriesSchema,
)
from rathaus_termin.settings import timezone

DEFAULT_DAYS = 14


def local_range(
    first: dt.date | None, last: dt.date | None, days: int = DEFAULT_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days ``first..last`` as a UTC range (default: today and ``days`` ahead)."""
    tz = timezone()
    first = first or dt.datetime.now(tz).date()
    last = last or first + dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def blueprint() -> Blueprint:
    """The API blueprint (a new one per application)."""
    blp = Blueprint(
        "termin_api",
        __name__,
        url_prefix=tenant_api_prefix(SERVICE_KEY),
        description="Terminvereinbarung: calendars, slots and bookings of a tenant's offices.",
    )
    require_subscription(blp, SERVICE_KEY)

    @blp.route("/calendars")
    class Calendars(MethodView):
        @blp.response(200, TerminCalendarSchema(many=True))
        @tenant_admin_required
        def get(self) -> Any:
            """The tenant's calendars, archived ones included."""
            return calendars(include_archived=True)

        @blp.arguments(TerminCalendarSchema)
        @blp.response(201, TerminCalendarSchema)
        @tenant_admin_required
        def post(self, data: dict[str, Any]) -> Any:
            """Add a calendar (slug from the name when left out)."""
            calendar = create_calendar(
                data["name"],
                slug=data.get("slug"),
                description=data["description"],
                location=data["location"],
            )
            session.commit()
            return calendar

    @blp.route("/calendars/<slug>")
    class Calendar(MethodView):
        @blp.response(200, TerminCalendarSchema)
        @tenant_admin_required
        def get(self, slug: str) -> Any:
            """One calendar."""
            return calendar_by_slug(slug, include_archived=True)

        @blp.response(200, TerminCalendarSchema)
        @tenant_admin_required
        def delete(self, slug: str) -> Any:
            """Archive a calendar: it takes no more bookings (refused while bookings lie ahead)."""
            calendar = archive_calendar(calendar_by_slug(slug, include_archived=True), utcnow())
            session.commit()
            return calendar

    @blp.route("/calendars/<slug>/slots")
    class Slots(MethodView):
        @blp.arguments(TerminSlotQuerySchema, location="query")
        @blp.response(200, TerminSlotSchema(many=True))
        @tenant_admin_required
        def get(self, query: dict[str, Any], slug: str) -> Any:
            """The calendar's slots with taken and free seats (default: the next 14 days)."""
            start, end = local_range(query.get("from_"), query.get("until"))
            return slots_between(calendar_by_slug(slug), start, end, utcnow())

        @blp.arguments(TerminSlotSeriesSchema)
        @blp.response(201, TerminSlotSeriesResultSchema)
        @tenant_admin_required
        def post(self, data: dict[str, Any], slug: str) -> Any:
            """Create the slots of opening hours; slots that exist are skipped."""
            series = SlotSeries(
                first_day=data["from_"],
                last_day=data["until"],
                weekdays=parse_weekdays(data["weekdays"]),
                start=data["start"],
                end=data["end"],
                minutes=data["minutes"],
                capacity=data["capacity"],
            )
            created, skipped = add_slots(
                calendar_by_slug(slug), series, dt.datetime.now(timezone()).date()
            )
            session.commit()
            return {"created": created, "skipped": skipped}

    @blp.route("/calendars/<slug>/slots/<int:slot_id>")
    class Slot(MethodView):
        @blp.response(204)
        @tenant_admin_required
        def delete(self, slug: str, slot_id: int) -> None:
            """Remove a slot nobody holds a seat in."""
            delete_slot(slot_of(calendar_by_slug(slug, include_archived=True), slot_id), utcnow())
            session.commit()

    @blp.route("/bookings")
    class Bookings(MethodView):
        @blp.arguments(TerminBookingQuerySchema, location="query")
        @blp.response(200, TerminBookingSchema(many=True))
        @tenant_admin_required
        def get(self, query: dict[str, Any]) -> Any:
            """Bookings by appointment time (default: the next 14 days), of all or one calendar."""
            start, end = local_range(query.get("from_"), query.get("until"))
            calendar = (
                calendar_by_slug(query["calendar"], include_archived=True)
                if query.get("calendar")
                else None
            )
            return bookings(calendar=calendar, start=start, end=end)

    @blp.route("/bookings/<int:booking_id>/cancel")
    class CancelBooking(MethodView):
        @blp.response(200, TerminBookingSchema)
        @tenant_admin_required
        def post(self, booking_id: int) -> Any:
            """Cancel a booking on behalf of the office; a confirmed citizen gets a mail."""
            booking = booking_by_id(booking_id)
            cancel(booking, utcnow(), by="office")
            session.commit()
            return booking

    return blp
