"""What the API reads and writes (names start with ``Termin``: no OpenAPI collisions)."""

from __future__ import annotations

import marshmallow as ma
from core import utcnow

from rathaus_termin.bookings import state
from rathaus_termin.calendars import WEEKDAYS


class TerminCalendarSchema(ma.Schema):
    """An office's calendar."""

    slug = ma.fields.String(
        validate=ma.validate.Length(min=2, max=63),
        metadata={"description": "URL segment; made from the name when left out"},
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(load_default="")
    location = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    active = ma.fields.Boolean(dump_only=True, attribute="is_active")
    created_at = ma.fields.DateTime(dump_only=True)
    archived_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class TerminSlotSeriesSchema(ma.Schema):
    """Opening hours to turn into slots (local time, ``TERMIN_TIMEZONE``)."""

    from_ = ma.fields.Date(required=True, data_key="from", metadata={"description": "first day"})
    until = ma.fields.Date(required=True, metadata={"description": "last day"})
    weekdays = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(WEEKDAYS)),
        load_default=list(WEEKDAYS[:5]),
        metadata={"description": "days of the week (mon ... sun); default mon-fri"},
    )
    start = ma.fields.Time(required=True, metadata={"example": "08:00"})
    end = ma.fields.Time(required=True, metadata={"example": "12:00"})
    minutes = ma.fields.Integer(load_default=15, metadata={"description": "length of a slot"})
    capacity = ma.fields.Integer(load_default=1, metadata={"description": "seats per slot"})


class TerminSlotSeriesResultSchema(ma.Schema):
    """How many slots a series created and how many existed already."""

    created = ma.fields.Integer()
    skipped = ma.fields.Integer()


class TerminSlotSchema(ma.Schema):
    """A slot with its seats."""

    id = ma.fields.Integer(attribute="slot.id")
    starts_at = ma.fields.DateTime(attribute="slot.starts_at")
    ends_at = ma.fields.DateTime(attribute="slot.ends_at")
    capacity = ma.fields.Integer(attribute="slot.capacity")
    taken = ma.fields.Integer()
    free = ma.fields.Integer()


class TerminSlotQuerySchema(ma.Schema):
    """Which slots to list (default: the next 14 days)."""

    from_ = ma.fields.Date(data_key="from")
    until = ma.fields.Date()


class TerminBookingQuerySchema(TerminSlotQuerySchema):
    """Which bookings to list (default: from today on)."""

    calendar = ma.fields.String()


class TerminBookingSchema(ma.Schema):
    """A citizen's booking, as the office sees it."""

    id = ma.fields.Integer()
    reference = ma.fields.String()
    calendar = ma.fields.String(attribute="slot.calendar.slug")
    slot_id = ma.fields.Integer()
    starts_at = ma.fields.DateTime(attribute="slot.starts_at")
    name = ma.fields.String()
    email = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    note = ma.fields.String()
    status = ma.fields.Function(
        lambda booking: state(booking, utcnow()),
        metadata={"description": "pending, confirmed, cancelled or lapsed (not confirmed in time)"},
    )
    created_at = ma.fields.DateTime()
    confirmed_at = ma.fields.DateTime(allow_none=True)
    cancelled_at = ma.fields.DateTime(allow_none=True)
    cancelled_by = ma.fields.String(
        allow_none=True, metadata={"description": "citizen, office or erasure"}
    )
